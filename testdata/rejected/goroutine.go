package bad

// Spawn starts work nobody can wait for deterministically.
func Spawn(n uint64) uint64 {
	total := uint64(0)
	for i := uint64(0); i < n; i++ {
		go func() { total += i }()
	}
	return total
}
