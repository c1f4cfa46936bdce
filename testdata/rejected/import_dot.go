package bad

import . "strings"

func F(s string) string { return ToUpper(s) }
