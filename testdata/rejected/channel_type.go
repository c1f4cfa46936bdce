package bad

var queue chan uint64

func Push(v uint64) {
	queue <- v
}

func Pop() uint64 {
	return <-queue
}
