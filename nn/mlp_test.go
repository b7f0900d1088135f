package nn

import (
	"fmt"
	"math"
	"testing"
)

func tinyMLP(t *testing.T, emb string, logT bool) *MLP {
	return tinyMLPFourier(t, emb, logT, 0)
}

// tinyMLPFourier is tinyMLP with nf random Fourier features of the input.
func tinyMLPFourier(t *testing.T, emb string, logT bool, nf int) *MLP {
	cfg := MLPConfig{InDim: 3, OutDim: 2, Hidden: 6, Depth: 2, TimeDim: 4, Embedding: emb, LogTime: logT, TimeScale: 2, Seed: 5,
		InputFourier: nf, InputFourierScale: 0.3}
	m, err := NewMLP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMLPGrad(t *testing.T) {
	for _, c := range []struct {
		emb string
		nf  int
	}{{EmbedSinusoidal, 0}, {EmbedFourier, 0}, {EmbedSinusoidal, 5}} {
		emb := fmt.Sprintf("%s/input-fourier=%d", c.emb, c.nf)
		m := tinyMLPFourier(t, c.emb, c.emb == EmbedFourier, c.nf)
		r := newRand(11, 1)
		const batch = 4
		x := randSlice(r, batch*3, 1)
		ts := []float32{0.1, 0.4, 0.7, 0.95}
		w := randSlice(r, batch*2, 1)
		loss := func() float64 { return dot(w, m.Forward(x, ts, batch, true)) }
		loss()
		ZeroGrad(m.Params())
		dx := append([]float32(nil), m.Backward(w, true)...)
		checkGrad(t, emb+" input", x, dx, loss, 1e-2, 1e-2, 100)
		for _, p := range m.Params() {
			if p.Frozen {
				continue
			}
			checkGrad(t, emb+" "+p.Name, p.Data, p.Grad, loss, 1e-2, 1e-2, 20)
		}
		// InputVJP equals the input gradient and leaves parameter grads alone.
		before := append([]float32(nil), m.Params()[len(m.Params())-2].Grad...)
		v := m.InputVJP(x, ts, batch, w)
		for i := range v {
			if v[i] != dx[i] {
				t.Fatalf("InputVJP[%d] = %v, Backward gave %v", i, v[i], dx[i])
			}
		}
		after := m.Params()[len(m.Params())-2].Grad
		for i := range after {
			if after[i] != before[i] {
				t.Fatal("InputVJP changed parameter gradients")
			}
		}
	}
}

func TestMLPParamCount(t *testing.T) {
	for _, c := range []struct {
		in, out, want int
	}{{2, 2, 231426}, {4, 2, 231938}, {4, 4, 232452}} {
		m, err := NewMLP(DefaultMLPConfig(c.in, c.out))
		if err != nil {
			t.Fatal(err)
		}
		if n := NumParams(m.Params()); n != c.want {
			t.Errorf("MLP(in=%d, out=%d): %d parameters, documented %d", c.in, c.out, n, c.want)
		}
	}
}

func TestMLPDeterministic(t *testing.T) {
	a := tinyMLP(t, EmbedFourier, true)
	b := tinyMLP(t, EmbedFourier, true)
	for i, p := range a.Params() {
		for j := range p.Data {
			if p.Data[j] != b.Params()[i].Data[j] {
				t.Fatalf("%s differs between two builds with the same seed", p.Name)
			}
		}
	}
	cfg := a.Spec().MLP
	cfg.Seed++
	c, _ := NewMLP(*cfg)
	if c.Params()[1].Data[0] == a.Params()[1].Data[0] {
		t.Error("different seeds gave identical weights")
	}
}

// TestMLPTrains fits a tiny regression and checks the loss falls, exercising
// Forward/Backward/Adam/clipping/warm-up together.
func TestMLPTrains(t *testing.T) {
	cfg := MLPConfig{InDim: 2, OutDim: 2, Hidden: 32, Depth: 2, TimeDim: 8, Embedding: EmbedSinusoidal, TimeScale: 1, Seed: 2}
	m, _ := NewMLP(cfg)
	r := newRand(9, 9)
	const batch = 64
	x := randSlice(r, batch*2, 1)
	ts := make([]float32, batch)
	for i := range ts {
		ts[i] = r.Float32()
	}
	y := make([]float32, batch*2)
	for i := 0; i < batch; i++ {
		y[2*i] = float32(math.Sin(float64(x[2*i]))) * ts[i]
		y[2*i+1] = x[2*i] * x[2*i+1]
	}
	opt := NewAdam(3e-3)
	g := make([]float32, batch*2)
	var first, last float64
	for step := 0; step < 300; step++ {
		out := m.Forward(x, ts, batch, true)
		l := MSELoss(out, y, g)
		if step == 0 {
			first = l
		}
		last = l
		ZeroGrad(m.Params())
		m.Backward(g, false)
		ClipGradNorm(m.Params(), 1)
		opt.LR = WarmupLR(3e-3, step, 20)
		opt.Step(m.Params())
	}
	if !(last < 0.1*first) {
		t.Errorf("loss went from %v to %v; want a tenfold decrease", first, last)
	}
	t.Log(fmt.Sprintf("loss %v -> %v", first, last))
}
