package imagedata

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder for image.Decode
	"image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/draw"
)

// FolderFormats are the file extensions (any case) read as images in a
// folder.
var FolderFormats = []string{".png", ".jpg", ".jpeg"}

// folderValid says what a folder of images may hold, for error messages.
const folderValid = ".png, .jpg or .jpeg files (8-bit grayscale or RGB), all in the folder or all in class subfolders, hidden files skipped"

// ErrNeedsSize is wrapped by LoadFolder's error for images of several
// sizes or not square when no size is given.
var ErrNeedsSize = errors.New("give an image size to centre-crop and resize them to one square size")

// IsFolder reports whether dir is a directory that does not hold an IDX
// training set ({train}-images-idx3-ubyte[.gz]): such a directory is read
// as an image folder (LoadFolder).
func IsFolder(dir string) bool {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return false
	}
	for _, f := range []string{"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return false
		}
	}
	return true
}

// isImageFile reports whether name has one of FolderFormats' extensions.
func isImageFile(name string) bool {
	return slices.Contains(FolderFormats, strings.ToLower(filepath.Ext(name)))
}

// hidden reports whether a file or folder name starts with a dot
// (.DS_Store, .git): LoadFolder skips those.
func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// LoadFolder reads a folder of PNG and JPEG images (docs/data.md, Image
// folders): either image files directly in dir (no labels) or one
// subfolder per class (labels 0, 1, … in the sorted order of the
// subfolder names, at most 256 classes), in sorted file order. Hidden
// files and folders (a leading dot) are skipped.
//
// With size > 0 every image is centre-cropped to a square of its shorter
// side and resized to size×size with the Catmull–Rom filter
// (golang.org/x/image/draw); with size 0 all images must share one square
// size, which is kept. The folder is grayscale (C = 1) when every pixel of
// every image has R = G = B, else RGB (C = 3), grayscale images then
// taking three equal channels; alpha is dropped and 16-bit images are
// rounded to 8 bits.
//
// Errors name the file and say what is valid: a file with another
// extension, images both in dir and in subfolders, a nested folder, an
// empty folder or class, more than 256 classes, mixed sizes or non-square
// images when size is 0, a size outside 1..1024. A file that cannot be
// read or decoded (a truncated PNG) is an *fs.PathError.
func LoadFolder(dir string, size int) (*Dataset, error) {
	if size < 0 || size > 1024 {
		return nil, fmt.Errorf("imagedata: image size %d: want 1..1024 (0: keep the images' size)", size)
	}
	files, labels, classes, err := listFolder(dir)
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Name: filepath.Base(filepath.Clean(dir)), N: len(files), Classes: classes}
	if classes != nil {
		ds.Labels = labels
	}
	var first string
	imgs := make([][]byte, len(files)) // one plane (grayscale) or three
	for i, p := range files {
		img, err := decodeFile(p)
		if err != nil {
			return nil, err
		}
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		if size > 0 {
			w, h = size, size
		}
		switch {
		case i == 0:
			ds.H, ds.W, first = h, w, p
			if h != w {
				return nil, fmt.Errorf("imagedata: %s: images are %d×%d, not square: the U-Net needs square images; %w", dir, w, h, ErrNeedsSize)
			}
		case h != ds.H || w != ds.W:
			return nil, fmt.Errorf("imagedata: %s is %d×%d, %s %d×%d: the images of a folder must share one size: %w", p, w, h, first, ds.W, ds.H, ErrNeedsSize)
		}
		imgs[i] = planes(img, size)
	}
	ds.C = 1
	for _, im := range imgs {
		if len(im) > ds.H*ds.W {
			ds.C = 3
		}
	}
	hw := ds.H * ds.W
	ds.Pixels = make([]byte, 0, ds.N*ds.C*hw)
	for _, im := range imgs {
		ds.Pixels = append(ds.Pixels, im...)
		if len(im) < ds.C*hw { // a grayscale image in an RGB folder: R = G = B
			ds.Pixels = append(append(ds.Pixels, im...), im...)
		}
	}
	return ds, nil
}

