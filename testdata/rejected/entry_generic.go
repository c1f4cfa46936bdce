package bad

func Max[T int | uint64](a, b T) T {
	if a > b {
		return a
	}
	return b
}
