package bad

func Index(m map[[2]uint8]bool) bool { return len(m) > 0 }
