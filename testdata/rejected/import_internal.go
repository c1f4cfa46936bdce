package bad

import (
	"github.com/govm-net/vm"
	"github.com/govm-net/vm/internal/entry"
)

// Steal reaches for the wrapper's own Context, which is not the contract's to use.
func Steal(ctx vm.Context) bool {
	return entry.Context != nil && ctx != nil
}
