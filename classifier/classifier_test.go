package classifier

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"phasespace/imagedata"
)

// Finite-difference check of the whole backward pass through one weight of
// each layer (float32 network, so a loose tolerance with a large step).
func TestGradientMatchesFiniteDifference(t *testing.T) {
	for _, c := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d channels", c), func(t *testing.T) { gradientCheck(t, c) })
	}
}

func gradientCheck(t *testing.T, channels int) {
	n, _ := NewChannels(channels, 8, 3)
	r := rand.New(rand.NewPCG(1, 2))
	const b = 3
	x := make([]float32, b*channels*64)
	for i := range x {
		x[i] = r.Float32()
	}
	labels := []byte{1, 7, 3}
	grad := make([]float32, b*Classes)
	lossAt := func() float64 {
		logits := n.forward(x, b, false)
		g := make([]float32, b*Classes)
		return crossEntropy(logits, labels, g)
	}
	logits := n.forward(x, b, true)
	crossEntropy(logits, labels, grad)
	n.backward(grad)
	for _, p := range n.Params() {
		i := len(p.Data) / 2
		old := p.Data[i]
		h := float32(1e-2)
		p.Data[i] = old + h
		lp := lossAt()
		p.Data[i] = old - h
		lm := lossAt()
		p.Data[i] = old
		fd := (lp - lm) / (2 * float64(h))
		if math.Abs(fd-float64(p.Grad[i])) > 2e-2*(math.Abs(fd)+1e-2) {
			t.Errorf("%s[%d]: backward %v, finite difference %v", p.Name, i, p.Grad[i], fd)
		}
	}
}

// Short training on a subset of MNIST beats chance by far; save/load keeps
// predictions. (The full 2-epoch run is `phasespace classifier`.)
func TestShortTrainingOnMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds; skipped in -short mode")
	}
	ds, err := imagedata.Load("mnist", "train")
	if err != nil {
		t.Skipf("MNIST unavailable: %v", err)
	}
	small, _ := ds.Subset(3000).Downsample2()
	n, err := Train(small, TrainConfig{Epochs: 2, Batch: 64, LR: 2e-3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	test, _ := imagedata.Load("mnist", "test")
	test, _ = test.Subset(1000).Downsample2()
	acc := n.Accuracy(test)
	t.Logf("14×14 MNIST, 3000 training images, 2 epochs: test accuracy %.3f", acc)
	if acc < 0.85 {
		t.Fatalf("accuracy %.3f", acc)
	}
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := n.Save(path); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path, 14)
	if err != nil {
		t.Fatal(err)
	}
	if a2 := m.Accuracy(test); a2 != acc {
		t.Fatalf("accuracy after load %v, before %v", a2, acc)
	}
}
