package imagedata

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rgbImage returns a w×h image whose pixel (x, y) is (seed+x, seed+y,
// seed+x+y): every image of these tests differs in each channel.
func rgbImage(w, h int, seed byte) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			m.SetNRGBA(x, y, color.NRGBA{seed + byte(x), seed + byte(y), seed + byte(x+y), 255})
		}
	}
	return m
}

func grayImage(w, h int, seed byte) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = seed + byte(3*i)
	}
	return m
}

func writePNG(t *testing.T, path string, m image.Image) {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadFolderReadsPixelsExactly: RGB PNGs come back as three planes,
// pixel for pixel; a grayscale PNG in the same folder becomes three equal
// planes; hidden files are skipped; files are read in sorted order.
func TestLoadFolderReadsPixelsExactly(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "b.png"), rgbImage(6, 6, 40))
	writePNG(t, filepath.Join(dir, "a.PNG"), rgbImage(6, 6, 10))
	writePNG(t, filepath.Join(dir, "c.png"), grayImage(6, 6, 7))
	os.WriteFile(filepath.Join(dir, ".DS_Store"), []byte("not an image"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".git"), 0o755)
	ds, err := LoadFolder(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 3 || ds.C != 3 || ds.H != 6 || ds.W != 6 || ds.Labels != nil || len(ds.Pixels) != 3*3*36 {
		t.Fatalf("got N=%d C=%d %d×%d labels %v, %d pixels; want 3 RGB 6×6 images without labels", ds.N, ds.C, ds.W, ds.H, ds.Labels, len(ds.Pixels))
	}
	for i, seed := range []byte{10, 40} { // a.PNG, b.png
		im := ds.Image(i)
		for y := 0; y < 6; y++ {
			for x := 0; x < 6; x++ {
				j := y*6 + x
				if got, want := [3]byte{im[j], im[36+j], im[72+j]}, [3]byte{seed + byte(x), seed + byte(y), seed + byte(x+y)}; got != want {
					t.Fatalf("image %d pixel (%d,%d) = %v, want %v", i, x, y, got, want)
				}
			}
		}
	}
	g, want := ds.Image(2), grayImage(6, 6, 7).Pix
	for c := 0; c < 3; c++ {
		if !bytes.Equal(g[c*36:(c+1)*36], want) {
			t.Errorf("grayscale image, channel %d = %v, want %v", c, g[c*36:(c+1)*36], want)
		}
	}
}

// TestLoadFolderGrayscaleAndClasses: a folder of grayscale images (PNG
// and an RGB-encoded PNG with R = G = B) is one channel; class subfolders
// give labels in sorted name order; a JPEG is read.
func TestLoadFolderGrayscaleAndClasses(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "shirt", "1.png"), grayImage(8, 8, 1))
	grayRGB := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < 64; i++ {
		v := byte(5 * i)
		grayRGB.Pix[4*i], grayRGB.Pix[4*i+1], grayRGB.Pix[4*i+2], grayRGB.Pix[4*i+3] = v, v, v, 255
	}
	writePNG(t, filepath.Join(dir, "bag", "x.png"), grayRGB)
	var b bytes.Buffer
	if err := jpeg.Encode(&b, grayImage(8, 8, 100), &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "shirt", "2.jpg"), b.Bytes(), 0o644)
	ds, err := LoadFolder(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 3 || ds.Channels() != 1 || !slices.Equal(ds.Labels, []byte{0, 1, 1}) || !slices.Equal(ds.Classes, []string{"bag", "shirt"}) {
		t.Fatalf("got N=%d C=%d labels %v classes %v; want 3 grayscale images, labels [0 1 1], classes [bag shirt]", ds.N, ds.Channels(), ds.Labels, ds.Classes)
	}
	if ds.Image(0)[63] != byte(5*63%256) || !bytes.Equal(ds.Image(1), grayImage(8, 8, 1).Pix) {
		t.Error("grayscale pixels not read exactly")
	}
	jp, want := ds.Image(2), grayImage(8, 8, 100).Pix
	for i := range jp {
		if d := int(jp[i]) - int(want[i]); d < -8 || d > 8 {
			t.Fatalf("JPEG pixel %d = %d, want %d ± 8 (quality 100)", i, jp[i], want[i])
		}
	}
}

