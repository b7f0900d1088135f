package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The shipped images/ folder is exactly the command's default output.
func TestShippedFolderIsTheDefaultOutput(t *testing.T) {
	files, err := images(40, 1)
	if err != nil {
		t.Fatal(err)
	}
	shipped, _ := filepath.Glob(filepath.Join("images", "*", "*"))
	if len(shipped) != len(files) {
		t.Fatalf("images/ holds %d files, the command writes %d: regenerate it", len(shipped), len(files))
	}
	for name, b := range files {
		got, err := os.ReadFile(filepath.Join("images", name))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("images/%s differs from `go run ./examples/shapes` (%v): regenerate it", name, err)
		}
	}
}
