module govm.test/contracts/corerelay

go 1.24

require github.com/govm-net/vm v0.0.0

replace github.com/govm-net/vm => ../../../crates/govm-sdk/go/vm
