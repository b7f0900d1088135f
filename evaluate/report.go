package evaluate

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"phasespace/sde"
)

// KernelReport is the perturbation kernel of a process at forward time T
// for an objective (the initial condition: HSM or DSM), as printed by
// `phasespace kernel`: the mean coefficient Φ_t, the covariance Σ_t and its
// Cholesky factor L_t of p_t(u_t | u_0) (docs/method.md).
type KernelReport struct {
	Process   *sde.Process
	Objective sde.Objective
	T         float64
	Kernel    sde.Kernel
}

// Kernel returns the report of p's kernel at forward time t in [0, p.T]
// under obj; a singular kernel (e.g. DSM at t = 0 without numerical eps)
// is an error of p.Kernel.
func Kernel(p *sde.Process, obj sde.Objective, t float64) (*KernelReport, error) {
	if !(t >= 0 && t <= p.T) {
		return nil, fmt.Errorf("evaluate: kernel time %v outside [0, %v]", t, p.T)
	}
	k, err := p.Kernel(t, obj)
	if err != nil {
		return nil, err
	}
	return &KernelReport{Process: p, Objective: obj, T: t, Kernel: k}, nil
}

// Fields returns the report as JSON-ready fields: the process, t, B(t),
// β(t), the objective, ℓ_t and the matrices Φ, Σ, L (and for second-order
// processes L⁻ᵀ and Σ₀; for VP the standard deviation std).
func (r *KernelReport) Fields() map[string]any {
	p, k, t := r.Process, r.Kernel, r.T
	out := map[string]any{"process": ProcessFields(p), "t": t, "B": p.Schedule.Integral(t), "beta": p.Beta(t),
		"objective": r.Objective.String(), "ell": k.Ell()}
	if p.Order() == 1 {
		out["phi"], out["sigma"], out["L"], out["std"] = [][]float64{{k.Phi.XX}}, [][]float64{{k.Sigma.XX}}, [][]float64{{k.L.L11}}, k.L.L11
		return out
	}
	li11, li12, li22 := k.L.InvT()
	out["phi"] = [][]float64{{k.Phi.XX, k.Phi.XV}, {k.Phi.VX, k.Phi.VV}}
	out["sigma"] = [][]float64{{k.Sigma.XX, k.Sigma.XV}, {k.Sigma.XV, k.Sigma.VV}}
	out["L"] = [][]float64{{k.L.L11, 0}, {k.L.L21, k.L.L22}}
	out["L_inv_T"] = [][]float64{{li11, li12}, {0, li22}}
	out["sigma0"] = [][]float64{{0, 0}, {0, p.InitialCov(r.Objective).VV}}
	return out
}

// WriteTable writes the report as an aligned text table to w.
func (r *KernelReport) WriteTable(w io.Writer) error {
	p, k, t := r.Process, r.Kernel, r.T
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "process\t%v\n", p)
	fmt.Fprintf(tw, "t\t%.10g\tB(t) = %.10g, β(t) = %.10g, objective %v\n", t, p.Schedule.Integral(t), p.Beta(t), r.Objective)
	if p.Order() == 1 {
		fmt.Fprintf(tw, "mean coefficient Φ\t%.10g\n", k.Phi.XX)
		fmt.Fprintf(tw, "variance Σ\t%.10g\t(numerical-eps %g included)\n", k.Sigma.XX, p.NumericalEps)
		fmt.Fprintf(tw, "σ_t\t%.10g\n", k.L.L11)
		fmt.Fprintf(tw, "ℓ_t = 1/σ_t\t%.10g\n", k.Ell())
		return tw.Flush()
	}
	li11, li12, li22 := k.L.InvT()
	fmt.Fprintf(tw, "Φ\t[%.10g\t%.10g]\n\t[%.10g\t%.10g]\n", k.Phi.XX, k.Phi.XV, k.Phi.VX, k.Phi.VV)
	fmt.Fprintf(tw, "Σ (numerical-eps %g on the diagonal)\t[%.10g\t%.10g]\n\t[%.10g\t%.10g]\n", p.NumericalEps, k.Sigma.XX, k.Sigma.XV, k.Sigma.XV, k.Sigma.VV)
	fmt.Fprintf(tw, "L (Σ = LLᵀ)\t[%.10g\t0]\n\t[%.10g\t%.10g]\n", k.L.L11, k.L.L21, k.L.L22)
	fmt.Fprintf(tw, "L⁻ᵀ\t[%.10g\t%.10g]\n\t[0\t%.10g]\n", li11, li12, li22)
	fmt.Fprintf(tw, "ℓ_t = 1/L22\t%.10g\n", k.Ell())
	return tw.Flush()
}

// WriteTable writes result fields (as built by the results' Fields
// methods) to w as an aligned table, one key per line in sorted order;
// a nested map prints as k=v pairs (a map within it as k={...}, its own
// "floor" map last, after "| real-vs-real floor:"), floats with 5 significant digits, and a key also
// found in res["floor"] gets its real-vs-real floor beside it.
func WriteTable(w io.Writer, res map[string]any) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	floor, _ := res["floor"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(res)) {
		if fv, ok := floor[k]; ok {
			fmt.Fprintf(tw, "%s\t%v\treal-vs-real floor %v\n", k, fmtVal(res[k]), fmtVal(fv))
		} else if k != "floor" {
			fmt.Fprintf(tw, "%s\t%v\n", k, fmtVal(res[k]))
		}
	}
	return tw.Flush()
}

func fmtVal(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%.5g", x)
	case map[string]any:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if m, ok := x[k].(map[string]any); ok && k != "floor" {
				parts = append(parts, k+"={"+fmtVal(m)+"}") // braced: its keys are not the outer map's
			} else if k != "floor" {
				parts = append(parts, k+"="+fmtVal(x[k]))
			}
		}
		if f, ok := x["floor"]; ok { // a nested map's floors, as their own part
			parts = append(parts, "| real-vs-real floor: "+fmtVal(f))
		}
		return strings.Join(parts, " ")
	default:
		return fmt.Sprintf("%+v", x)
	}
}

// WriteReport writes res as `phasespace eval` prints it: WriteJSON when
// asJSON, else WriteTable.
func WriteReport(w io.Writer, res map[string]any, asJSON bool) error {
	if asJSON {
		return WriteJSON(w, res)
	}
	return WriteTable(w, res)
}

// WriteJSON writes v as `phasespace eval --json` prints a report:
// indented by two spaces, keys sorted, one trailing newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
