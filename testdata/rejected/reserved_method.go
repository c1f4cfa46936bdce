package bad

type Poll struct{ Q string }

func (p Poll) GovmEncode() {}

func F(p Poll) {}
