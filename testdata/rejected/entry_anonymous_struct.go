package bad

func Point(p struct{ X, Y int64 }) int64 { return p.X }
