package nn

import (
	"fmt"
	"math"
	"runtime"
	"testing"
)

// batchCase is one layer or model evaluated on a batch made of chosen
// samples: run takes the batch's input (batch-major rows of in floats, or
// channel-major C×B×H×W when chans > 0) and the samples' indices (for
// per-sample side inputs such as times), and returns the output in the same
// layout (out floats per sample; outChans channels when channel-major).
type batchCase struct {
	name            string
	in, out         int
	chans, outChans int // channel-major layout when > 0
	run             func(x []float32, idx []int) []float32
}

// batchSizes are the batch sizes the per-row results are checked at.
var batchSizes = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 64, 700}

// checkedRows are the rows of a batch of b compared with the samples
// computed alone: all of them up to 9, a spread beyond.
func checkedRows(b int) []int {
	if b <= 9 {
		rows := make([]int, b)
		for i := range rows {
			rows[i] = i
		}
		return rows
	}
	return []int{0, 1, 2, 3, 4, 5, 6, 7, 8, b/2 - 1, b / 2, b - 1}
}

// packBatch lays out the samples idx of xs as the case's batch input.
func (c batchCase) packBatch(xs [][]float32, idx []int) []float32 {
	b := len(idx)
	x := make([]float32, b*c.in)
	if c.chans == 0 {
		for i, s := range idx {
			copy(x[i*c.in:], xs[s])
		}
		return x
	}
	hw := c.in / c.chans
	for i, s := range idx {
		for ch := 0; ch < c.chans; ch++ {
			copy(x[(ch*b+i)*hw:(ch*b+i+1)*hw], xs[s][ch*hw:(ch+1)*hw])
		}
	}
	return x
}

// row returns sample i's output from a batch output y of b samples.
func (c batchCase) row(y []float32, b, i int) []float32 {
	if len(y) != b*c.out {
		panic(fmt.Sprintf("%s: output of %d floats for a batch of %d, want %d per sample", c.name, len(y), b, c.out))
	}
	if c.outChans == 0 {
		return append([]float32(nil), y[i*c.out:(i+1)*c.out]...)
	}
	hw := c.out / c.outChans
	r := make([]float32, 0, c.out)
	for ch := 0; ch < c.outChans; ch++ {
		r = append(r, y[(ch*b+i)*hw:(ch*b+i+1)*hw]...)
	}
	return r
}

// checkBatchIndependent checks docs/samplers.md's promise at the level of
// the network: sample i's output is bit for bit the same in a batch of any
// size (1–9, 64, 700) as computed alone, with 1 and 2 goroutines (for the
// engine's own loops and for gemm).
func checkBatchIndependent(t *testing.T, c batchCase, seed uint64) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	maxB := batchSizes[len(batchSizes)-1]
	r := newRand(seed, 77)
	xs := make([][]float32, maxB)
	for i := range xs {
		xs[i] = randSlice(r, c.in, 1)
	}
	setProcs := func(p int) {
		runtime.GOMAXPROCS(p)
	}
	// Each sample alone, with one goroutine: the reference.
	setProcs(1)
	alone := map[int][]float32{}
	for _, b := range batchSizes {
		for _, i := range checkedRows(b) {
			if alone[i] == nil {
				alone[i] = c.row(c.run(c.packBatch(xs, []int{i}), []int{i}), 1, 0)
			}
		}
	}
	for _, procs := range []int{1, 2} {
		setProcs(procs)
		for _, b := range batchSizes {
			idx := make([]int, b)
			for i := range idx {
				idx[i] = i
			}
			y := c.run(c.packBatch(xs, idx), idx)
			for _, i := range checkedRows(b) {
				got := c.row(y, b, i)
				for j, v := range got {
					if math.Float32bits(v) != math.Float32bits(alone[i][j]) {
						t.Fatalf("%s, %d goroutines: sample %d of a batch of %d, value %d: %v, alone %v", c.name, procs, i, b, j, v, alone[i][j])
					}
				}
			}
		}
	}
}

