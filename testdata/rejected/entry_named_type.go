package bad

type Amount uint64

func Pay(a Amount) Amount { return a }
