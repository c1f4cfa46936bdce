package bad

import (
	"errors"
	"os"
)

// Home leaks the host environment.
func Home() (string, error) {
	if h := os.Getenv("HOME"); h != "" {
		return h, nil
	}
	return "", errors.New("no home")
}
