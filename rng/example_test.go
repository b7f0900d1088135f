package rng_test

import (
	"fmt"

	"phasespace/rng"
)

// A stream is a function of the seed and its keys only.
func Example() {
	a := rng.New(7, rng.PurposeData, 3).Float64()
	b := rng.New(7, rng.PurposeData, 3).Float64()
	c := rng.New(7, rng.PurposeData, 4).Float64()
	fmt.Println(a == b, a == c, rng.Key(7, 3) == rng.Key(7, 3))
	// Output: true false true
}
