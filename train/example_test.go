package train_test

import (
	"context"
	"fmt"
	"os"

	"phasespace/dataset"
	"phasespace/nn"
	"phasespace/objective"
	"phasespace/sde"
	"phasespace/train"
)

// Train a small MLP for a few steps with the CLD objective; the run ends
// with a checkpoint under OutDir.
func Example() {
	dir, _ := os.MkdirTemp("", "train-example")
	defer os.RemoveAll(dir)
	p, _ := sde.NewCLD(sde.DefaultCLD())
	obj := &objective.Config{Process: p, MixedScore: true}
	mc := nn.DefaultMLPConfig(obj.InDim(2), obj.OutDim(2))
	mc.Hidden, mc.Depth = 16, 1
	net, _ := nn.NewMLP(mc)
	eng, _ := train.NewNNEngine(net, 0.99)
	cfg := &train.Config{Objective: obj, Engine: eng, Data: dataset.Toy{Name: "8gaussians"},
		Steps: 4, BatchSize: 16, LR: 1e-3, OutDir: dir}
	st, err := train.Run(context.Background(), cfg, train.State{})
	if err != nil {
		panic(err)
	}
	fmt.Println(st.Step, st.EMALoss > 0)
	// Output: 4 true
}
