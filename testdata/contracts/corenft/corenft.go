// Package corenft is the upstream govm NFT example, written against package core: every
// token is an object of its own, owned by its holder; the default object counts the tokens.
package corenft

import "github.com/govm-net/vm/core"

// Mint creates a token for to with a URI and returns its ID. Only the account that minted
// the first token (the collection's creator) may mint more.
func Mint(to core.Address, uri string) core.ObjectID {
	core.Assert(to != core.ZeroAddress, "cannot mint to the zero address")
	core.Assert(uri != "", "a token needs a URI")
	collection, err := core.GetObject(core.ZeroObjectID)
	core.Assert(err)
	var creator core.Address
	if collection.Get("creator", &creator) != nil {
		creator = core.Sender()
		core.Assert(collection.Set("creator", creator))
	}
	core.Assert(core.Sender() == creator, "only the creator can mint")
	var minted uint64
	_ = collection.Get("minted", &minted)
	minted++
	core.Assert(collection.Set("minted", minted))

	token := core.CreateObject()
	core.Assert(token.Set("uri", uri))
	core.Assert(token.Set("serial", minted))
	token.SetOwner(to)
	core.Log("Mint", "id", token.ID(), "to", to, "serial", minted)
	return token.ID()
}

// OwnerOf returns a token's holder.
func OwnerOf(id core.ObjectID) core.Address {
	core.Assert(id != core.ZeroObjectID, "not a token")
	token, err := core.GetObject(id)
	core.Assert(err, "no such token")
	return token.Owner()
}

// TokenURI returns a token's URI.
func TokenURI(id core.ObjectID) string {
	core.Assert(id != core.ZeroObjectID, "not a token")
	token, err := core.GetObject(id)
	core.Assert(err, "no such token")
	var uri string
	core.Assert(token.Get("uri", &uri))
	return uri
}

// Transfer gives a token to another holder; only its holder may.
func Transfer(id core.ObjectID, to core.Address) {
	core.Assert(id != core.ZeroObjectID, "not a token")
	core.Assert(to != core.ZeroAddress, "cannot transfer to the zero address")
	token, err := core.GetObject(id)
	core.Assert(err, "no such token")
	from := token.Owner()
	core.Assert(core.Sender() == from, "only the holder can transfer a token")
	token.SetOwner(to)
	core.Log("Transfer", "id", id, "from", from, "to", to)
}

// FirstTokenOf returns the earliest minted token an address holds.
func FirstTokenOf(holder core.Address) core.ObjectID {
	token, err := core.GetObjectWithOwner(holder)
	core.Assert(err, "the address holds no token")
	return token.ID()
}

// Burn destroys a token; only its holder may.
func Burn(id core.ObjectID) {
	core.Assert(id != core.ZeroObjectID, "not a token")
	token, err := core.GetObject(id)
	core.Assert(err, "no such token")
	core.Assert(core.Sender() == token.Owner(), "only the holder can burn a token")
	core.DeleteObject(id)
	core.Log("Burn", "id", id)
}