// Every layer: output row (sample) i is bit for bit the same whatever the
// batch size and the goroutine count. (Dropout, inside the residual blocks
// here, is the identity at inference; its training masks come from one
// stream over the batch and are outside this promise.)
func TestLayersDoNotDependOnBatchSize(t *testing.T) {
	r := newRand(91, 92)
	const h, w = 6, 6
	hw := h * w
	var scratch []float32
	type convCase struct {
		name                   string
		cin, cout, k, s, p, oh int
		colTarget              int
	}
	var cases []batchCase
	for _, cc := range []convCase{
		{"3×3 same", 3, 5, 3, 1, 1, 6, 0},
		{"3×3 same, one sample per chunk", 3, 5, 3, 1, 1, 6, 40},
		{"3×3 stride 2", 4, 8, 3, 2, 1, 3, 0},
		{"1×1", 6, 9, 1, 1, 0, 6, 0},
		{"1×1, K = 2 (small-K path)", 2, 40, 1, 1, 0, 6, 0},
		{"3×3, 2 outputs (few-rows path)", 8, 2, 3, 1, 1, 6, 0},
		{"3×3 valid, 1 input channel", 1, 7, 3, 1, 0, 4, 0},
	} {
		conv := NewConv2d("conv", cc.cin, cc.cout, cc.k, cc.s, cc.p, r, &scratch)
		randomize(r, conv.B.Data)
		cases = append(cases, batchCase{name: "Conv2d " + cc.name, in: cc.cin * hw, out: cc.cout * cc.oh * cc.oh,
			chans: cc.cin, outChans: cc.cout, run: func(x []float32, idx []int) []float32 {
				if cc.colTarget > 0 {
					saved := colTarget
					colTarget = cc.colTarget
					defer func() { colTarget = saved }()
				}
				y, _, _ := conv.Forward(x, len(idx), h, w, false)
				return y
			}})
	}
	for _, silu := range []bool{false, true} {
		gn := NewGroupNorm("gn", 8, 4, silu)
		randomize(r, gn.Gamma.Data)
		randomize(r, gn.Beta.Data)
		cases = append(cases, batchCase{name: fmt.Sprintf("GroupNorm (SiLU %v)", silu), in: 8 * hw, out: 8 * hw,
			chans: 8, outChans: 8, run: func(x []float32, idx []int) []float32 {
				y, _, _ := gn.Forward(x, len(idx), h, w, false)
				return y
			}})
	}
	att := NewAttention("att", 8, 2, r, &scratch)
	cases = append(cases, batchCase{name: "Attention", in: 8 * hw, out: 8 * hw, chans: 8, outChans: 8,
		run: func(x []float32, idx []int) []float32 {
			y, _, _ := att.Forward(x, len(idx), h, w, false)
			return y
		}})
	up := &Upsample2x{}
	cases = append(cases, batchCase{name: "Upsample2x", in: 3 * hw, out: 3 * 4 * hw, chans: 3, outChans: 3,
		run: func(x []float32, idx []int) []float32 {
			up.c = 3
			y, _, _ := up.Forward(x, len(idx), h, w, false)
			return y
		}})
	const tdim = 12
	st := randSlice(r, 700*tdim, 1) // per-sample time features
	for _, io := range [][2]int{{8, 8}, {4, 12}} {
		rb := NewResBlock("rb", io[0], io[1], tdim, 4, 0.1, r, r, &scratch)
		cases = append(cases, batchCase{name: fmt.Sprintf("ResBlock %d→%d", io[0], io[1]), in: io[0] * hw, out: io[1] * hw,
			chans: io[0], outChans: io[1], run: func(x []float32, idx []int) []float32 {
				rb.St = make([]float32, 0, len(idx)*tdim)
				for _, s := range idx {
					rb.St = append(rb.St, st[s*tdim:(s+1)*tdim]...)
				}
				y, _, _ := rb.Forward(x, len(idx), h, w, false)
				return y
			}})
	}
	for _, lc := range []struct {
		in, out int
		silu    bool
	}{{5, 7, false}, {64, 2, false}, {3, 64, true}, {256, 256, true}, {300, 4, true}} {
		l := NewLinear("lin", lc.in, lc.out, lc.silu, r)
		cases = append(cases, batchCase{name: fmt.Sprintf("Linear %d→%d (SiLU %v)", lc.in, lc.out, lc.silu), in: lc.in, out: lc.out,
			run: func(x []float32, idx []int) []float32 { return l.Forward(x, len(idx)) }})
	}
	for _, kind := range []string{EmbedSinusoidal, EmbedFourier} {
		e, err := NewTimeEmbedding("temb", kind, 16, false, 30, r)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, batchCase{name: "TimeEmbedding " + kind, in: 1, out: 16,
			run: func(x []float32, idx []int) []float32 {
				ts := make([]float32, len(x))
				for i, v := range x {
					ts[i] = float32(math.Abs(float64(v)))
				}
				return e.Forward(ts, len(idx))
			}})
	}
	for i, c := range cases {
		checkBatchIndependent(t, c, uint64(i))
	}
}

