package bad

import (
	engine "github.com/govm-net/vm/core"

	"github.com/govm-net/vm/core/internal/x"
)

// An Object is a handle, not a value: it cannot cross the boundary, under any import name.
func Keep(o engine.Object) engine.ObjectID {
	return o.ID()
}

// core.Context does not exist: core has no context parameter.
func Ping(ctx engine.Context) {}
