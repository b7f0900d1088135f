package checkpoint

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type meta struct {
	SDE  string `json:"sde"`
	Step int    `json:"step"`
}

func TestSaveLoadRoundTripAndPrune(t *testing.T) {
	root := t.TempDir()
	for step := int64(1); step <= 5; step++ {
		files := map[string][]byte{"model.safetensors": bytes.Repeat([]byte{byte(step)}, 100), "opt.bin": []byte("x")}
		if _, err := Save(root, step*10, files, meta{"cld", int(step)}, 2); err != nil {
			t.Fatal(err)
		}
	}
	c, skipped, err := Latest(root)
	if err != nil || len(skipped) != 0 {
		t.Fatalf("Latest: %v (skipped %v)", err, skipped)
	}
	if c.Manifest.Step != 50 || c.Files["model.safetensors"][0] != 5 {
		t.Fatalf("latest is step %d with first byte %d", c.Manifest.Step, c.Files["model.safetensors"][0])
	}
	var m meta
	if err := c.Meta(&m); err != nil || m.SDE != "cld" || m.Step != 5 {
		t.Fatalf("meta %+v, %v", m, err)
	}
	got, _ := steps(root)
	if len(got) != 2 || got[0] != 50 || got[1] != 40 {
		t.Fatalf("after pruning to 2: steps %v", got)
	}
}

func TestCorruptedOrTruncatedCheckpointIsRefused(t *testing.T) {
	root := t.TempDir()
	Save(root, 1, map[string][]byte{"w": []byte("first checkpoint")}, nil, 0)
	dir, _ := Save(root, 2, map[string][]byte{"w": []byte("second checkpoint")}, nil, 0)
	path := filepath.Join(dir, "w")

	// Flip one byte: same size, wrong hash.
	os.WriteFile(path, []byte("second checkpoinT"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "SHA-256") {
		t.Fatalf("corrupted file: %v", err)
	}
	// Truncate.
	os.WriteFile(path, []byte("second"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated file: %v", err)
	}
	// Latest falls back to the previous valid checkpoint and says why.
	c, skipped, err := Latest(root)
	if err != nil || c.Manifest.Step != 1 || len(skipped) != 1 {
		t.Fatalf("fallback: step %v, skipped %v, err %v", c, skipped, err)
	}
	// Garbage manifest.
	os.WriteFile(filepath.Join(dir, ManifestName), []byte("{not json"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "corrupted") {
		t.Fatalf("bad manifest: %v", err)
	}
	// A manifest claiming an absurd size is refused before any allocation.
	os.WriteFile(filepath.Join(dir, ManifestName), []byte(`{"format":1,"step":2,"files":{"w":{"size":999999999999999,"sha256":"00"}}}`), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "invalid size") {
		t.Fatalf("absurd size: %v", err)
	}
}

func TestEmptyRootHasNoCheckpoint(t *testing.T) {
	_, _, err := Latest(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("want ErrNotExist, got %v", err)
	}
}

func TestInterruptedSaveLeavesPreviousCheckpointIntact(t *testing.T) {
	root := t.TempDir()
	Save(root, 1, map[string][]byte{"w": []byte("one")}, nil, 0)
	// Simulate a crash mid-save: a temporary directory with a partial file.
	tmp, _ := os.MkdirTemp(root, ".tmp-"+dirName(2)+"-")
	os.WriteFile(filepath.Join(tmp, "w"), []byte("tw"), 0o644)
	c, skipped, err := Latest(root)
	if err != nil || len(skipped) != 0 || c.Manifest.Step != 1 {
		t.Fatalf("after interrupted save: %v %v %v", c, skipped, err)
	}
	// The next save cleans the leftover.
	Save(root, 3, map[string][]byte{"w": []byte("three")}, nil, 5)
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("leftover temp dir not cleaned: %v", err)
	}
}

func TestInvalidFileNamesAreRejected(t *testing.T) {
	for _, name := range []string{"", "../x", ".hidden", ManifestName, "a/b"} {
		if _, err := Save(t.TempDir(), 1, map[string][]byte{name: nil}, nil, 0); err == nil {
			t.Errorf("file name %q accepted", name)
		}
	}
}
