package bad

func Apply(f func(uint64) uint64) {}
