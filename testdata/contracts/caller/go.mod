module govm.test/contracts/caller

go 1.24

require (
	github.com/govm-net/vm v0.0.0
	govm.test/contracts/counter v0.0.0
	govm.test/contracts/hostile v0.0.0
)

replace (
	github.com/govm-net/vm => ../../../crates/govm-sdk/go/vm
	govm.test/contracts/counter => ../counter
	govm.test/contracts/hostile => ../hostile
)
