package bad

func Any(v interface{}) {}
