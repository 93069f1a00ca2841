// Package greet builds greeting messages.
package greet

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// MaxNameLen is the maximum accepted name length, in runes.
const MaxNameLen = 64

// ErrNameTooLong is returned when a name exceeds MaxNameLen runes.
var ErrNameTooLong = errors.New("greet: name too long")

// Message returns a greeting for name. Surrounding whitespace is trimmed
// and an empty name greets "world".
func Message(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = "world"
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return "", ErrNameTooLong
	}
	return "Hello, " + name + "!", nil
}
