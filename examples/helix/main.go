// Command helix writes the 3-D point cloud of docs/data.md: n points of a
// noisy helix of radius 3 and pitch π (two turns, z from 0 to 2π),
//
//	t ~ U[0, 4π],  (x, y, z) = (3 cos t, 3 sin t, t/2) + N(0, 0.1² I₃),
//
// drawn from rng.New(seed, rng.PurposeData), as CSV with a header row and 4
// decimals. The shipped file is its default output:
//
//	go run ./examples/helix > examples/helix/helix.csv
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"

	"phasespace/rng"
)

func main() {
	n := flag.Int("n", 2000, "points")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := write(os.Stdout, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "helix:", err)
		os.Exit(1)
	}
}

// write writes n helix points drawn with seed to w.
func write(w io.Writer, n int, seed uint64) error {
	g := rng.New(seed, rng.PurposeData)
	if _, err := fmt.Fprintln(w, "x,y,z"); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		t := 4 * math.Pi * g.Float64()
		x, y, z := 3*math.Cos(t)+0.1*g.NormFloat64(), 3*math.Sin(t)+0.1*g.NormFloat64(), t/2+0.1*g.NormFloat64()
		if _, err := fmt.Fprintf(w, "%.4f,%.4f,%.4f\n", x, y, z); err != nil {
			return err
		}
	}
	return nil
}
