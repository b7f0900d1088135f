package nn_test

import (
	"fmt"

	"phasespace/nn"
)

// Build the toy MLP score network and evaluate it on a batch of 3 inputs.
func Example() {
	cfg := nn.DefaultMLPConfig(4, 2)
	cfg.Hidden, cfg.Depth = 8, 1
	m, err := nn.NewMLP(cfg)
	if err != nil {
		panic(err)
	}
	out := m.Forward(make([]float32, 3*4), []float32{0.1, 0.5, 1}, 3, false)
	fmt.Println(m.InDim(), m.OutDim(), len(out))
	// Output: 4 2 6
}
