package train

import (
	"testing"

	"phasespace/dataset"
	"phasespace/nn"
	"phasespace/objective"
)

// The parts of the default CLD MLP step (batch 512) that the loop adds to
// the network's own work, each timed alone on one goroutine: the data
// (8gaussians), the batch preparation (objective.Prepare: times, kernel,
// noise, targets) and the gradient norm. With two cores the loop runs the
// norm on one while the other draws the data and starts the preparation,
// then both share the rest of it.
func BenchmarkLoopParts(b *testing.B) {
	obj := defaultCLDObjective(b)
	const n = 512
	x0 := make([]float64, 2*n)
	data := dataset.Toy{Name: "8gaussians"}
	b.Run("data", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := data.Batch(x0, n, 1, int64(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("prepare", func(b *testing.B) {
		var batch objective.Batch
		for i := 0; i < b.N; i++ {
			j, err := obj.StartPrepare(&batch, x0, 2, 1, uint64(i), 1)
			if err != nil {
				b.Fatal(err)
			}
			j.Work(0)
		}
	})
	b.Run("gradnorm", func(b *testing.B) {
		net, err := nn.NewMLP(nn.DefaultMLPConfig(obj.InDim(2), obj.OutDim(2)))
		if err != nil {
			b.Fatal(err)
		}
		for _, q := range net.Params() {
			for i := range q.Grad {
				q.Grad[i] = float32(i%7) * 1e-3
			}
		}
		for i := 0; i < b.N; i++ {
			nn.GradNorm(net.Params())
		}
	})
}
