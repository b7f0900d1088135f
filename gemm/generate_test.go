package gemm

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// thin_amd64.s is what go run ./internal/genthin writes: no hand edits.
func TestThinKernelsAreGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips running the generator")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to run the generator with")
	}
	want, err := exec.Command(gobin, "run", "./internal/genthin").Output()
	if err != nil {
		t.Fatalf("go run ./internal/genthin: %v", err)
	}
	got, err := os.ReadFile("thin_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("thin_amd64.s differs from the output of go run ./internal/genthin: run go generate ./gemm")
	}
}
