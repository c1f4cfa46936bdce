package bad

// #include <stdlib.h>
import "C"

func F() {}
