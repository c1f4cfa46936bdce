package bad

func Two() (error, uint64) { return nil, 0 }
