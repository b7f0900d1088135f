package figure

import (
	"bytes"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"phasespace/imagedata"
)

func TestSampleImagesIsTheGridOfItsPixels(t *testing.T) {
	if ImageSide(196) != 14 || ImageSide(2) != 0 || ImageSide(9) != 0 || ImageSide(50) != 0 {
		t.Errorf("ImageSide: 196→%d, 2→%d, 9→%d, 50→%d; want 14, 0, 0, 0", ImageSide(196), ImageSide(2), ImageSide(9), ImageSide(50))
	}
	dir := t.TempDir()
	x := make([]float64, 3*16)
	for i := range x {
		x[i] = float64(i%7)/3 - 1
	}
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	if err := SampleImages(a, x, 16, 1); err != nil {
		t.Fatal(err)
	}
	imgs := [][]byte{imagedata.ToPixels(x[:16]), imagedata.ToPixels(x[16:32]), imagedata.ToPixels(x[32:])}
	if err := ImageGrid(b, imgs, 4, 4, 3, 14); err != nil {
		t.Fatal(err)
	}
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	if len(ra) == 0 || !bytes.Equal(ra, rb) {
		t.Error("SampleImages differs from the grid of its pixels")
	}
	if err := SampleImages(a, x[:10], 5, 1); err == nil {
		t.Error("5-pixel images accepted")
	}
}

// TestSampleImagesInColour: three-channel samples give an RGB PNG whose
// every cell pixel is (R, G, B) of the three planes (imagedata.ToPixels),
// each scaled up 14×; a length that is not three square planes is refused.
func TestSampleImagesInColour(t *testing.T) {
	const side, n = 4, 2
	d := 3 * side * side
	x := make([]float64, n*d)
	for i := range x {
		x[i] = float64(i%11)/5 - 1
	}
	path := filepath.Join(t.TempDir(), "rgb.png")
	if err := SampleImages(path, x, d, 3); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 14 // 56 / 4
	if w, h := m.Bounds().Dx(), m.Bounds().Dy(); w != n*(side*scale+2)+2 || h != side*scale+4 || m.ColorModel() == color.GrayModel {
		t.Fatalf("grid %d×%d (%T), want an RGB %d×%d", w, h, m, n*(side*scale+2)+2, side*scale+4)
	}
	for k := 0; k < n; k++ {
		px := imagedata.ToPixels(x[k*d : (k+1)*d])
		for y := 0; y < side*scale; y++ {
			for xx := 0; xx < side*scale; xx++ {
				j := (y/scale)*side + xx/scale
				r, g, b, _ := m.At(2+k*(side*scale+2)+xx, 2+y).RGBA()
				if got, want := [3]byte{byte(r >> 8), byte(g >> 8), byte(b >> 8)}, [3]byte{px[j], px[side*side+j], px[2*side*side+j]}; got != want {
					t.Fatalf("image %d pixel (%d,%d) = %v, want %v", k, xx, y, got, want)
				}
			}
		}
	}
	if err := SampleImages(path, x[:2*16], 16, 3); err == nil {
		t.Error("16 values as 3 channels accepted")
	}
}
