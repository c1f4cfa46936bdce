//go:build !wasip1

package vmtest

// The object model of crates/govm-state, in memory: the same keys (docs/abi.md, "State
// layout"), the same derivations, the same limits and the same checks in the same order, so
// that IDs, owners and failures come out as they do on chain.

import (
	"crypto/sha256"
	"encoding/binary"
	"maps"
	"sort"
	"strings"

	"github.com/govm-net/vm"
)

// Key prefixes.
const (
	keyContract    = 'c'
	keyDeployNonce = 'n'
	keyObject      = 'o'
	keyField       = 'f'
	keyOwnerIndex  = 'i'
	keyBalance     = 'b'
)

// objectSeqKey holds the next object sequence number.
const objectSeqKey = "s"

// The default limits of govm-state (Limits::default).
const (
	maxFieldName    = 128
	maxValueSize    = 64 * 1024
	maxObjectsPerTx = 1024
	maxWritesPerTx  = 16 * 1024
	maxEventsPerTx  = 1024
	// The decoded size of the events one call keeps, its nested calls included
	// (govm-runtime's MAX_CALL_EVENTS_SIZE; docs/abi.md §1 defines the size).
	maxCallEventsSize = 16 << 20
	maxCallDepth      = 8
	defaultBlockTime  = 1_700_000_000
)

func key(prefix byte, parts ...[]byte) string {
	var b strings.Builder
	b.WriteByte(prefix)
	for _, p := range parts {
		b.Write(p)
	}
	return b.String()
}

func be64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func ownerIndexKey(contract, owner vm.Address, seq uint64) string {
	return key(keyOwnerIndex, contract[:], owner[:], be64(seq))
}

