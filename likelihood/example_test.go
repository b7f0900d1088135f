package likelihood_test

import (
	"fmt"
	"math"

	"phasespace/exact"
	"phasespace/likelihood"
	"phasespace/mixture"
	"phasespace/ode"
	"phasespace/sde"
)

// The probability-flow ODE of the VP-SDE with the exact score of a standard
// normal recovers −log N(0; 0, I₂) = log 2π.
func Example() {
	p, _ := sde.NewVP(sde.DefaultVP())
	o, _ := exact.New(p, mixture.Isotropic([][]float64{{0, 0}}, 1))
	r, err := likelihood.NLL(likelihood.Config{Process: p, Model: o, Solve: ode.Integrate, RTol: 1e-7, ATol: 1e-7}, []float64{0, 0})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3f %.3f\n", r.Mean, math.Log(2*math.Pi))
	// Output: 1.838 1.838
}