// TestLoadFolderResizesAfterACentreCrop: a 12×8 image whose central 8×8
// square is one colour and whose side strips are another comes back, at
// size 4, in the central colour only (the crop removed the strips; the
// filter reproduces a constant); a 3×3 image is enlarged.
func TestLoadFolderResizesAfterACentreCrop(t *testing.T) {
	dir := t.TempDir()
	m := image.NewNRGBA(image.Rect(0, 0, 12, 8))
	for y := 0; y < 8; y++ {
		for x := 0; x < 12; x++ {
			c := color.NRGBA{200, 30, 90, 255}
			if x < 2 || x >= 10 {
				c = color.NRGBA{0, 255, 0, 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	writePNG(t, filepath.Join(dir, "wide.png"), m)
	small := image.NewNRGBA(image.Rect(0, 0, 3, 3))
	for i := 0; i < 9; i++ {
		copy(small.Pix[4*i:], []byte{200, 30, 90, 255})
	}
	writePNG(t, filepath.Join(dir, "small.png"), small)
	ds, err := LoadFolder(dir, 4)
	if err != nil {
		t.Fatal(err)
	}
	if ds.N != 2 || ds.C != 3 || ds.H != 4 || ds.W != 4 {
		t.Fatalf("got N=%d C=%d %d×%d, want 2 RGB 4×4", ds.N, ds.C, ds.W, ds.H)
	}
	for i, p := range ds.Pixels {
		want := []byte{200, 30, 90}[i/16%3]
		if d := int(p) - int(want); d < -1 || d > 1 {
			t.Fatalf("pixel value %d (image %d, channel %d) = %d, want %d ± 1", i, i/48, i/16%3, p, want)
		}
	}
}

// TestLoadFolderErrors: each bad folder gives one error naming the file or
// folder and what is valid; a broken file is an *fs.PathError.
func TestLoadFolderErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		make  func(dir string)
		size  int
		want  []string
		isFS  bool
		named string // file the message must name
	}{
		{"empty folder", func(string) {}, 0, []string{"holds no images and no IDX files", ".png, .jpg or .jpeg"}, false, ""},
		{"non-image file", func(d string) {
			writePNG(t, filepath.Join(d, "a.png"), grayImage(4, 4, 0))
			os.WriteFile(filepath.Join(d, "notes.txt"), []byte("hi"), 0o644)
		}, 0, []string{"is not an image file", ".png, .jpg or .jpeg"}, false, "notes.txt"},
		{"truncated PNG", func(d string) {
			var b bytes.Buffer
			png.Encode(&b, rgbImage(16, 16, 0))
			os.WriteFile(filepath.Join(d, "cut.png"), b.Bytes()[:b.Len()/2], 0o644)
		}, 0, []string{"not a complete PNG or JPEG image"}, true, "cut.png"},
		{"mixed sizes", func(d string) {
			writePNG(t, filepath.Join(d, "a.png"), grayImage(4, 4, 0))
			writePNG(t, filepath.Join(d, "b.png"), grayImage(6, 6, 0))
		}, 0, []string{"6×6", "a.png 4×4", "must share one size", "give an image size"}, false, "b.png"},
		{"not square", func(d string) { writePNG(t, filepath.Join(d, "a.png"), grayImage(6, 4, 0)) }, 0,
			[]string{"6×4, not square", "give an image size"}, false, ""},
		{"images and subfolders", func(d string) {
			writePNG(t, filepath.Join(d, "a.png"), grayImage(4, 4, 0))
			writePNG(t, filepath.Join(d, "cls", "b.png"), grayImage(4, 4, 0))
		}, 0, []string{"holds both images (a.png) and subfolders (cls)"}, false, ""},
		{"nested folder", func(d string) { writePNG(t, filepath.Join(d, "cls", "deep", "b.png"), grayImage(4, 4, 0)) }, 0,
			[]string{"is a folder inside class folder cls"}, false, "deep"},
		{"empty class", func(d string) {
			writePNG(t, filepath.Join(d, "a", "b.png"), grayImage(4, 4, 0))
			os.MkdirAll(filepath.Join(d, "z"), 0o755)
		}, 0, []string{"class folder", "holds no images"}, false, "z"},
		{"bad size", func(d string) { writePNG(t, filepath.Join(d, "a.png"), grayImage(4, 4, 0)) }, 2000, []string{"image size 2000: want 1..1024"}, false, ""},
	} {
		dir := t.TempDir()
		c.make(dir)
		_, err := LoadFolder(dir, c.size)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		msg := err.Error()
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", c.name, msg, w)
			}
		}
		if !strings.HasPrefix(msg, "imagedata: ") || strings.Contains(msg, "--") || c.named != "" && !strings.Contains(msg, filepath.Join(dir, "")) {
			t.Errorf("%s: %q: want the package prefix, no flag, the folder's path", c.name, msg)
		}
		if c.named != "" && !strings.Contains(msg, c.named) {
			t.Errorf("%s: %q does not name %s", c.name, msg, c.named)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) != c.isFS {
			t.Errorf("%s: %q: is an *fs.PathError = %v, want %v", c.name, msg, !c.isFS, c.isFS)
		}
	}
}