// listFolder returns the image files of dir in order, their labels and the
// class names (nil without class subfolders).
func listFolder(dir string) (files []string, labels []byte, classes []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("imagedata: %w", err)
	}
	var subdirs []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case hidden(e.Name()):
		case e.IsDir():
			subdirs = append(subdirs, e.Name())
		case !isImageFile(e.Name()):
			return nil, nil, nil, fmt.Errorf("imagedata: %s is not an image file (valid: %s)", p, folderValid)
		default:
			files = append(files, p)
		}
	}
	switch {
	case len(files) > 0 && len(subdirs) > 0:
		return nil, nil, nil, fmt.Errorf("imagedata: %s holds both images (%s) and subfolders (%s): put every image in a class subfolder, or none", dir, filepath.Base(files[0]), subdirs[0])
	case len(subdirs) > 256:
		return nil, nil, nil, fmt.Errorf("imagedata: %s has %d class subfolders: at most 256", dir, len(subdirs))
	case len(files) > 0:
		return files, nil, nil, nil
	case len(subdirs) == 0:
		return nil, nil, nil, fmt.Errorf("imagedata: %s holds no images and no IDX files; valid: a folder of images (%s), or a folder of {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]", dir, folderValid)
	}
	for k, sub := range subdirs {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("imagedata: %w", err)
		}
		n := len(files)
		for _, e := range entries {
			p := filepath.Join(dir, sub, e.Name())
			switch {
			case hidden(e.Name()):
			case e.IsDir():
				return nil, nil, nil, fmt.Errorf("imagedata: %s is a folder inside class folder %s: class subfolders hold only image files", p, sub)
			case !isImageFile(e.Name()):
				return nil, nil, nil, fmt.Errorf("imagedata: %s is not an image file (valid: %s)", p, folderValid)
			default:
				files, labels = append(files, p), append(labels, byte(k))
			}
		}
		if len(files) == n {
			return nil, nil, nil, fmt.Errorf("imagedata: class folder %s holds no images (valid: %s)", filepath.Join(dir, sub), folderValid)
		}
	}
	return files, labels, subdirs, nil
}

// MaxImagePixels bounds the pixels (width × height) of one image of a
// folder, checked from its header before it is decoded, so that a file
// claiming a huge size cannot exhaust memory: 2^26, e.g. 8192×8192.
const MaxImagePixels = 1 << 26

// decodeFile decodes one PNG or JPEG file (decodeImage); errors are
// *fs.PathError.
func decodeFile(p string) (image.Image, error) {
	raw, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("imagedata: %w", err)
	}
	return decodeImage(raw, p, MaxImagePixels)
}

// decodeImage decodes the PNG or JPEG image raw of the file p with the
// standard library's decoders, refusing from its header an image of more
// than maxPixels pixels. Errors are *fs.PathError naming p: not a PNG or
// JPEG, truncated or corrupt data, an empty or too large image. It never
// panics (FuzzDecodeImage).
func decodeImage(raw []byte, p string, maxPixels int) (image.Image, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("imagedata: %w", &fs.PathError{Op: "decode", Path: p, Err: fmt.Errorf(format, a...)})
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
	switch {
	case err != nil:
		return nil, bad("%v: not a complete PNG or JPEG image", err)
	case cfg.Width <= 0 || cfg.Height <= 0:
		return nil, bad("%s image of size %d×%d", format, cfg.Width, cfg.Height)
	case int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels):
		return nil, bad("%s image of %d×%d pixels: at most %d pixels per image", format, cfg.Width, cfg.Height, maxPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, bad("%v: not a complete PNG or JPEG image", err)
	}
	if b := img.Bounds(); b.Empty() {
		return nil, bad("%s image of size %d×%d", format, b.Dx(), b.Dy())
	}
	return img, nil
}

