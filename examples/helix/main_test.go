package main

import (
	"bytes"
	"os"
	"testing"
)

// The shipped helix.csv is exactly the command's default output.
func TestShippedFileIsTheDefaultOutput(t *testing.T) {
	var b bytes.Buffer
	if err := write(&b, 2000, 1); err != nil {
		t.Fatal(err)
	}
	shipped, err := os.ReadFile("helix.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), shipped) {
		t.Errorf("helix.csv (%d bytes) differs from `go run ./examples/helix` (%d bytes): regenerate it", len(shipped), b.Len())
	}
}
