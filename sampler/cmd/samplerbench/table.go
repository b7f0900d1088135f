package main

// The -table mode: for each data set, SDE, sampler and striding, the
// smallest NFE of a fixed ladder at which the MMD² of the samples (exact
// score) against fresh data is at the real-vs-real floor, and the cost
// per 1000 samples there (docs/samplers.md, "Smallest NFE at the floor").
//
//	GOMAXPROCS=1 go run ./sampler/cmd/samplerbench -table -n 3000 -seed 1

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"phasespace/exact"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/toy"
)

var (
	tableMode   = flag.Bool("table", false, "instead, print the smallest NFE of -ladder at which MMD² reaches the real-vs-real floor, per SDE × sampler × striding (and ODE tolerance)")
	tableLadder = flag.String("ladder", "5,8,10,12,15,20,25,30,40,50,70,100,150,200,300,500", "-table: increasing NFE ladder searched for EM, SSCS and gDDIM")
	tablePairs  = flag.Int("pairs", 40, "-table: independent real-vs-real pairs that estimate the floor, >= 2")
	tableZ      = flag.Float64("z", 2, "-table: a run is at the floor when MMD² <= mean + z·s.d. of real-vs-real MMD²")
	tableOnly   = flag.String("only", "", "-table: comma-separated samplers to measure (em, sscs, gddim, ode; default all)")
)

// floorStats summarises the real-vs-real MMD² of pairs of independent data
// sets of the same size n: MMD² of n samples against n fresh data points
// from the data law itself has this distribution.
type floorStats struct {
	mean, sd float64
	pairs    int
	z        float64
}

// limit is the largest MMD² that counts as at the floor: mean + z·s.d.
func (f floorStats) limit() float64 { return f.mean + f.z*f.sd }

// at reports whether an MMD² value is at the floor (one-sided: values below
// the real-vs-real mean are as good as data).
func (f floorStats) at(mmd float64) bool { return mmd <= f.limit() }

// newFloorStats returns the mean and sample standard deviation of vals.
func newFloorStats(vals []float64, z float64) (floorStats, error) {
	if len(vals) < 2 {
		return floorStats{}, fmt.Errorf("floor: %d real-vs-real values, want >= 2", len(vals))
	}
	m := 0.0
	for _, v := range vals {
		m += v
	}
	m /= float64(len(vals))
	ss := 0.0
	for _, v := range vals {
		ss += (v - m) * (v - m)
	}
	return floorStats{mean: m, sd: math.Sqrt(ss / float64(len(vals)-1)), pairs: len(vals), z: z}, nil
}

// estimateFloor draws `pairs` pairs of independent data sets of n points
// (seeds seed+5000+2i and seed+5001+2i, disjoint from the reference set's
// seed+1000) and summarises their MMD².
func estimateFloor(name string, n, pairs int, seed uint64, z float64) (floorStats, []float64, error) {
	vals := make([]float64, pairs)
	for i := range vals {
		a, err := toy.Sample(name, n, seed+5000+2*uint64(i))
		if err != nil {
			return floorStats{}, nil, err
		}
		b, _ := toy.Sample(name, n, seed+5001+2*uint64(i))
		r, err := newMMDRef(b, 2)
		if err != nil {
			return floorStats{}, nil, err
		}
		vals[i], _ = r.mmd2(a)
	}
	f, err := newFloorStats(vals, z)
	return f, vals, err
}

// rung is one measured point of a ladder search.
type rung struct {
	nfe  int
	mmd  float64       // NaN when the run failed
	ok   bool          // at the floor
	cost time.Duration // process CPU time of sampling the n samples (wall time where unavailable)
	err  error
}

// ladderResult is the outcome of searchLadder.
type ladderResult struct {
	found  int    // index into the ladder of the reported rung, −1 if none
	rungs  []rung // the rungs evaluated, in ladder order from the first
	lucky  int    // rungs below found that passed while the next rung failed
	topped bool   // the reported rung is the last one, accepted on its own pass
}

