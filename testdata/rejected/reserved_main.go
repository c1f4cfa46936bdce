package bad

func main() {}

func F() {}