// randomize fills p with values that make every term matter (biases start
// at zero).
func randomize(r interface{ NormFloat64() float64 }, p []float32) {
	for i := range p {
		p[i] = float32(r.NormFloat64())
	}
}

// modelCase evaluates a Model (inference) on the chosen samples, times
// drawn per sample.
func modelCase(name string, m Model, seed uint64) batchCase {
	ts := randSlice(newRand(seed, 5), 700, 1)
	for i, v := range ts {
		ts[i] = 0.01 + float32(math.Abs(float64(v)))/4
	}
	return batchCase{name: name, in: m.InDim(), out: m.OutDim(), run: func(x []float32, idx []int) []float32 {
		t := make([]float32, len(idx))
		for i, s := range idx {
			t[i] = ts[s]
		}
		return m.Forward(x, t, len(idx), false)
	}}
}

// Both reference models (the MLP at its reference size, the U-Net at a
// small width): sample i's score is bit for bit the same whatever the batch
// size and the goroutine count.
func TestModelsDoNotDependOnBatchSize(t *testing.T) {
	mlp, err := NewMLP(DefaultMLPConfig(4, 2))
	if err != nil {
		t.Fatal(err)
	}
	checkBatchIndependent(t, modelCase("MLP", mlp, 1), 1)
	fcfg := DefaultMLPConfig(2, 2)
	fcfg.Hidden, fcfg.Depth, fcfg.Embedding, fcfg.TimeScale, fcfg.InputFourier, fcfg.InputFourierScale = 64, 2, EmbedFourier, 16, 8, 1
	fmlp, err := NewMLP(fcfg)
	if err != nil {
		t.Fatal(err)
	}
	checkBatchIndependent(t, modelCase("MLP (Fourier input and time features)", fmlp, 2), 2)
	ucfg := UNetConfig{InChannels: 2, OutChannels: 2, Size: 8, Channels: []int{8, 16}, NumRes: 1, Groups: 4,
		Attention: true, Dropout: 0.1, TimeDim: 16, Embedding: EmbedSinusoidal, TimeScale: 1000, Seed: 3}
	u, err := NewUNet(ucfg)
	if err != nil {
		t.Fatal(err)
	}
	checkBatchIndependent(t, modelCase("U-Net", u, 3), 3)
	// RGB images under CLD: x and v of 3 channels stacked (6 in), 3 out.
	ucfg.InChannels, ucfg.OutChannels = 6, 3
	u3, err := NewUNet(ucfg)
	if err != nil {
		t.Fatal(err)
	}
	checkBatchIndependent(t, modelCase("U-Net (3 channels: 6 in, 3 out)", u3, 4), 4)
}
