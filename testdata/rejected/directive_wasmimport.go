package bad

//go:wasmimport govm field_set
func fieldSet(id, key, keyLen, val, valLen uint32) uint32

func F() uint32 { return fieldSet(0, 0, 0, 0, 0) }
