package nn

import "testing"

// trainer runs full training steps (forward, MSE, backward, clipping, Adam,
// EMA) on fixed random data, as the project's training loop does.
type trainer struct {
	m       Model
	opt     *Adam
	ema     *EMA
	x, t, y []float32
	g       []float32
	batch   int
}

func newTrainer(m Model, batch int) *trainer {
	r := newRand(100, 1)
	tr := &trainer{m: m, opt: NewAdam(1e-4), batch: batch,
		x: randSlice(r, batch*m.InDim(), 1), y: randSlice(r, batch*m.OutDim(), 1),
		g: make([]float32, batch*m.OutDim()), t: make([]float32, batch)}
	for i := range tr.t {
		tr.t[i] = r.Float32()
	}
	tr.ema = NewEMA(m.Params(), 0.999)
	return tr
}

func (tr *trainer) step() float64 {
	out := tr.m.Forward(tr.x, tr.t, tr.batch, true)
	l := MSELoss(out, tr.y, tr.g)
	ZeroGrad(tr.m.Params())
	tr.m.Backward(tr.g, false)
	tr.opt.Step(tr.m.Params())
	tr.ema.Update(tr.m.Params())
	return l
}

// BenchmarkMLPStep: toy MLP (in 4, out 2, width 256, depth 4, 128-d
// embedding), batch 512, Adam + EMA.
func BenchmarkMLPStep(b *testing.B) {
	m, _ := NewMLP(DefaultMLPConfig(4, 2))
	tr := newTrainer(m, 512)
	tr.step()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.step()
	}
}

// BenchmarkUNetStep: default U-Net on 2×28×28, batch 64, Adam + EMA.
func BenchmarkUNetStep(b *testing.B) {
	m, _ := NewUNet(DefaultUNetConfig(2, 2))
	tr := newTrainer(m, 64)
	tr.step()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tr.step()
	}
}

// noGEMM replaces the GEMM kernel by a no-op for the duration of a
// benchmark, so that it measures only the engine's own (non-GEMM) work.
func noGEMM(b *testing.B) {
	saved, savedSerial := gemmKernel, gemmSerialKernel
	gemmKernel = func(bool, bool, int, int, int, float32, []float32, int, []float32, int, float32, []float32, int) {}
	gemmSerialKernel = gemmKernel
	b.Cleanup(func() { gemmKernel, gemmSerialKernel = saved, savedSerial })
}

// BenchmarkMLPStepOverhead is BenchmarkMLPStep without GEMM work.
func BenchmarkMLPStepOverhead(b *testing.B) { noGEMM(b); BenchmarkMLPStep(b) }

// BenchmarkUNetStepOverhead is BenchmarkUNetStep without GEMM work.
func BenchmarkUNetStepOverhead(b *testing.B) { noGEMM(b); BenchmarkUNetStep(b) }
