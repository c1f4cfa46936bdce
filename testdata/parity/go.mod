module govm.test/parity

go 1.24

require (
	github.com/govm-net/vm v0.0.0
	govm.test/contracts/caller v0.0.0
	govm.test/contracts/corecounter v0.0.0
	govm.test/contracts/corefactory v0.0.0
	govm.test/contracts/corenft v0.0.0
	govm.test/contracts/corerelay v0.0.0
	govm.test/contracts/coretoken v0.0.0
	govm.test/contracts/crowdfund v0.0.0
	govm.test/contracts/counter v0.0.0
	govm.test/contracts/crypto v0.0.0
	govm.test/contracts/escrow v0.0.0
	govm.test/contracts/hostile v0.0.0
	govm.test/contracts/nft v0.0.0
	govm.test/contracts/registry v0.0.0
	govm.test/contracts/stdlib v0.0.0
	govm.test/contracts/token v0.0.0
	govm.test/contracts/vote v0.0.0
)

replace (
	github.com/govm-net/vm => ../../crates/govm-sdk/go/vm
	govm.test/contracts/caller => ../contracts/caller
	govm.test/contracts/corecounter => ../contracts/corecounter
	govm.test/contracts/corefactory => ../contracts/corefactory
	govm.test/contracts/corenft => ../contracts/corenft
	govm.test/contracts/corerelay => ../contracts/corerelay
	govm.test/contracts/coretoken => ../contracts/coretoken
	govm.test/contracts/crowdfund => ../contracts/crowdfund
	govm.test/contracts/counter => ../contracts/counter
	govm.test/contracts/crypto => ../contracts/crypto
	govm.test/contracts/escrow => ../contracts/escrow
	govm.test/contracts/hostile => ../contracts/hostile
	govm.test/contracts/nft => ../contracts/nft
	govm.test/contracts/registry => ../contracts/registry
	govm.test/contracts/stdlib => ../contracts/stdlib
	govm.test/contracts/token => ../contracts/token
	govm.test/contracts/vote => ../contracts/vote
)