// searchLadder evaluates the ladder upward and reports the first rung that
// is at the floor and whose next rung is at the floor too (a pass followed
// by a fail is counted in lucky and the search goes on). The last rung
// needs only its own pass (topped). eval returns the rung at an NFE; it is
// called at most once per rung and never beyond the reported one's
// successor.
func searchLadder(ladder []int, eval func(nfe int) rung) ladderResult {
	res := ladderResult{found: -1}
	for i := range ladder {
		if i == len(res.rungs) {
			res.rungs = append(res.rungs, eval(ladder[i]))
		}
		if !res.rungs[i].ok {
			continue
		}
		if i == len(ladder)-1 {
			res.found, res.topped = i, true
			return res
		}
		res.rungs = append(res.rungs, eval(ladder[i+1]))
		if res.rungs[i+1].ok {
			res.found = i
			return res
		}
		res.lucky++
	}
	return res
}

// tableRow is one sampler × striding row of the table.
type tableRow struct {
	name  string
	m     sampler.Method
	order int
	param sde.Factor
	s     sampler.Striding
}

func (r tableRow) label() string {
	st := "US"
	if r.s == sampler.Quadratic {
		st = "QS"
	}
	if r.m == sampler.GDDIM {
		return fmt.Sprintf("gDDIM q=%d %v | %s", r.order, r.param, st)
	}
	return fmt.Sprintf("%s | %s", r.name, st)
}

func tableRows() []tableRow {
	var rows []tableRow
	for _, s := range []sampler.Striding{sampler.Uniform, sampler.Quadratic} {
		rows = append(rows, tableRow{name: "EM", m: sampler.EM, s: s}, tableRow{name: "SSCS", m: sampler.SSCS, s: s})
		for q := 1; q <= 3; q++ {
			for _, p := range []sde.Factor{sde.FactorR, sde.FactorL} {
				rows = append(rows, tableRow{name: "gDDIM", m: sampler.GDDIM, order: q, param: p, s: s})
			}
		}
	}
	return rows
}

// parseLadder parses -ladder: a strictly increasing list of integers >= 2.
func parseLadder(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 2 {
			return nil, fmt.Errorf("-ladder %q: want integers >= 2", f)
		}
		if len(out) > 0 && k <= out[len(out)-1] {
			return nil, fmt.Errorf("-ladder: %d after %d: want a strictly increasing list", k, out[len(out)-1])
		}
		out = append(out, k)
	}
	return out, nil
}

// runTable is the -table mode (flags validated here; n, seed, tols and data
// come from the shared flags).
func runTable(w io.Writer, n int, seed uint64, tols []float64, data []string) error {
	given := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, f := range []string{"nfe", "png"} {
		if given[f] {
			return usagef("-%s does not apply to -table (use -ladder)", f)
		}
	}
	ladder, err := parseLadder(*tableLadder)
	if err != nil {
		return usagef("%v", err)
	}
	if *tablePairs < 2 {
		return usagef("-pairs = %d: want >= 2 (a standard deviation needs two pairs)", *tablePairs)
	}
	if !(*tableZ > 0) {
		return usagef("-z = %v: want > 0", *tableZ)
	}
	if n < 2 {
		return usagef("-n = %d: want >= 2", n)
	}
	if !given["tol"] {
		tols = []float64{1e-2, 1e-3, 1e-4, 1e-5}
	}
	var only map[sampler.Method]bool
	if *tableOnly != "" {
		only = map[sampler.Method]bool{}
		for _, f := range strings.Split(*tableOnly, ",") {
			m, err := sampler.ParseMethod(strings.TrimSpace(f))
			if err != nil {
				return usagef("-only: %v", err)
			}
			only[m] = true
		}
	}
	return smallestNFETable(w, os.Stderr, n, seed, ladder, tols, data, *tablePairs, *tableZ, only)
}

