package bad

func F(x bool) {
	if x {
	}
	else {
	}
}
