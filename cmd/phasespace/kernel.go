package main

import (
	"io"
	"math"

	"phasespace/evaluate"
)

func init() {
	register("kernel", "print the perturbation kernel (Φ, Σ, Cholesky, ℓ_t) of an SDE at time t", runKernel)
}

func runKernel(args []string, stdout io.Writer) error {
	fs := newFlagSet("kernel")
	sf := addSDEFlags(fs, "cld")
	t := fs.Float64("t", math.NaN(), "forward time in [0, 1] (required)")
	asJSON := fs.Bool("json", false, "print a JSON object instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if math.IsNaN(*t) {
		return usagef("--t is required: a forward time in [0, 1]")
	}
	p, obj, err := sf.build()
	if err != nil {
		return err
	}
	if err := checkFlags("kernel", fs, useContext{SDE: p.Kind}); err != nil {
		return err
	}
	if !(*t >= 0 && *t <= p.T) || math.IsInf(*t, 0) {
		return usagef("--t = %v: want a time in [0, %v]", *t, p.T)
	}
	r, err := evaluate.Kernel(p, obj, *t)
	if err != nil {
		// A singular kernel comes from the parameters the user chose (e.g.
		// dsm at t = 0 without numerical-eps): a usage error.
		return usageError{err}
	}
	if *asJSON {
		return printJSON(stdout, r.Fields())
	}
	return r.WriteTable(stdout)
}