// smallestNFETable prints the tables; progress lines go to progress. A
// non-nil only restricts the rows to those samplers.
func smallestNFETable(w, progress io.Writer, n int, seed uint64, ladder []int, tols []float64, data []string, pairs int, z float64, only map[sampler.Method]bool) error {
	want := func(m sampler.Method) bool { return only == nil || only[m] }
	vp, _ := sde.NewVP(sde.DefaultVP())
	cld, _ := sde.NewCLD(sde.DefaultCLD())
	psld, _ := sde.NewPSLD(sde.DefaultPSLD())
	procs := []*sde.Process{vp, cld, psld}
	start := time.Now()
	fmt.Fprintf(w, "Exact score, n = %d samples vs %d fresh data points (seed %d+1000), sampler seed %d, ε = 1e-3, denoising on, GOMAXPROCS %d.\n", n, n, seed, seed, runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "Ladder: %s. Floor: MMD² ≤ mean + %g·s.d. of %d real-vs-real pairs of n points. Cell: smallest NFE whose next rung also passes / CPU ms per 1000 samples there (sampling only, process CPU time).\n", joinInts(ladder), z, pairs)
	for _, name := range data {
		mix, ok := toy.Mixture(name)
		if !ok {
			return fmt.Errorf("no exact mixture for %q", name)
		}
		refData, err := toy.Sample(name, n, seed+1000)
		if err != nil {
			return err
		}
		ref, err := newMMDRef(refData, 2)
		if err != nil {
			return err
		}
		fl, vals, err := estimateFloor(name, n, pairs, seed, z)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n### %s\n\nReal-vs-real MMD² (%d pairs of %d): mean %.5f, s.d. %.5f, min %.5f, max %.5f; floor limit %.5f.\n\n", name, pairs, n, fl.mean, fl.sd, minOf(vals), maxOf(vals), fl.limit())
		oracles := make([]*exact.Oracle, len(procs))
		fmt.Fprintf(w, "| sampler | stride |")
		for i, p := range procs {
			if oracles[i], err = exact.New(p, mix); err != nil {
				return err
			}
			fmt.Fprintf(w, " %s NFE | %s ms/1k |", strings.ToUpper(p.Kind.String()), strings.ToUpper(p.Kind.String()))
		}
		fmt.Fprintf(w, "\n|---|---|%s\n", strings.Repeat("--:|--:|", len(procs)))
		var notes []string
		for _, row := range tableRows() {
			if !want(row.m) {
				continue
			}
			fmt.Fprintf(w, "| %s |", row.label())
			for i, p := range procs {
				if row.m == sampler.SSCS && p.Kind == sde.VP {
					fmt.Fprintf(w, " n/a | |")
					continue
				}
				cfg := sampler.Config{Process: p, Model: oracles[i], Method: row.m, Order: row.order, Param: row.param, Striding: row.s, Seed: seed}
				res := searchLadder(ladder, func(k int) rung {
					c := cfg
					c.NFE = k
					return measureRung(c, n, ref, fl)
				})
				cell := fmt.Sprintf("%s %s %s", name, row.label(), p.Kind)
				fmt.Fprintf(progress, "samplerbench -table: %s: %s (%v)\n", cell, describe(res), time.Since(start).Round(time.Second))
				if res.found < 0 {
					last := res.rungs[len(res.rungs)-1]
					fmt.Fprintf(w, " > %d | |", last.nfe)
					notes = append(notes, fmt.Sprintf("%s: MMD² %s at NFE %d%s", cell, num(last.mmd), last.nfe, errNote(last.err)))
					continue
				}
				r := res.rungs[res.found]
				mark := ""
				if res.lucky > 0 {
					mark = "*"
					notes = append(notes, fmt.Sprintf("%s: %s", cell, describe(res)))
				}
				if res.topped {
					mark += "†"
				}
				fmt.Fprintf(w, " %d%s | %.1f |", r.nfe, mark, perThousand(r.cost, n))
			}
			fmt.Fprintln(w)
		}
		if len(notes) > 0 {
			fmt.Fprintf(w, "\n")
			for _, s := range notes {
				fmt.Fprintf(w, "- %s\n", s)
			}
		}
		if !want(sampler.ODE) {
			continue
		}
		fmt.Fprintf(w, "\n| ODE (RK45) | %s | loosest tol at floor | its NFE | ms/1k |\n|---|%s---|--:|--:|\n", tolHeader(tols), strings.Repeat("---|", len(tols)))
		for i, p := range procs {
			fmt.Fprintf(w, "| %s |", strings.ToUpper(p.Kind.String()))
			// Tolerances from loosest to tightest; the reported one must
			// be followed by a pass at the next tighter tolerance too.
			var rs []rung
			for _, tol := range tols {
				r := measureRung(sampler.Config{Process: p, Model: oracles[i], Method: sampler.ODE, RTol: tol, ATol: tol, Seed: seed}, n, ref, fl)
				rs = append(rs, r)
				if r.err != nil {
					fmt.Fprintf(w, " failed |")
					continue
				}
				ok := ""
				if r.ok {
					ok = " ✓"
				}
				fmt.Fprintf(w, " %d (%s%s) |", r.nfe, num(r.mmd), ok)
			}
			best := -1
			for j := range rs {
				if rs[j].ok && (j == len(rs)-1 || rs[j+1].ok) {
					best = j
					break
				}
			}
			if best < 0 {
				fmt.Fprintf(w, " none | | |\n")
			} else {
				fmt.Fprintf(w, " %g | %d | %.1f |\n", tols[best], rs[best].nfe, perThousand(rs[best].cost, n))
			}
			fmt.Fprintf(progress, "samplerbench -table: %s ODE %v done (%v)\n", name, p.Kind, time.Since(start).Round(time.Second))
		}
	}
	fmt.Fprintf(w, "\nMarks: * a lower rung passed but its next rung did not (listed under the table); † the last rung, accepted on its own pass.\nTotal time %v.\n", time.Since(start).Round(time.Second))
	return nil
}

