package bad

//export F
func F() {}
