package exact_test

import (
	"fmt"

	"phasespace/exact"
	"phasespace/mixture"
	"phasespace/sde"
)

// The VP-SDE keeps a standard normal distribution standard normal, so the
// exact score at every time is −x.
func Example() {
	p, _ := sde.NewVP(sde.DefaultVP())
	o, err := exact.New(p, mixture.Isotropic([][]float64{{0, 0}}, 1))
	if err != nil {
		panic(err)
	}
	sx := make([]float64, 2)
	o.Score(0.5, []float64{1, -2}, nil, sx, nil)
	fmt.Printf("%.6f %.6f\n", sx[0], sx[1])
	// Output: -1.000000 2.000000
}
