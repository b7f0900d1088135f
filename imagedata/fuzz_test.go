package imagedata

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

// FuzzReadIDX: no input may panic, and a successful decode is consistent
// with its header and never larger than the input could justify.
func FuzzReadIDX(f *testing.F) {
	f.Add(makeIDX([]uint32{2, 2, 2}, make([]byte, 8)))
	f.Add(gz(makeIDX([]uint32{3}, []byte{1, 2, 3})))
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		idx, err := ReadIDX(bytes.NewReader(in), 1<<20)
		if err != nil {
			return
		}
		size := 1
		for _, d := range idx.Dims {
			if d <= 0 {
				t.Fatalf("accepted dimension %d", d)
			}
			size *= d
		}
		if size != len(idx.Data) || size > 1<<20 {
			t.Fatalf("dims %v but %d data bytes", idx.Dims, len(idx.Data))
		}
	})
}

// FuzzDecodeImage: the image folder's per-file decode path (decodeImage,
// then planes as LoadFolder calls it, with and without resizing) never
// panics; an error names the file, and a decoded image is non-empty,
// within the pixel bound, and gives one or three planes of its size.
func FuzzDecodeImage(f *testing.F) {
	gray := image.NewGray(image.Rect(0, 0, 5, 3))
	rgb := image.NewNRGBA(image.Rect(0, 0, 6, 6))
	for i := range gray.Pix {
		gray.Pix[i] = byte(40 * i)
	}
	for i := range rgb.Pix {
		rgb.Pix[i] = byte(7 * i)
	}
	var p, q, j bytes.Buffer
	png.Encode(&p, gray)
	png.Encode(&q, rgb)
	jpeg.Encode(&j, rgb, &jpeg.Options{Quality: 80})
	wide := image.NewGray16(image.Rect(0, 0, 2, 2))
	wide.SetGray16(1, 1, color.Gray16{Y: 0xabcd})
	var w bytes.Buffer
	png.Encode(&w, wide)
	f.Add(p.Bytes())                   // a valid grayscale PNG
	f.Add(q.Bytes()[:q.Len()/2])       // a truncated PNG
	f.Add(j.Bytes())                   // a JPEG
	f.Add(w.Bytes())                   // a 16-bit PNG
	f.Add([]byte("\x89PNG\r\n\x1a\n")) // a PNG signature alone
	const limit = 1 << 16              // pixels: keeps each input's allocations small
	f.Fuzz(func(t *testing.T, in []byte) {
		img, err := decodeImage(in, "fuzz.png", limit)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.png") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		b := img.Bounds()
		hw := b.Dx() * b.Dy()
		if b.Empty() || hw > limit {
			t.Fatalf("accepted a %d×%d image (limit %d pixels)", b.Dx(), b.Dy(), limit)
		}
		if n := len(planes(img, 0)); n != hw && n != 3*hw {
			t.Fatalf("%d plane bytes for a %d×%d image", n, b.Dx(), b.Dy())
		}
		if n := len(planes(img, 4)); n != 16 && n != 48 {
			t.Fatalf("%d plane bytes resized to 4×4", n)
		}
	})
}

// decodeImage refuses from the header an image of more pixels than its
// bound, naming the file, the size and the bound, and decodes one within.
func TestDecodeImagePixelBound(t *testing.T) {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 5, 3)))
	if _, err := decodeImage(b.Bytes(), "big.png", 14); err == nil || !strings.Contains(err.Error(), "big.png") || !strings.Contains(err.Error(), "5×3 pixels: at most 14") {
		t.Errorf("a 5×3 image with a bound of 14 pixels: %v", err)
	}
	if img, err := decodeImage(b.Bytes(), "ok.png", 15); err != nil || img.Bounds().Dx() != 5 {
		t.Errorf("a 5×3 image with a bound of 15 pixels: %v", err)
	}
}
