package objective_test

import (
	"fmt"

	"phasespace/objective"
	"phasespace/sde"
)

// Prepare a CLD hybrid-score-matching batch: the network sees (x_t, v_t)
// and predicts the velocity part only.
func Example() {
	p, _ := sde.NewCLD(sde.DefaultCLD())
	c := &objective.Config{Process: p, MixedScore: true}
	var b objective.Batch
	x0 := []float64{1, 0, -1, 0, 0, 2} // three 2-D points
	if err := c.Prepare(&b, x0, 2, 1, 0); err != nil {
		panic(err)
	}
	fmt.Println(c.EffectiveObjective(), b.N, b.InDim, b.OutDim, len(b.Target))
	// Output: hsm 3 4 2 6
}
