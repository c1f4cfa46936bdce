package bad

import "github.com/govm-net/vm"

func Late(n uint64, ctx vm.Context) uint64 { return n }
