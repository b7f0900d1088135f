package ode_test

import (
	"fmt"
	"math"

	"phasespace/ode"
)

// Harmonic oscillator d²x/dt² = −x from (1, 0) over one period.
func ExampleSolve() {
	f := func(t float64, y, dy []float64) { dy[0], dy[1] = y[1], -y[0] }
	y := []float64{1, 0}
	st, err := ode.Solve(f, 0, 2*math.Pi, y, ode.Options{RTol: 1e-8, ATol: 1e-8})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("x = %.6f, p = %.6f, NFE %v\n", y[0], y[1], st.NFE == 2+6*(st.Accepted+st.Rejected))
	// Output:
	// x = 1.000000, p = -0.000000, NFE true
}