// measureRung samples n points with c and compares them with ref. A failed
// run (e.g. a non-finite state) is not at the floor; its NFE is c.NFE. The
// cost is the process CPU time of sampler.Sample: with GOMAXPROCS=1 that is
// the wall time on an unloaded core, and unlike wall time it does not count
// the time other jobs held the core.
func measureRung(c sampler.Config, n int, ref *mmdRef, fl floorStats) rung {
	cpu0, cpuOK := cpuTime()
	x, st, err := sampler.Sample(c, n)
	cpu1, _ := cpuTime()
	if err != nil {
		return rung{nfe: c.NFE, mmd: math.NaN(), err: err}
	}
	cost := st.Wall
	if cpuOK {
		cost = cpu1 - cpu0
	}
	mmd, err := ref.mmd2(x)
	if err != nil {
		return rung{nfe: st.NFE, mmd: math.NaN(), err: err}
	}
	if math.IsNaN(mmd) {
		return rung{nfe: st.NFE, mmd: mmd, err: errors.New("MMD² is NaN")}
	}
	return rung{nfe: st.NFE, mmd: mmd, ok: fl.at(mmd), cost: cost}
}

// describe lists the evaluated rungs as NFE:MMD² with a ✓ for passes.
func describe(res ladderResult) string {
	parts := make([]string, len(res.rungs))
	for i, r := range res.rungs {
		ok := ""
		if r.ok {
			ok = "✓"
		}
		parts[i] = fmt.Sprintf("%d:%s%s", r.nfe, num(r.mmd), ok)
	}
	return strings.Join(parts, " ")
}

func errNote(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

func perThousand(d time.Duration, n int) float64 {
	return d.Seconds() * 1000 / float64(n) * 1000
}

func tolHeader(tols []float64) string {
	parts := make([]string, len(tols))
	for i, t := range tols {
		parts[i] = fmt.Sprintf("NFE (MMD²) @ %g", t)
	}
	return strings.Join(parts, " | ")
}

func joinInts(v []int) string {
	parts := make([]string, len(v))
	for i, k := range v {
		parts[i] = strconv.Itoa(k)
	}
	return strings.Join(parts, ", ")
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}