// planes returns img, centre-cropped and resized to size×size when size >
// 0, as one plane when it is grayscale and three (R, G, B) otherwise.
func planes(img image.Image, size int) []byte {
	b := img.Bounds()
	if g, ok := img.(*image.Gray); ok && size == 0 {
		out := make([]byte, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			out = append(out, g.Pix[g.PixOffset(b.Min.X, y):g.PixOffset(b.Max.X, y)]...)
		}
		return out
	}
	var dst *image.NRGBA
	if size > 0 && (b.Dx() != size || b.Dy() != size) {
		m := min(b.Dx(), b.Dy())
		x0, y0 := b.Min.X+(b.Dx()-m)/2, b.Min.Y+(b.Dy()-m)/2
		dst = image.NewNRGBA(image.Rect(0, 0, size, size))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, image.Rect(x0, y0, x0+m, y0+m), draw.Src, nil)
	} else {
		dst = image.NewNRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
	}
	hw := dst.Rect.Dx() * dst.Rect.Dy()
	out := make([]byte, 3*hw)
	gray := true
	for i := 0; i < hw; i++ {
		r, g, bl := dst.Pix[4*i], dst.Pix[4*i+1], dst.Pix[4*i+2]
		out[i], out[hw+i], out[2*hw+i] = r, g, bl
		gray = gray && r == g && g == bl
	}
	if gray {
		return out[:hw]
	}
	return out
}

// ImageOf returns image i as an image.Image: *image.Gray for one channel,
// *image.NRGBA (opaque) for three.
func (d *Dataset) ImageOf(i int) image.Image {
	px, hw := d.Image(i), d.H*d.W
	if d.Channels() == 1 {
		return &image.Gray{Pix: px, Stride: d.W, Rect: image.Rect(0, 0, d.W, d.H)}
	}
	m := image.NewNRGBA(image.Rect(0, 0, d.W, d.H))
	for j := 0; j < hw; j++ {
		m.Pix[4*j], m.Pix[4*j+1], m.Pix[4*j+2], m.Pix[4*j+3] = px[j], px[hw+j], px[2*hw+j], 255
	}
	return m
}

// Resize returns the images centre-cropped to a square and resized to
// size×size with the Catmull–Rom filter, as LoadFolder does (d itself
// when it is already size×size). It returns an error for a size outside
// 1..1024 or a channel count other than 1 and 3.
func (d *Dataset) Resize(size int) (*Dataset, error) {
	if size < 1 || size > 1024 {
		return nil, fmt.Errorf("imagedata: image size %d: want 1..1024", size)
	}
	if c := d.Channels(); c != 1 && c != 3 {
		return nil, fmt.Errorf("imagedata: %d channels: want 1 or 3", c)
	}
	if d.H == size && d.W == size {
		return d, nil
	}
	out := *d
	out.H, out.W = size, size
	out.Pixels = make([]byte, 0, d.N*d.Channels()*size*size)
	for i := 0; i < d.N; i++ {
		p := planes(d.ImageOf(i), size)
		if d.Channels() == 3 && len(p) == size*size {
			p = slices.Concat(p, p, p)
		}
		out.Pixels = append(out.Pixels, p...)
	}
	return &out, nil
}

// WriteFolder writes the images of d as PNG files into the new folder dir
// (LoadFolder reads it back exactly): with labels, one subfolder per class
// (d.Classes, or the label's number), else all in dir; files are named by
// the image's index, zero-padded. It writes into a temporary folder beside
// dir and renames it, so a failure leaves no partial folder. It refuses a
// dir that exists.
func WriteFolder(d *Dataset, dir string) error {
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("imagedata: %s already exists: give a new folder", dir)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("imagedata: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(dir)), "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("imagedata: %w", err)
	}
	if err := writeFolder(d, tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("imagedata: %w", err)
	}
	return nil
}

func writeFolder(d *Dataset, dir string) error {
	width := len(fmt.Sprint(max(d.N-1, 0)))
	for i := 0; i < d.N; i++ {
		sub := dir
		if d.Labels != nil {
			name := fmt.Sprint(d.Labels[i])
			if int(d.Labels[i]) < len(d.Classes) {
				name = d.Classes[d.Labels[i]]
			}
			sub = filepath.Join(dir, name)
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return fmt.Errorf("imagedata: %w", err)
			}
		}
		f, err := os.Create(filepath.Join(sub, fmt.Sprintf("%0*d.png", width, i)))
		if err != nil {
			return fmt.Errorf("imagedata: %w", err)
		}
		err = png.Encode(f, d.ImageOf(i))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("imagedata: %s: %w", f.Name(), err)
		}
	}
	return nil
}
