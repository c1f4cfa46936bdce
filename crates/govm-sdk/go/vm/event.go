package vm

// Log is Context.Log for every build, natively and on wasm, so that an event's bytes
// (docs/abi.md, "Events") and Log's panics cannot differ between the two. callContext is
// each build's Context type (host_wasip1.go, host_native.go), which supplies the steps that
// differ: eventValue (the value to encode: natively, a stand-in with the methods govm
// generates for a contract's structs; on wasm, the value itself), emitEvent (hands the
// encoding to the host) and eventError (what the host answered, as an error). They are
// direct calls that inline, so on wasm this is the code, and the gas, of a Log written in
// host_wasip1.go.
func (c callContext) Log(event string, keyValues ...any) {
	if len(keyValues)%2 != 0 {
		panic("vm: Log(" + quote(event) + "): key/value arguments must come in pairs")
	}
	var e Encoder
	e.Str(event)
	e.Compact(uint64(len(keyValues) / 2))
	for i := 0; i < len(keyValues); i += 2 {
		key, ok := keyValues[i].(string)
		if !ok {
			panic("vm: Log(" + quote(event) + "): keys must be strings")
		}
		e.Str(key)
		if !encodeTagged(&e, c.eventValue(keyValues[i+1])) {
			panic("vm: Log(" + quote(event) + "): value of " + quote(key) + " has an unsupported type")
		}
	}
	if err := c.eventError(c.emitEvent(e.Bytes())); err != nil {
		panic("vm: Log(" + quote(event) + "): " + err.Error())
	}
}
