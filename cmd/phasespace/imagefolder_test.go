package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"phasespace/checkpoint"
	"phasespace/classifier"
	"phasespace/likelihood"
	"phasespace/nn"
	"phasespace/train"
)

// writeImageFolder writes n images of w×h into two class subfolders of a
// new folder and returns it: coloured (RGB, the last one a JPEG) or
// grayscale PNGs.
func writeImageFolder(t *testing.T, n, w, h int, rgb bool) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "imgs")
	for i := 0; i < n; i++ {
		var m image.Image
		if rgb {
			c := image.NewNRGBA(image.Rect(0, 0, w, h))
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					c.SetNRGBA(x, y, color.NRGBA{byte(30 * i), byte(20*x + i), byte(20 * y), 255})
				}
			}
			m = c
		} else {
			g := image.NewGray(image.Rect(0, 0, w, h))
			for j := range g.Pix {
				g.Pix[j] = byte(7*j + 13*i)
			}
			m = g
		}
		sub := filepath.Join(dir, []string{"cats", "dogs"}[i%2])
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		name := filepath.Join(sub, strings.Repeat("i", i+1)+".png")
		if rgb && i == n-1 {
			name = strings.TrimSuffix(name, ".png") + ".jpg"
			jpeg.Encode(&b, m, nil)
		} else {
			png.Encode(&b, m)
		}
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readPNG decodes a PNG file.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestImageFolderRGBTrainSampleEval trains a few steps on an RGB folder
// (CLD and VP), checks the U-Net's 2C and C input channels, the recorded
// shape, a colour sample grid of the right size, bits/dim per sub-pixel
// (C·H·W), and the feature metrics' refusal.
func TestImageFolderRGBTrainSampleEval(t *testing.T) {
	data := writeImageFolder(t, 12, 8, 8, true)
	run := filepath.Join(t.TempDir(), "rgb")
	code, _, errs := runCLI(t, "train", "--data", data, "--sde", "cld", "--channels", "8", "--num-res", "1", "--batch", "8",
		"--steps", "3", "--quiet", "--out", run)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	lm, err := loadCheckpoint(run)
	if err != nil {
		t.Fatal(err)
	}
	spec := lm.Net.(*nn.UNet).Spec().UNet
	if c, side := lm.Meta.ImageShape(); c != 3 || side != 8 || lm.Meta.Dim != 192 || spec.InChannels != 6 || spec.OutChannels != 3 || spec.Size != 8 {
		t.Fatalf("checkpoint: shape %d×%d, dim %d, U-Net %d→%d channels at %d; want 3×8, 192, 6→3 at 8", c, side, lm.Meta.Dim, spec.InChannels, spec.OutChannels, spec.Size)
	}
	grid := filepath.Join(run, "grid.png")
	if code, _, errs := runCLI(t, "sample", "--ckpt", run, "--sampler", "em", "--nfe", "4", "--n", "12", "--out", grid); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errs)
	}
	m := readPNG(t, grid)
	// 10 per row, each 8 px scaled by 56/8 = 7, 2-px gutters: 10·58+2 × 2·58+2.
	if m.ColorModel() == color.GrayModel || m.Bounds().Dx() != 582 || m.Bounds().Dy() != 118 {
		t.Fatalf("grid is %T of %v, want an RGB 582×118 image", m, m.Bounds())
	}
	colour := false
	for y := 0; y < 118 && !colour; y++ {
		for x := 0; x < 582; x++ {
			r, g, b, _ := m.At(x, y).RGBA()
			if r != g || g != b {
				colour = true
				break
			}
		}
	}
	if !colour {
		t.Error("the RGB sample grid has only gray pixels")
	}
	code, out, errs := runCLI(t, "eval", "--ckpt", run, "--metrics", "bpd", "--n", "3", "--rtol", "1e-2", "--atol", "1e-2", "--json")
	if code != 0 {
		t.Fatalf("eval bpd: exit %d: %s", code, errs)
	}
	var r struct {
		BPD struct {
			BPD, NLL float64
			Images   int
		} `json:"bpd"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if want := likelihood.BitsPerDim(r.BPD.NLL, 3*8*8, 2); r.BPD.Images != 3 || math.Abs(r.BPD.BPD-want) > 1e-12*math.Abs(want) {
		t.Errorf("bpd %v of %d images, nll %v: want %v (per sub-pixel, 192 dimensions)", r.BPD.BPD, r.BPD.Images, r.BPD.NLL, want)
	}
	gray, _ := classifier.New(8, 1) // a 1-channel classifier does not fit an RGB model
	grayPath := filepath.Join(t.TempDir(), "gray.safetensors")
	gray.Save(grayPath)
	code, _, errs = runCLI(t, "eval", "--ckpt", run, "--metrics", "fd", "--classifier", grayPath)
	if want := "takes 1-channel 8×8 images, not 3-channel 8×8; this model makes 3-channel 8×8 images: train the project's classifier"; code != 2 || !strings.Contains(errs, want) || !strings.Contains(errs, "--classifier") {
		t.Errorf("eval fd of an RGB model with a gray classifier: exit %d, %q; want 2 and %q", code, errs, want)
	}

	vp := filepath.Join(t.TempDir(), "vp")
	if code, _, errs := runCLI(t, "train", "--data", data, "--sde", "vp", "--channels", "8", "--num-res", "1", "--batch", "8",
		"--steps", "2", "--quiet", "--out", vp); code != 0 {
		t.Fatalf("train vp: exit %d: %s", code, errs)
	}
	if lv, err := loadCheckpoint(vp); err != nil || lv.Net.(*nn.UNet).Spec().UNet.InChannels != 3 {
		t.Fatalf("VP on RGB: %v, want a U-Net with 3 input channels", err)
	}
}

// TestImageFolderGrayResizedAndOldCheckpoint trains on a grayscale
// folder of 10×12 images resized to 8×8, checks the one-channel record and
// the grayscale grid, then loads the same checkpoint rewritten without
// the image fields (as written before they existed): it is one channel.
func TestImageFolderGrayResizedAndOldCheckpoint(t *testing.T) {
	data := writeImageFolder(t, 9, 10, 12, false)
	run := filepath.Join(t.TempDir(), "gray")
	code, _, errs := runCLI(t, "train", "--data", data, "--image-size", "8", "--sde", "psld", "--channels", "8", "--num-res", "1",
		"--batch", "4", "--steps", "2", "--quiet", "--out", run)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	lm, err := loadCheckpoint(run)
	if err != nil {
		t.Fatal(err)
	}
	if c, side := lm.Meta.ImageShape(); c != 1 || side != 8 || lm.Meta.Channels != 1 || lm.Meta.ImageSize != 8 || lm.Meta.Dim != 64 {
		t.Fatalf("meta: shape %d×%d, channels %d, image size %d, dim %d; want 1×8, 1, 8, 64", c, side, lm.Meta.Channels, lm.Meta.ImageSize, lm.Meta.Dim)
	}
	grid := filepath.Join(run, "grid.png")
	if code, _, errs := runCLI(t, "sample", "--ckpt", run, "--sampler", "em", "--nfe", "3", "--n", "3", "--out", grid); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errs)
	}
	if m, ok := readPNG(t, grid).(*image.Gray); !ok || m.Bounds().Dx() != 3*58+2 {
		t.Errorf("grayscale grid: %T, want *image.Gray %d wide", m, 3*58+2)
	}

	// The checkpoint as an older version wrote it: no image fields.
	c, err := checkpoint.Load(lm.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]map[string]any
	if err := json.Unmarshal(c.Manifest.Meta, &meta); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"image_channels", "image_side", "image_size"} {
		delete(meta["run"], k)
	}
	old := filepath.Join(t.TempDir(), "old")
	if _, err := checkpoint.Save(train.CheckpointDir(old), c.Manifest.Step, c.Files, meta, 1); err != nil {
		t.Fatal(err)
	}
	lo, err := loadCheckpoint(old)
	if err != nil {
		t.Fatal(err)
	}
	if ch, side := lo.Meta.ImageShape(); ch != 1 || side != 8 || lo.Meta.Channels != 0 {
		t.Errorf("old checkpoint: shape %d×%d (recorded channels %d), want 1×8 (none)", ch, side, lo.Meta.Channels)
	}
	if code, _, errs := runCLI(t, "sample", "--ckpt", old, "--sampler", "em", "--nfe", "3", "--n", "2", "--out", filepath.Join(old, "g.png")); code != 0 {
		t.Fatalf("sample the old checkpoint: exit %d: %s", code, errs)
	}
}

// TestImageFolderErrors: each bad folder or flag gives one error naming
// the file or flag and what is valid, with exit status 2 for usage and 1
// for an unreadable file; no run directory is left holding checkpoints.
func TestImageFolderErrors(t *testing.T) {
	mk := func(files map[string][]byte) string {
		dir := filepath.Join(t.TempDir(), "d")
		os.MkdirAll(dir, 0o755)
		for name, b := range files {
			os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
		return dir
	}
	pngOf := func(w, h int) []byte {
		var b bytes.Buffer
		png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h)))
		return b.Bytes()
	}
	full := pngOf(8, 8)
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"mixed sizes", []string{"--data", mk(map[string][]byte{"a.png": full, "b.png": pngOf(6, 6)})}, 2, []string{"b.png is 6×6", "a.png 8×8", "must share one size"}},
		{"non-image file", []string{"--data", mk(map[string][]byte{"a.png": full, "labels.csv": []byte("1\n")})}, 2, []string{"labels.csv is not an image file", ".png, .jpg or .jpeg"}},
		{"truncated PNG", []string{"--data", mk(map[string][]byte{"a.png": full, "b.png": full[:len(full)-20]})}, 1, []string{"b.png", "not a complete PNG or JPEG image"}},
		{"empty folder", []string{"--data", mk(nil)}, 2, []string{"holds no images and no IDX files", "valid"}},
		{"fewer images than a batch", []string{"--data", mk(map[string][]byte{"a.png": full, "b.png": full}), "--batch", "4"}, 2, []string{"has 2 images, fewer than one batch of 4"}},
		{"image size out of range", []string{"--data", mk(map[string][]byte{"a.png": full}), "--image-size", "-3"}, 2, []string{"--image-size = -3: want 0..1024"}},
		{"image size on toy data", []string{"--data", "moons", "--image-size", "8"}, 2, []string{"--image-size does not apply"}},
	} {
		out := filepath.Join(t.TempDir(), "run")
		code, _, errs := runCLI(t, append([]string{"train", "--steps", "1", "--batch", "1", "--quiet", "--out", out}, c.args...)...)
		if code != c.code || strings.Count(strings.TrimSpace(errs), "\n") > 1 {
			t.Errorf("%s: exit %d (want %d), message %q: want one message", c.name, code, c.code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: %q does not say %q", c.name, errs, w)
			}
		}
		if _, err := os.Stat(filepath.Join(out, "checkpoints")); err == nil {
			t.Errorf("%s: checkpoints written", c.name)
		}
	}
	if code, _, errs := runCLI(t, "data", "--name", mk(map[string][]byte{"a.png": full}), "--n", "5", "--out", filepath.Join(t.TempDir(), "x")); code != 2 || !strings.Contains(errs, "--n does not apply") {
		t.Errorf("data --n of an image set: exit %d, %q", code, errs)
	}
}

// TestImageFolderExport: `phasespace data` exports an image folder (here
// a folder itself, resized) as a new PNG folder that trains as the
// original does; an existing output folder is refused.
func TestImageFolderExport(t *testing.T) {
	src := writeImageFolder(t, 6, 10, 10, true)
	out := filepath.Join(t.TempDir(), "export")
	code, stdout, errs := runCLI(t, "data", "--name", src, "--image-size", "4", "--out", out)
	if code != 0 || !strings.Contains(stdout, "wrote 6 training images") {
		t.Fatalf("export: exit %d: %s%s", code, stdout, errs)
	}
	for _, cls := range []string{"cats", "dogs"} {
		files, _ := filepath.Glob(filepath.Join(out, cls, "*.png"))
		if len(files) != 3 {
			t.Errorf("class %s: %d files, want 3", cls, len(files))
		}
		for _, f := range files {
			if m := readPNG(t, f); m.Bounds().Dx() != 4 || m.Bounds().Dy() != 4 {
				t.Errorf("%s is %v, want 4×4", f, m.Bounds())
			}
		}
	}
	if code, _, errs := runCLI(t, "data", "--name", src, "--out", out); code == 0 || !strings.Contains(errs, "already exists") {
		t.Errorf("export over an existing folder: exit %d, %q", code, errs)
	}
}

// TestImageFolderClassifierAndFeatures: a labelled grayscale folder trains
// the project's classifier at the run's --image-size, and the feature
// metrics of a model trained on the folder use it.
func TestImageFolderClassifierAndFeatures(t *testing.T) {
	data := writeImageFolder(t, 16, 10, 10, false)
	dir := t.TempDir()
	clf := filepath.Join(dir, "clf.safetensors")
	code, out, errs := runCLI(t, "classifier", "--data", data, "--image-size", "8", "--epochs", "1", "--floor-n", "100", "--out", clf, "--json")
	if code != 0 {
		t.Fatalf("classifier: exit %d: %s", code, errs)
	}
	var c struct {
		Size  int            `json:"image_size"`
		Floor map[string]any `json:"floor"`
		Split string         `json:"accuracy_split"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil || c.Size != 8 || c.Floor["n"] != 16.0 || !strings.HasPrefix(c.Split, "training") {
		t.Fatalf("classifier report %s (%v): want image size 8, floors over the 16 images, the accuracy said to be the training split's", out, err)
	}
	if _, text, _ := runCLI(t, "classifier", "--data", data, "--image-size", "8", "--epochs", "1", "--floor-n", "100", "--out", clf); !strings.Contains(text, "classifier: training (folder: no test split) accuracy") {
		t.Errorf("classifier of a folder prints %q; want its accuracy called the training split's", text)
	}
	run := filepath.Join(dir, "run")
	if code, _, errs := runCLI(t, "train", "--data", data, "--image-size", "8", "--channels", "8", "--num-res", "1", "--batch", "8",
		"--steps", "2", "--quiet", "--out", run); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	code, out, errs = runCLI(t, "eval", "--ckpt", run, "--metrics", "fd,kid", "--classifier", clf, "--n", "8", "--sampler", "em", "--nfe", "3", "--json")
	if code != 0 || !strings.Contains(out, `"fd"`) {
		t.Fatalf("eval fd,kid: exit %d: %s%s", code, out, errs)
	}
}

