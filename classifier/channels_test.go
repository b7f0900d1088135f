package classifier

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"phasespace/imagedata"
)

// rgbSet is n labelled 3-channel side×side images: class k has its
// channel k bright (noise elsewhere), so colour alone tells the classes.
func rgbSet(n, side int) *imagedata.Dataset {
	r := rand.New(rand.NewPCG(4, 4))
	d := &imagedata.Dataset{Name: "rgb", N: n, C: 3, H: side, W: side, Pixels: make([]byte, n*3*side*side), Labels: make([]byte, n)}
	for i := 0; i < n; i++ {
		k := i % 3
		d.Labels[i] = byte(k)
		for c := 0; c < 3; c++ {
			for j := 0; j < side*side; j++ {
				v := r.IntN(60)
				if c == k {
					v += 180
				}
				d.Pixels[(i*3+c)*side*side+j] = byte(v)
			}
		}
	}
	return d
}

// A classifier trains on 3-channel images: its first convolution takes 3
// planes, features come out n×FeatureDim and finite, a few epochs learn
// the colours, and Save/LoadChannels keep its outputs; a file saved for
// another channel count is refused with ErrShape, as is an unlabelled set
// with a message naming the labels.
func TestClassifierOnRGBImages(t *testing.T) {
	ds := rgbSet(48, 8)
	n, err := Train(ds, TrainConfig{Epochs: 6, Batch: 8, LR: 3e-3, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if k := n.convs[0].Params()[0]; n.Channels != 3 || n.Size != 8 || len(k.Data) != 32*3*3*3 {
		t.Fatalf("net: %d channels, size %d, first kernel %v", n.Channels, n.Size, n.convs[0].Params()[0].Shape)
	}
	pred, feat := n.Evaluate(ds.Pixels, ds.N)
	if len(pred) != ds.N || len(feat) != ds.N*FeatureDim {
		t.Fatalf("%d predictions, %d features for %d images", len(pred), len(feat), ds.N)
	}
	for _, v := range feat {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatal("a feature is not finite")
		}
	}
	if acc := n.Accuracy(ds); acc < 0.9 {
		t.Errorf("accuracy %.3f on colour-coded classes, want >= 0.9", acc)
	}
	path := filepath.Join(t.TempDir(), "rgb.safetensors")
	if err := n.Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := LoadChannels(path, 3, 8)
	if err != nil {
		t.Fatal(err)
	}
	if _, f2 := m.Evaluate(ds.Pixels, ds.N); !reflect.DeepEqual(f2, feat) {
		t.Error("features changed by Save and LoadChannels")
	}
	if _, err := Load(path, 8); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "3-channel 8×8") {
		t.Errorf("a 3-channel file loaded as 1-channel: %v", err)
	}
	gray, _ := New(8, 1)
	gp := filepath.Join(t.TempDir(), "gray.safetensors")
	gray.Save(gp)
	if _, err := LoadChannels(gp, 3, 8); !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), "1-channel 8×8") {
		t.Errorf("a 1-channel file loaded as 3-channel: %v", err)
	}
	unlabelled := *ds
	unlabelled.Labels = nil
	if _, err := Train(&unlabelled, TrainConfig{Epochs: 1}); err == nil || !strings.Contains(err.Error(), "no labels") || !strings.Contains(err.Error(), "subfolder per class") {
		t.Errorf("unlabelled images: %v", err)
	}
	// A set smaller than the default batch of 128 trains on whole-set
	// batches (before: no step at all, chance accuracy).
	if small, err := Train(ds, TrainConfig{Epochs: 15, LR: 3e-3, Seed: 2}); err != nil {
		t.Error(err)
	} else if acc := small.Accuracy(ds); acc < 0.9 {
		t.Errorf("48 images, default batch: accuracy %.3f, want >= 0.9", acc)
	}
	if _, err := NewChannels(5, 8, 0); err == nil {
		t.Error("5 channels accepted")
	}
}

// The 1-channel classifier is the one of before, byte for byte: New and
// NewChannels(1, …) build the same weights and Save writes the file the
// project wrote before the channels existed (its SHA-256 recorded then).
func TestOneChannelClassifierUnchanged(t *testing.T) {
	a, _ := New(14, 1)
	b, _ := NewChannels(1, 14, 1)
	for i, p := range a.Params() {
		if q := b.Params()[i]; p.Name != q.Name || !reflect.DeepEqual(p.Data, q.Data) {
			t.Fatalf("parameter %s differs", p.Name)
		}
	}
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if got := fmt.Sprintf("%x", sha256.Sum256(raw)); got != "3f0ca545d3b24a3d3760a18760d634e69bf785ec46e79f2f54186a81e311622d" || len(raw) != 755448 {
		t.Errorf("New(14, 1).Save: sha256 %s, %d bytes; want the file of before", got, len(raw))
	}
}
