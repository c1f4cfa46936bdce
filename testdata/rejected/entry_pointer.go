package bad

func Set(p *uint64) {}
