package figure

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// notBlank reports whether an image has at least two distinct colours.
func notBlank(img image.Image) bool {
	b := img.Bounds()
	r0, g0, b0, _ := img.At(b.Min.X, b.Min.Y).RGBA()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bb, _ := img.At(x, y).RGBA()
			if r != r0 || g != g0 || bb != b0 {
				return true
			}
		}
	}
	return false
}

func ring(n int) []float64 {
	p := make([]float64, 2*n)
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / float64(n)
		p[2*i], p[2*i+1] = math.Cos(a), math.Sin(a)
	}
	return p
}

func TestFiguresAreValidPNGsOfTheStatedSize(t *testing.T) {
	dir := t.TempDir()
	pts := ring(500)
	cases := []struct {
		name string
		make func(path string) error
		w, h int
	}{
		{"scatter.png", func(p string) error { return Scatter(p, "ring", pts, 300) }, 300, 300},
		{"panels.png", func(p string) error {
			return Panels(p, 250, Panel{Title: "data", Points: pts}, Panel{Title: "density", Points: pts, Density: true})
		}, 500, 250},
		{"lines.png", func(p string) error {
			return Lines(p, "loss", "step", "loss", true, 400, 300, Series{Name: "a", X: []float64{1, 2, 3}, Y: []float64{3, 2, 1}})
		}, 400, 300},
		{"traj.png", func(p string) error {
			return Trajectories(p, "cld", [][][4]float64{{{0, 0, 1, 0}, {1, 1, 0, 0}, {2, 0, -1, 0}}}, 200)
		}, 400, 200},
		{"grid.png", func(p string) error {
			im := make([]byte, 16)
			for i := range im {
				im[i] = byte(16 * i)
			}
			return ImageGrid(p, [][]byte{im, im, im}, 4, 4, 2, 3)
		}, 2*(4*3+2) + 2, 2*(4*3+2) + 2},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name)
		if err := c.make(path); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		img := decode(t, path)
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s: %d×%d, want %d×%d", c.name, b.Dx(), b.Dy(), c.w, c.h)
		}
		if !notBlank(img) {
			t.Errorf("%s is blank", c.name)
		}
	}
	// A failed write leaves no file behind.
	if err := Scatter(filepath.Join(dir, "missing-dir", "x.png"), "", pts, 100); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

// The point plots: a histogram (d = 1) and the pair plot of the first
// MaxPairDims dimensions (d > 2) are drawn; nothing to draw is an error.
func TestPointPlots(t *testing.T) {
	dir := t.TempDir()
	x := make([]float64, 600)
	for i := range x {
		x[i] = math.Sin(float64(i)*0.37) * float64(1+i%6)
	}
	for _, c := range []struct {
		name  string
		draw  func(string) error
		width int
	}{
		{"hist.png", func(p string) error { return Histogram(p, "h", x, 200, "") }, 200},
		{"pairs3.png", func(p string) error { return PairPlot(p, "p", x, 3, 100, []string{"a", "b", "c"}) }, 300},
		{"pairs6.png", func(p string) error { return PairPlot(p, "p", x, 6, 100, nil) }, MaxPairDims * 100},
	} {
		p := filepath.Join(dir, c.name)
		if err := c.draw(p); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		img := decode(t, p)
		if !notBlank(img) {
			t.Errorf("%s is blank", c.name)
		}
		if img.Bounds().Dx() != c.width {
			t.Errorf("%s: width %d, want %d", c.name, img.Bounds().Dx(), c.width)
		}
	}
	// The axis label is drawn: another label, another picture; the same, the same bytes.
	var pics [3][]byte
	for i, label := range []string{"height", "height", ""} {
		p := filepath.Join(dir, fmt.Sprint("label", i, ".png"))
		if err := Histogram(p, "h", x, 200, label); err != nil {
			t.Fatal(err)
		}
		pics[i], _ = os.ReadFile(p)
	}
	if !bytes.Equal(pics[0], pics[1]) || bytes.Equal(pics[0], pics[2]) {
		t.Error("a histogram's axis label does not change the picture, or one label draws differently twice")
	}
	if err := Histogram(filepath.Join(dir, "nan.png"), "", []float64{math.NaN()}, 100, ""); err == nil {
		t.Error("a histogram of no finite value drawn")
	}
	if err := PairPlot(filepath.Join(dir, "one.png"), "", x, 1, 100, nil); err == nil {
		t.Error("a pair plot of d = 1 drawn")
	}
}