// TestWriteFolderRoundTrip: a labelled grayscale set and an unlabelled
// RGB set written by WriteFolder read back identically; an existing
// folder is refused and left as it was.
func TestWriteFolderRoundTrip(t *testing.T) {
	gray := &Dataset{Name: "g", N: 12, H: 5, W: 5, Pixels: make([]byte, 12*25), Labels: make([]byte, 12)}
	for i := range gray.Pixels {
		gray.Pixels[i] = byte(7 * i)
	}
	for i := range gray.Labels {
		gray.Labels[i] = byte(i % 3)
	}
	rgb := &Dataset{Name: "c", N: 3, C: 3, H: 4, W: 4, Pixels: make([]byte, 3*3*16)}
	for i := range rgb.Pixels {
		rgb.Pixels[i] = byte(11 * i)
	}
	for _, ds := range []*Dataset{gray, rgb} {
		dir := filepath.Join(t.TempDir(), "out")
		if err := WriteFolder(ds, dir); err != nil {
			t.Fatal(err)
		}
		got, err := LoadFolder(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Labels != nil {
			// Class folders regroup the images: compare per class, in order.
			for k := byte(0); k < 3; k++ {
				var a, b []byte
				for i := 0; i < ds.N; i++ {
					if ds.Labels[i] == k {
						a = append(a, ds.Image(i)...)
					}
					if got.Labels[i] == k {
						b = append(b, got.Image(i)...)
					}
				}
				if !bytes.Equal(a, b) {
					t.Errorf("%s: class %d read back differently", ds.Name, k)
				}
			}
			if !slices.Equal(got.Classes, []string{"0", "1", "2"}) {
				t.Errorf("%s: classes %v, want [0 1 2]", ds.Name, got.Classes)
			}
		} else if got.Channels() != ds.Channels() || !bytes.Equal(got.Pixels, ds.Pixels) {
			t.Errorf("%s: read back %d channels, pixels equal %v", ds.Name, got.Channels(), bytes.Equal(got.Pixels, ds.Pixels))
		}
		if err := WriteFolder(ds, dir); err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("%s: writing over an existing folder: %v", ds.Name, err)
		}
		if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
			t.Errorf("%s: %d entries beside the folder, want none (no temporary left)", ds.Name, len(entries)-1)
		}
	}
}

// TestIsFolderAndResize: an IDX directory is not a folder of images, an
// image directory is; Resize keeps a set of the target size as it is and
// shapes the others.
func TestIsFolderAndResize(t *testing.T) {
	idx := t.TempDir()
	os.WriteFile(filepath.Join(idx, "train-images-idx3-ubyte.gz"), nil, 0o644)
	img := t.TempDir()
	if IsFolder(idx) || !IsFolder(img) || IsFolder(filepath.Join(img, "missing")) {
		t.Errorf("IsFolder: IDX dir %v, image dir %v, missing %v; want false, true, false", IsFolder(idx), IsFolder(img), IsFolder(filepath.Join(img, "missing")))
	}
	ds := &Dataset{N: 2, H: 6, W: 6, Pixels: make([]byte, 72)}
	for i := range ds.Pixels {
		ds.Pixels[i] = 90
	}
	if same, _ := ds.Resize(6); same != ds {
		t.Error("Resize to the same size copied the set")
	}
	r, err := ds.Resize(3)
	if err != nil || r.N != 2 || r.H != 3 || r.W != 3 || r.Channels() != 1 || len(r.Pixels) != 18 {
		t.Fatalf("Resize(3) = %+v, %v", r, err)
	}
	for _, p := range r.Pixels {
		if p != 90 {
			t.Fatalf("a constant image resized to %v", r.Pixels)
		}
	}
	if _, err := ds.Resize(0); err == nil {
		t.Error("Resize(0) accepted")
	}
}