// TestImageFolderRGBClassifierAndFeatures: a labelled RGB folder trains a
// 3-channel classifier, and the feature metrics of an RGB model use it
// (before: refused for any classifier); an unlabelled folder is refused
// with a message that asks for class subfolders.
func TestImageFolderRGBClassifierAndFeatures(t *testing.T) {
	data := writeImageFolder(t, 16, 8, 8, true)
	dir := t.TempDir()
	clf := filepath.Join(dir, "rgb.safetensors")
	code, out, errs := runCLI(t, "classifier", "--data", data, "--epochs", "1", "--floor-n", "100", "--out", clf, "--json")
	if code != 0 {
		t.Fatalf("classifier: exit %d: %s", code, errs)
	}
	if net, err := classifier.LoadChannels(clf, 3, 8); err != nil || net.Channels != 3 {
		t.Fatalf("the weights are not a 3-channel 8×8 classifier: %v (%s)", err, out)
	}
	run := filepath.Join(dir, "run")
	if code, _, errs := runCLI(t, "train", "--data", data, "--channels", "8", "--num-res", "1", "--batch", "8", "--steps", "2", "--quiet", "--out", run); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	code, out, errs = runCLI(t, "eval", "--ckpt", run, "--metrics", "fd,kid", "--classifier", clf, "--n", "8", "--sampler", "em", "--nfe", "3", "--json")
	var r struct {
		Features struct {
			N  int
			FD float64 `json:"fd"`
		} `json:"features"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Features.N != 8 || math.IsNaN(r.Features.FD) {
		t.Fatalf("eval fd,kid of an RGB model: exit %d: %s%s", code, out, errs)
	}
	flat := filepath.Join(t.TempDir(), "flat") // the same images, no class subfolders
	os.MkdirAll(flat, 0o755)
	files, _ := filepath.Glob(filepath.Join(data, "*", "*"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		os.WriteFile(filepath.Join(flat, filepath.Base(filepath.Dir(f))+filepath.Base(f)), raw, 0o644)
	}
	code, _, errs = runCLI(t, "classifier", "--data", flat, "--epochs", "1", "--out", filepath.Join(dir, "x.safetensors"))
	if code != 2 || !strings.Contains(errs, "no labels") || !strings.Contains(errs, "one subfolder per class") {
		t.Errorf("classifier on an unlabelled folder: exit %d, %q", code, errs)
	}
}
