package evaluate_test

import (
	"fmt"

	"phasespace/evaluate"
	"phasespace/exact"
	"phasespace/sde"
	"phasespace/toy"
)

// The NLL bound of the exact CLD score of 8gaussians, beside the data's
// own NLL on the same points.
func Example() {
	p, _ := sde.NewCLD(sde.DefaultCLD())
	mix, _ := toy.Mixture("8gaussians")
	score, _ := exact.New(p, mix)
	r, err := evaluate.NLL(p, score, "8gaussians", evaluate.NLLConfig{N: 10, Seed: 1, RTol: 1e-3, ATol: 1e-3})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d points, %s: bound above the data's NLL: %v\n", r.N, r.BoundText(), r.NLL > *r.TrueNLL-0.1)
	// Output: 10 points, augmented E_q[-log p(x,v)] - H(q): bound above the data's NLL: true
}

// Samples drawn from the data itself score at the real-vs-real floor.
func ExampleSamples() {
	x, _ := toy.Sample("checkerboard", 500, 42)
	r, err := evaluate.Samples(x, evaluate.SampleConfig{Data: "checkerboard", N: 500, Seed: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Samples, r.DataN, r.MMD2.Value < 0.01, r.MMD2.Floor < 0.01)
	// Output: 500 500 true true
}
