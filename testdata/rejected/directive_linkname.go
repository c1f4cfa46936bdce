package bad

import _ "strings"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

func F() int64 { return nanotime() }
