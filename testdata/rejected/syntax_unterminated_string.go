package bad

var s = "never closed
