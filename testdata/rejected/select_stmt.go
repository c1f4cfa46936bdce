package bad

func Wait() {
	select {}
}
