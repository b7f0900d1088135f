package sampler_test

import (
	"fmt"

	"phasespace/exact"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/toy"
)

// Sampling CLD with SSCS and quadratic striding from the exact score of
// the diamond data set.
func ExampleSample() {
	p, _ := sde.NewCLD(sde.DefaultCLD())
	data, _ := toy.Mixture("diamond")
	model, _ := exact.New(p, data)
	x, st, err := sampler.Sample(sampler.Config{
		Process: p, Model: model, Method: sampler.SSCS, Striding: sampler.Quadratic, NFE: 100, Seed: 1,
	}, 1000)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d samples, %d NFE (%d steps + denoising)\n", len(x)/2, st.NFE, st.Steps)
	// Output:
	// 1000 samples, 100 NFE (99 steps + denoising)
}

// The probability-flow ODE chooses its own NFE from the tolerances.
func ExampleSample_ode() {
	p, _ := sde.NewVP(sde.DefaultVP())
	data, _ := toy.Mixture("8gaussians")
	model, _ := exact.New(p, data)
	_, st, err := sampler.Sample(sampler.Config{Process: p, Model: model, Method: sampler.ODE, RTol: 1e-3, ATol: 1e-3}, 500)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.NFE > 10, st.NFE == 6*(st.Steps+st.Rejected)+2+1)
	// Output:
	// true true
}

func ExampleGrid() {
	for _, s := range []sampler.Striding{sampler.Uniform, sampler.Quadratic} {
		fmt.Printf("%-9v %.4f\n", s, sampler.Grid(s, 4, 1e-3, 1))
	}
	// Output:
	// uniform   [1.0000 0.7502 0.5005 0.2508 0.0010]
	// quadratic [1.0000 0.5629 0.2507 0.0634 0.0010]
}
