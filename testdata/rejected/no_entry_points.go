package bad

func helper() uint64 { return 42 }
