package bad

import "errors"

// Safe swallows panics, so a failed call would commit half its writes.
func Safe() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("recovered")
		}
	}()
	panic("boom")
}
