package nn

import (
	"math"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

func tinyUNet(t *testing.T, dropout float64) *UNet {
	cfg := UNetConfig{InChannels: 2, OutChannels: 1, Size: 4, Channels: []int{4, 6}, NumRes: 1, Groups: 2,
		Attention: true, Dropout: dropout, TimeDim: 4, Embedding: EmbedSinusoidal, TimeScale: 3, Seed: 3}
	u, err := NewUNet(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUNetGrad(t *testing.T) {
	u := tinyUNet(t, 0.2)
	r := newRand(12, 12)
	const batch = 2
	x := randSlice(r, batch*u.InDim(), 1)
	ts := []float32{0.2, 0.7}
	w := randSlice(r, batch*u.OutDim(), 1)
	reseed := func() {
		for i, rb := range u.res {
			rb.Drop.rng = newRand(50, uint64(i))
		}
	}
	loss := func() float64 { reseed(); return dot(w, u.Forward(x, ts, batch, true)) }
	loss()
	ZeroGrad(u.Params())
	dx := append([]float32(nil), u.Backward(w, true)...)
	checkGrad(t, "unet input", x, dx, loss, 1e-2, 2e-2, 32)
	var scale float64 // largest parameter gradient in the model
	for _, p := range u.Params() {
		for _, g := range p.Grad {
			scale = max(scale, math.Abs(float64(g)))
		}
	}
	for _, p := range u.Params() {
		if !p.Frozen {
			checkGradFloor(t, "unet "+p.Name, p.Data, p.Grad, loss, 1e-2, 2e-2, 4, 1e-2*scale)
		}
	}
}

func TestUNetInputVJP(t *testing.T) {
	u := tinyUNet(t, 0.5)
	r := newRand(13, 13)
	const batch = 3
	x := randSlice(r, batch*u.InDim(), 1)
	ts := []float32{0.1, 0.5, 0.9}
	g := randSlice(r, batch*u.OutDim(), 1)
	ZeroGrad(u.Params())
	v := append([]float32(nil), u.InputVJP(x, ts, batch, g)...)
	for _, p := range u.Params() {
		for _, gv := range p.Grad {
			if gv != 0 {
				t.Fatalf("InputVJP accumulated a gradient into %s", p.Name)
			}
		}
	}
	// Inference mode: no dropout, so it is the derivative of Forward(train=false).
	loss := func() float64 { return dot(g, u.Forward(x, ts, batch, false)) }
	checkGrad(t, "unet vjp", x, v, loss, 1e-2, 2e-2, 32)
	// Rows are independent: the VJP of sample 0 does not depend on sample 1.
	x2 := append([]float32(nil), x...)
	for i := u.InDim(); i < 2*u.InDim(); i++ {
		x2[i] += 1
	}
	v2 := u.InputVJP(x2, ts, batch, g)
	for i := 0; i < u.InDim(); i++ {
		if v2[i] != v[i] {
			t.Fatal("samples interact in the U-Net VJP")
		}
	}
}

func TestUNetParamCount(t *testing.T) {
	for _, c := range []struct{ in, out, want int }{{2, 2, 3096802}, {1, 1, 3096225}} {
		u, err := NewUNet(DefaultUNetConfig(c.in, c.out))
		if err != nil {
			t.Fatal(err)
		}
		if n := NumParams(u.Params()); n != c.want {
			t.Errorf("U-Net(in=%d, out=%d): %d parameters, documented %d", c.in, c.out, n, c.want)
		}
	}
}

func TestUNetSaveLoad(t *testing.T) {
	u := tinyUNet(t, 0.1)
	path := filepath.Join(t.TempDir(), "u.safetensors")
	if err := SaveModel(path, u, nil); err != nil {
		t.Fatal(err)
	}
	m, _, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	x := randSlice(newRand(1, 1), 2*u.InDim(), 1)
	ts := []float32{0.3, 0.6}
	a := append([]float32(nil), u.Forward(x, ts, 2, false)...)
	b := m.Forward(x, ts, 2, false)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("loaded U-Net differs")
		}
	}
}

// A training step's output and every gradient are the same bit for bit
// whatever the number of goroutines: convolution chunks and attention
// samples run side by side, and the weight gradients of the chunks are
// added in chunk order.
func TestUNetStepDoesNotDependOnGoroutines(t *testing.T) {
	saved := colTarget
	colTarget = 8 * 72 * 64 / 3 // several chunks per convolution
	defer func() { colTarget = saved }()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	cfg := UNetConfig{InChannels: 2, OutChannels: 2, Size: 8, Channels: []int{8, 16}, NumRes: 1, Groups: 4,
		Attention: true, TimeDim: 8, Embedding: EmbedSinusoidal, TimeScale: 10, Seed: 5}
	const batch = 11
	r := newRand(21, 22)
	x, y := randSlice(r, batch*2*64, 1), randSlice(r, batch*2*64, 1)
	ts := randSlice(r, batch, 1)
	var ref []float32
	for _, procs := range []int{1, 2, 3} {
		runtime.GOMAXPROCS(procs)
		u, err := NewUNet(cfg)
		if err != nil {
			t.Fatal(err)
		}
		out := u.Forward(x, ts, batch, true)
		g := make([]float32, len(out))
		MSELoss(out, y, g)
		ZeroGrad(u.Params())
		u.Backward(g, false)
		got := append([]float32(nil), out...)
		for _, p := range u.Params() {
			got = append(got, p.Grad...)
		}
		if ref == nil {
			ref = got
			continue
		}
		for i := range got {
			if got[i] != ref[i] {
				t.Fatalf("GOMAXPROCS=%d: value %d of %d (outputs, then gradients) is %v, with 1 goroutine %v", procs, i, len(got), got[i], ref[i])
			}
		}
	}
}

// UNetChannelsFor gives the documented widths for the documented image
// sizes (docs/images.md: 28×28 and 14×14 MNIST), every width it returns
// builds a U-Net, and its depth is the largest NewUNet accepts up to three
// levels: one more level would need Size divisible by 2^L.
func TestUNetChannelsForFitsTheImageSize(t *testing.T) {
	for _, c := range []struct {
		size int
		want []int
	}{{28, []int{32, 64, 128}}, {14, []int{32, 64}}, {7, []int{32}}, {32, []int{32, 64, 128}}, {2, []int{32, 64}}, {1, []int{32}}, {0, nil}, {-4, nil}} {
		if got := UNetChannelsFor(c.size); !slices.Equal(got, c.want) {
			t.Errorf("UNetChannelsFor(%d) = %v, want %v", c.size, got, c.want)
		}
	}
	for size := 1; size <= 40; size++ {
		ch := UNetChannelsFor(size)
		cfg := DefaultUNetConfig(2, 2)
		cfg.Size, cfg.Channels = size, ch
		if _, err := NewUNet(cfg); err != nil {
			t.Errorf("size %d, channels %v: %v", size, ch, err)
		}
		if L := len(ch); L < 3 {
			cfg.Channels = append(slices.Clone(ch), 2*ch[L-1])
			if _, err := NewUNet(cfg); err == nil {
				t.Errorf("size %d: %v is not the deepest: %v also builds", size, ch, cfg.Channels)
			}
		}
	}
}
