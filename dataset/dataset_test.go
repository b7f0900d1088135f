package dataset

import (
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"phasespace/imagedata"
	"phasespace/rng"
	"phasespace/toy"
)

func TestToyBatchIsKeyedByStep(t *testing.T) {
	src, err := Open("8gaussians", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if src.Dim() != 2 {
		t.Fatalf("Dim = %d, want 2", src.Dim())
	}
	dst := make([]float64, 10)
	if err := src.Batch(dst, 5, 3, 7); err != nil {
		t.Fatal(err)
	}
	want, _ := toy.Sample("8gaussians", 5, rng.Key(3, rng.PurposeTrainBatch, 7))
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("value %d = %v, want %v", i, dst[i], want[i])
		}
	}
}

// TestImageEpochs checks that every epoch serves every image exactly once
// and that each served value dequantises back to its pixel.
func TestImageEpochs(t *testing.T) {
	const N, side = 6, 2
	ds := &imagedata.Dataset{Name: "tiny", N: N, H: side, W: side, Pixels: make([]byte, N*side*side)}
	for i := 0; i < N; i++ {
		for j := 0; j < side*side; j++ {
			ds.Pixels[i*side*side+j] = byte(40*i + j) // image i is identified by its first pixel
		}
	}
	src := NewImages(ds)
	const n = 4 // 3 steps of 4 rows = 2 epochs of 6 images
	seen := map[int]int{}
	dst := make([]float64, n*side*side)
	for step := int64(0); step < 3; step++ {
		if err := src.Batch(dst, n, 9, step); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			pix := func(j int) int { return int(math.Floor((dst[i*side*side+j] + 1) / 2 * 256)) }
			img := pix(0) / 40
			for j := 0; j < side*side; j++ {
				if y := dst[i*side*side+j]; y < -1 || y >= 1 || pix(j) != 40*img+j {
					t.Fatalf("step %d row %d pixel %d: value %v does not dequantise to pixel %d of image %d", step, i, j, y, 40*img+j, img)
				}
			}
			g := int(step)*n + i
			seen[g/N*100+img]++
		}
	}
	for e := 0; e < 2; e++ {
		for img := 0; img < N; img++ {
			if seen[e*100+img] != 1 {
				t.Errorf("epoch %d served image %d %d times, want once", e, img, seen[e*100+img])
			}
		}
	}
}

func TestOpenErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"nosuchset", Options{}, `dataset: "nosuchset"`},
		{"8gaussians", Options{Subset: -1}, "subset -1"},
		{"/nonexistent/dir", Options{}, "dataset: /nonexistent/dir"},
	} {
		_, err := Open(c.name, c.o)
		if err == nil || !strings.HasPrefix(err.Error(), "dataset: ") || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "--") {
			t.Errorf("Open(%q, %+v) = %v, want an error containing %q and no flag", c.name, c.o, err, c.want)
		}
	}
	if _, err := LoadSplit("mnist", "validation", Options{}); err == nil || !strings.Contains(err.Error(), "valid are train, test") {
		t.Errorf("LoadSplit validation: %v", err)
	}
}

func TestIsImage(t *testing.T) {
	for name, want := range map[string]bool{"mnist": true, "fashion-mnist": true, "./data": true, "8gaussians": false, "checkerboard": false} {
		if IsImage(name) != want {
			t.Errorf("IsImage(%q) = %v, want %v", name, !want, want)
		}
	}
}

// TestOpenImageFolder: a folder of RGB PNGs is an image set served as
// C·H·W planes; its test split is the folder itself; a bare folder name
// is an image set unless a toy set has that name; ExportFolder writes the
// images back exactly.
func TestOpenImageFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pics")
	ds := &imagedata.Dataset{Name: "pics", N: 5, C: 3, H: 4, W: 4, Pixels: make([]byte, 5*48)}
	for i := range ds.Pixels {
		ds.Pixels[i] = byte(5 * i)
	}
	if err := imagedata.WriteFolder(ds, dir); err != nil {
		t.Fatal(err)
	}
	src, err := Open(dir, Options{Subset: 4})
	if err != nil {
		t.Fatal(err)
	}
	im := src.(*Images)
	if c, h, w := im.ImageShape(); c != 3 || h != 4 || w != 4 || src.Dim() != 48 || im.Data().N != 4 {
		t.Fatalf("shape %d×%d×%d, Dim %d, N %d; want 3×4×4, 48, 4", c, h, w, src.Dim(), im.Data().N)
	}
	x := make([]float64, 2*48)
	if err := src.Batch(x, 2, 1, 0); err != nil {
		t.Fatal(err)
	}
	for _, v := range x {
		if v < -1 || v >= 1 {
			t.Fatalf("served value %v outside [-1, 1)", v)
		}
	}
	train, test, err := LoadSplits(dir, Options{ImageSize: 2})
	if err != nil || train != test || train.H != 2 || train.Channels() != 3 {
		t.Fatalf("LoadSplits of a folder: %+v, %v; want one 3-channel 2×2 set for both", train, err)
	}
	t.Chdir(filepath.Dir(dir))
	if !IsImage("pics") || IsImage("moons") || IsImage("nosuchdir") {
		t.Errorf("IsImage: pics %v, moons %v, nosuchdir %v; want true, false, false", IsImage("pics"), IsImage("moons"), IsImage("nosuchdir"))
	}
	out := filepath.Join(t.TempDir(), "copy")
	if n, err := ExportFolder(dir, out, Options{}); err != nil || n != 5 {
		t.Fatalf("ExportFolder: %d images, %v", n, err)
	}
	back, err := imagedata.LoadFolder(out, 0)
	if err != nil || !slices.Equal(back.Pixels, ds.Pixels) {
		t.Errorf("exported folder reads back differently (%v)", err)
	}
	if _, err := LoadSplit(dir, "train", Options{ImageSize: -1}); err == nil || !strings.Contains(err.Error(), "image size -1") {
		t.Errorf("image size -1: %v", err)
	}
}
