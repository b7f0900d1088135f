package score_test

import (
	"fmt"

	"phasespace/score"
)

// Func adapts a function, here the score −x of a standard normal (VP: no
// velocity), to the Model interface.
func Example() {
	var m score.Model = score.Func{D: 2, F: func(t float64, x, v, sx, sv []float64) {
		for i := range x {
			sx[i] = -x[i]
		}
	}}
	sx := make([]float64, 4)
	m.Score(0.3, []float64{1, 2, 3, 4}, nil, sx, nil)
	fmt.Println(m.Dim(), sx)
	// Output: 2 [-1 -2 -3 -4]
}
