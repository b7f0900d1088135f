package experiment_test

import (
	"fmt"

	"phasespace/experiment"
)

// The sampler columns of the image benchmark, parsed from their text form.
func ExampleParseBenchSamplers() {
	cols, err := experiment.ParseBenchSamplers("sscs:100,em:50,ode:1e-3")
	if err != nil {
		panic(err)
	}
	for _, c := range cols {
		fmt.Println(c.Name())
	}
	// Output:
	// sscs-100
	// em-50
	// ode-rtol1e-03
}
