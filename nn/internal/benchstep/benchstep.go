// Package benchstep is the training step that the engine benchmarks
// (nn/cmd/enginebench, nn/cmd/enginesteps) time or count: forward, MSE
// against fixed targets, backward, Adam and EMA on fixed random inputs, the
// same work as one step of train's loop without the diffusion maths.
package benchstep

import (
	"math/rand/v2"

	"phasespace/nn"
)

// New returns a function that runs one training step of m on a batch of the
// given size; inputs, times and targets are drawn once from a fixed seed.
func New(m nn.Model, batch int) func() {
	r := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, batch*m.InDim())
	y := make([]float32, batch*m.OutDim())
	t := make([]float32, batch)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for i := range y {
		y[i] = float32(r.NormFloat64())
	}
	for i := range t {
		t[i] = r.Float32()
	}
	g := make([]float32, len(y))
	opt := nn.NewAdam(1e-4)
	ema := nn.NewEMA(m.Params(), 0.999)
	return func() {
		out := m.Forward(x, t, batch, true)
		nn.MSELoss(out, y, g)
		nn.ZeroGrad(m.Params())
		m.Backward(g, false)
		opt.Step(m.Params())
		ema.Update(m.Params())
	}
}
