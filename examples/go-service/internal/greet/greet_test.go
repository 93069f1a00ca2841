package greet

import (
	"errors"
	"strings"
	"testing"
)

func TestMessage(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{name: "empty", in: "", want: "Hello, world!"},
		{name: "whitespace only", in: "  \t ", want: "Hello, world!"},
		{name: "simple", in: "Ada", want: "Hello, Ada!"},
		{name: "trimmed", in: "  Grace ", want: "Hello, Grace!"},
		{name: "unicode", in: "Zoë", want: "Hello, Zoë!"},
		{name: "max length", in: strings.Repeat("é", MaxNameLen), want: "Hello, " + strings.Repeat("é", MaxNameLen) + "!"},
		{name: "too long", in: strings.Repeat("x", MaxNameLen+1), wantErr: ErrNameTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Message(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Message(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Message(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
