package bad

import (
	"math/rand"
	"net/http"
	"reflect"
	"sync"
	"unsafe"
)

func F() uintptr {
	var mu sync.Mutex
	mu.Lock()
	_ = http.StatusOK
	_ = reflect.TypeOf(1)
	return unsafe.Sizeof(rand.Int())
}
