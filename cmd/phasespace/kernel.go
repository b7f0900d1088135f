package main

import (
	"fmt"
	"io"
	"math"
	"text/tabwriter"

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
	k, err := p.Kernel(*t, obj)
	if err != nil {
		// A singular kernel comes from the parameters the user chose (e.g.
		// dsm at t = 0 without numerical-eps): a usage error.
		return usageError{err}
	}
	li11, li12, li22 := k.L.InvT()
	out := map[string]any{
		"process":   evaluate.ProcessFields(p),
		"t":         *t,
		"B":         p.Schedule.Integral(*t),
		"beta":      p.Beta(*t),
		"objective": obj.String(),
		"ell":       k.Ell(),
	}
	if p.Order() == 1 {
		out["phi"] = [][]float64{{k.Phi.XX}}
		out["sigma"] = [][]float64{{k.Sigma.XX}}
		out["L"] = [][]float64{{k.L.L11}}
		out["std"] = k.L.L11
	} else {
		out["phi"] = [][]float64{{k.Phi.XX, k.Phi.XV}, {k.Phi.VX, k.Phi.VV}}
		out["sigma"] = [][]float64{{k.Sigma.XX, k.Sigma.XV}, {k.Sigma.XV, k.Sigma.VV}}
		out["L"] = [][]float64{{k.L.L11, 0}, {k.L.L21, k.L.L22}}
		out["L_inv_T"] = [][]float64{{li11, li12}, {0, li22}}
		out["sigma0"] = [][]float64{{0, 0}, {0, p.InitialCov(obj).VV}}
	}
	if *asJSON {
		return printJSON(stdout, out)
	}
	w := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(w, "process\t%v\n", p)
	fmt.Fprintf(w, "t\t%.10g\tB(t) = %.10g, β(t) = %.10g, objective %v\n", *t, p.Schedule.Integral(*t), p.Beta(*t), obj)
	if p.Order() == 1 {
		fmt.Fprintf(w, "mean coefficient Φ\t%.10g\n", k.Phi.XX)
		fmt.Fprintf(w, "variance Σ\t%.10g\t(numerical-eps %g included)\n", k.Sigma.XX, p.NumericalEps)
		fmt.Fprintf(w, "σ_t\t%.10g\n", k.L.L11)
		fmt.Fprintf(w, "ℓ_t = 1/σ_t\t%.10g\n", k.Ell())
		return w.Flush()
	}
	fmt.Fprintf(w, "Φ\t[%.10g\t%.10g]\n\t[%.10g\t%.10g]\n", k.Phi.XX, k.Phi.XV, k.Phi.VX, k.Phi.VV)
	fmt.Fprintf(w, "Σ (numerical-eps %g on the diagonal)\t[%.10g\t%.10g]\n\t[%.10g\t%.10g]\n", p.NumericalEps, k.Sigma.XX, k.Sigma.XV, k.Sigma.XV, k.Sigma.VV)
	fmt.Fprintf(w, "L (Σ = LLᵀ)\t[%.10g\t0]\n\t[%.10g\t%.10g]\n", k.L.L11, k.L.L21, k.L.L22)
	fmt.Fprintf(w, "L⁻ᵀ\t[%.10g\t%.10g]\n\t[0\t%.10g]\n", li11, li12, li22)
	fmt.Fprintf(w, "ℓ_t = 1/L22\t%.10g\n", k.Ell())
	return w.Flush()
}
