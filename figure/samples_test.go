package figure

import (
	"bytes"
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