func sha(parts ...[]byte) [32]byte {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// ContractAddress is the address the engine gives the nonce-th deployment of deployer of
// code with codeHash: the first 20 bytes of
// sha256("govm/contract" ‖ deployer ‖ nonce (u64 BE) ‖ codeHash).
func ContractAddress(deployer vm.Address, nonce uint64, codeHash vm.Hash) vm.Address {
	h := sha([]byte("govm/contract"), deployer[:], be64(nonce), codeHash[:])
	var a vm.Address
	copy(a[:], h[:20])
	return a
}

// ObjectID is the ID of the seq-th object ever created (counted across all contracts, default
// objects included): sha256("govm/object" ‖ contract ‖ seq (u64 BE)).
func ObjectID(contract vm.Address, seq uint64) vm.ObjectID {
	return vm.ObjectID(sha([]byte("govm/object"), contract[:], be64(seq)))
}

// DefaultObject is the ID of a contract's default object, the one ctx.GetObject(vm.ObjectID{})
// returns: sha256("govm/default-object" ‖ contract).
func DefaultObject(contract vm.Address) vm.ObjectID {
	return vm.ObjectID(sha([]byte("govm/default-object"), contract[:]))
}

// CodeHash is the engine's code hash of a contract's source: its sha256.
func CodeHash(source []byte) vm.Hash { return vm.Hash(sha(source)) }

// Account is a test account's address: the first 20 bytes of
// sha256("govm/test-account" ‖ name). Parity scenarios name accounts the same way.
func Account(name string) vm.Address {
	h := sha([]byte("govm/test-account"), []byte(name))
	var a vm.Address
	copy(a[:], h[:20])
	return a
}

// rawEvent is an event as stored: its contract and the SDK's encoding of its name and fields.
type rawEvent struct {
	contract vm.Address
	data     []byte
	// held is the decoded size of the transaction's events up to this one, this one included.
	held uint64
}

// store is the committed state.
type store struct {
	data   map[string][]byte
	events []rawEvent
}

func newStore() *store { return &store{data: map[string][]byte{}} }

// write is a pending write; deleted is a delete.
type write struct {
	value   []byte
	deleted bool
}

// txn is a transaction: an overlay of writes and events over the store.
type txn struct {
	base           *store
	writes         map[string]write
	events         []rawEvent
	objectsCreated int
}

func (s *store) begin() *txn { return &txn{base: s, writes: map[string]write{}} }

// commit applies a transaction.
func (s *store) commit(tx *txn) {
	for k, w := range tx.writes {
		if w.deleted {
			delete(s.data, k)
		} else {
			s.data[k] = w.value
		}
	}
	s.events = append(s.events, tx.events...)
}

// savepoint is what a nested call rolls back to.
type savepoint struct {
	writes         map[string]write
	events         int
	objectsCreated int
}

func (tx *txn) savepoint() savepoint {
	return savepoint{maps.Clone(tx.writes), len(tx.events), tx.objectsCreated}
}

func (tx *txn) rollback(sp savepoint) {
	tx.writes = sp.writes
	tx.events = tx.events[:sp.events]
	tx.objectsCreated = sp.objectsCreated
}

func (tx *txn) get(k string) ([]byte, bool) {
	if w, ok := tx.writes[k]; ok {
		return w.value, !w.deleted
	}
	v, ok := tx.base.data[k]
	return v, ok
}

// scan returns the keys with a prefix, in order.
func (tx *txn) scan(prefix string) []string {
	seen := map[string]bool{}
	for k := range tx.base.data {
		if strings.HasPrefix(k, prefix) {
			seen[k] = true
		}
	}
	for k, w := range tx.writes {
		if strings.HasPrefix(k, prefix) {
			seen[k] = !w.deleted
		}
	}
	var out []string
	for k, live := range seen {
		if live {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// reserve fails, before anything is written, when keys would take the transaction past its
// write limit: operations that write several keys are all or nothing.
func (tx *txn) reserve(keys ...string) error {
	n := len(tx.writes)
	for _, k := range keys {
		if _, ok := tx.writes[k]; !ok {
			n++
		}
	}
	if n > maxWritesPerTx {
		return vm.ErrLimitExceeded
	}
	return nil
}

func (tx *txn) put(k string, v []byte, deleted bool) error {
	if _, ok := tx.writes[k]; !ok && len(tx.writes) >= maxWritesPerTx {
		return vm.ErrLimitExceeded
	}
	tx.writes[k] = write{v, deleted}
	return nil
}

func (tx *txn) readCounter(k string) uint64 {
	if v, ok := tx.get(k); ok && len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// counter returns a counter's value and increments it.
func (tx *txn) counter(k string) (uint64, error) {
	n := tx.readCounter(k)
	return n, tx.put(k, be64(n+1), false)
}

// ---- balances ----

func (tx *txn) balance(a vm.Address) uint64 { return tx.readCounter(key(keyBalance, a[:])) }

func (tx *txn) setBalance(a vm.Address, amount uint64) error {
	if amount == 0 {
		return tx.put(key(keyBalance, a[:]), nil, true)
	}
	return tx.put(key(keyBalance, a[:]), be64(amount), false)
}

func (tx *txn) credited(to vm.Address, amount uint64) (uint64, error) {
	b := tx.balance(to)
	if b+amount < b {
		return 0, vm.ErrLimitExceeded
	}
	return b + amount, nil
}

func (tx *txn) transfer(from, to vm.Address, amount uint64) error {
	balance := tx.balance(from)
	if balance < amount {
		return vm.ErrInsufficientBalance
	}
	if from == to || amount == 0 {
		return nil
	}
	received, err := tx.credited(to, amount)
	if err != nil {
		return err
	}
	if err := tx.reserve(key(keyBalance, from[:]), key(keyBalance, to[:])); err != nil {
		return err
	}
	if err := tx.setBalance(from, balance-amount); err != nil {
		return err
	}
	return tx.setBalance(to, received)
}

func (tx *txn) mint(to vm.Address, amount uint64) error {
	total, err := tx.credited(to, amount)
	if err != nil {
		return err
	}
	return tx.setBalance(to, total)
}

// ---- contracts ----

func (tx *txn) hasContract(a vm.Address) bool {
	_, ok := tx.get(key(keyContract, a[:]))
	return ok
}

// deploy registers a contract at its derived address and creates its default object.
func (tx *txn) deploy(deployer vm.Address, codeHash vm.Hash, height uint64) (vm.Address, error) {
	nonce, err := tx.counter(key(keyDeployNonce, deployer[:]))
	if err != nil {
		return vm.Address{}, err
	}
	addr := ContractAddress(deployer, nonce, codeHash)
	k := key(keyContract, addr[:])
	if _, ok := tx.get(k); ok {
		return vm.Address{}, vm.ErrInvalidInput
	}
	record := append(append(append([]byte{}, codeHash[:]...), deployer[:]...), be64(height)...)
	if err := tx.put(k, record, false); err != nil {
		return vm.Address{}, err
	}
	return addr, tx.insertObject(DefaultObject(addr), addr, addr)
}

// ---- objects ----

// meta is an object's record.
type meta struct {
	owner, contract vm.Address
	seq             uint64
}

func (m meta) encode() []byte {
	return append(append(append([]byte{}, m.owner[:]...), m.contract[:]...), be64(m.seq)...)
}

func (tx *txn) object(id vm.ObjectID) (meta, bool) {
	v, ok := tx.get(key(keyObject, id[:]))
	if !ok || len(v) != 48 {
		return meta{}, false
	}
	var m meta
	copy(m.owner[:], v[:20])
	copy(m.contract[:], v[20:40])
	m.seq = binary.BigEndian.Uint64(v[40:])
	return m, true
}

func (tx *txn) insertObject(id vm.ObjectID, contract, owner vm.Address) error {
	next := tx.readCounter(objectSeqKey)
	if err := tx.reserve(objectSeqKey, key(keyObject, id[:]), ownerIndexKey(contract, owner, next)); err != nil {
		return err
	}
	seq, err := tx.counter(objectSeqKey)
	if err != nil {
		return err
	}
	m := meta{owner: owner, contract: contract, seq: seq}
	if err := tx.put(key(keyObject, id[:]), m.encode(), false); err != nil {
		return err
	}
	return tx.put(ownerIndexKey(contract, owner, seq), id[:], false)
}

func (tx *txn) createObject(contract, owner vm.Address) (vm.ObjectID, error) {
	if tx.objectsCreated >= maxObjectsPerTx {
		return vm.ObjectID{}, vm.ErrLimitExceeded
	}
	id := ObjectID(contract, tx.readCounter(objectSeqKey))
	if err := tx.insertObject(id, contract, owner); err != nil {
		return vm.ObjectID{}, err
	}
	tx.objectsCreated++
	return id, nil
}

// writable checks that caller created the object.
func (tx *txn) writable(caller vm.Address, id vm.ObjectID) (meta, error) {
	m, ok := tx.object(id)
	if !ok {
		return meta{}, vm.ErrNotFound
	}
	if m.contract != caller {
		return meta{}, vm.ErrPermissionDenied
	}
	return m, nil
}

func (tx *txn) setOwner(caller vm.Address, id vm.ObjectID, owner vm.Address) error {
	m, err := tx.writable(caller, id)
	if err != nil {
		return err
	}
	old := ownerIndexKey(m.contract, m.owner, m.seq)
	if err := tx.reserve(old, key(keyObject, id[:]), ownerIndexKey(m.contract, owner, m.seq)); err != nil {
		return err
	}
	if err := tx.put(old, nil, true); err != nil {
		return err
	}
	m.owner = owner
	if err := tx.put(key(keyObject, id[:]), m.encode(), false); err != nil {
		return err
	}
	return tx.put(ownerIndexKey(m.contract, owner, m.seq), id[:], false)
}

func (tx *txn) deleteObject(caller vm.Address, id vm.ObjectID) error {
	m, err := tx.writable(caller, id)
	if err != nil {
		return err
	}
	fields := tx.scan(key(keyField, id[:]))
	index := ownerIndexKey(m.contract, m.owner, m.seq)
	object := key(keyObject, id[:])
	if err := tx.reserve(append(append([]string{}, fields...), index, object)...); err != nil {
		return err
	}
	for _, k := range fields {
		if err := tx.put(k, nil, true); err != nil {
			return err
		}
	}
	if err := tx.put(index, nil, true); err != nil {
		return err
	}
	return tx.put(object, nil, true)
}

// objectsOf lists a contract's objects, oldest first.
func (tx *txn) objectsOf(contract vm.Address) []vm.ObjectID {
	type entry struct {
		id  vm.ObjectID
		seq uint64
	}
	var found []entry
	for _, k := range tx.scan(key(keyOwnerIndex, contract[:])) {
		v, _ := tx.get(k)
		id := vm.ObjectID(v)
		if m, ok := tx.object(id); ok {
			found = append(found, entry{id, m.seq})
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].seq < found[j].seq })
	out := make([]vm.ObjectID, len(found))
	for i, e := range found {
		out[i] = e.id
	}
	return out
}

// objectWithOwner is the earliest created object of contract owned by owner.
func (tx *txn) objectWithOwner(contract, owner vm.Address) (vm.ObjectID, bool) {
	keys := tx.scan(key(keyOwnerIndex, contract[:], owner[:]))
	if len(keys) == 0 {
		return vm.ObjectID{}, false
	}
	v, _ := tx.get(keys[0])
	return vm.ObjectID(v), true
}

// ---- fields ----

func checkFieldName(name string) error {
	if name == "" {
		return vm.ErrInvalidInput
	}
	if len(name) > maxFieldName {
		return vm.ErrLimitExceeded
	}
	return nil
}

func (tx *txn) field(id vm.ObjectID, name string) ([]byte, error) {
	if _, ok := tx.object(id); !ok {
		return nil, vm.ErrNotFound
	}
	v, ok := tx.get(key(keyField, id[:], []byte(name)))
	if !ok {
		return nil, vm.ErrNotFound
	}
	return v, nil
}

// fields lists an object's fields in name order.
func (tx *txn) fields(id vm.ObjectID) []string {
	prefix := key(keyField, id[:])
	keys := tx.scan(prefix)
	for i, k := range keys {
		keys[i] = k[len(prefix):]
	}
	return keys
}

func (tx *txn) setField(caller vm.Address, id vm.ObjectID, name string, value []byte) error {
	if err := checkFieldName(name); err != nil {
		return err
	}
	if len(value) > maxValueSize {
		return vm.ErrLimitExceeded
	}
	if _, err := tx.writable(caller, id); err != nil {
		return err
	}
	return tx.put(key(keyField, id[:], []byte(name)), append([]byte{}, value...), false)
}

func (tx *txn) deleteField(caller vm.Address, id vm.ObjectID, name string) error {
	if err := checkFieldName(name); err != nil {
		return err
	}
	if _, err := tx.writable(caller, id); err != nil {
		return err
	}
	return tx.put(key(keyField, id[:], []byte(name)), nil, true)
}

// ---- events ----

// emit keeps e, whose decoded size is size, unless the transaction's events would pass the
// store's count or the decoded size a call may keep.
func (tx *txn) emit(e rawEvent, size uint64) error {
	if len(tx.events) >= maxEventsPerTx {
		return vm.ErrLimitExceeded
	}
	var held uint64
	if n := len(tx.events); n > 0 {
		held = tx.events[n-1].held
	}
	if held+size > maxCallEventsSize {
		return vm.ErrLimitExceeded
	}
	e.held = held + size
	tx.events = append(tx.events, e)
	return nil
}
