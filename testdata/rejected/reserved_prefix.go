package bad

var govm_state uint64

func govm_alloc(size uint32) uint32 { return size }

func F() {}
