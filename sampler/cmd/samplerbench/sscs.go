package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"phasespace/exact"
	"phasespace/metrics"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/toy"
)

// The SSCS convention study (-sscs): the four combinations of
// sampler.ScoreTime and sampler.HalfStepBeta, with the exact score, on CLD
// and PSLD with constant and linear β, uniform and quadratic striding, at
// each NFE. Every repeat r draws the samplers' prior and noise from seed+r
// (the same for all conventions: common random numbers) and compares with
// its own fresh data set (seed+1000+r), so a convention's MMD² and the
// paired difference between two conventions each get a standard error over
// the repeats. For constant β the two β rules give the same sampler, so
// only the score time is varied there.

// conv is one SSCS convention.
type conv struct {
	score sampler.ScoreTime
	beta  sampler.HalfStepBeta
}

func (c conv) String() string { return c.score.String() + "/" + c.beta.String() }

var convs = []conv{
	{sampler.ScoreAtMidpoint, sampler.BetaPerHalf},
	{sampler.ScoreAtStart, sampler.BetaPerHalf},
	{sampler.ScoreAtMidpoint, sampler.BetaFirstHalfTwice},
	{sampler.ScoreAtStart, sampler.BetaFirstHalfTwice},
}

// schedProc is one SDE with one β schedule.
type schedProc struct {
	p      *sde.Process
	sched  string // "const" or "linear"
	betaLn string // β(t) in words
}

// studyProcs returns CLD and PSLD at their CIFAR-10 defaults (constant β)
// and with a linear β of the same order: CLD β(t) = 0.1 + 6.9t (the CLD
// code's post-paper CelebA-HQ schedule) and PSLD twice that, since PSLD's
// β = 8 plays the role of CLD's β = 4 (PSLD with Γ = 0, ν = 4, β = 8 is
// CLD with β = 4, M⁻¹ = 4).
func studyProcs() ([]schedProc, error) {
	var out []schedProc
	cc, pc := sde.DefaultCLD(), sde.DefaultPSLD()
	cl, pl := cc, pc
	cl.Schedule = sde.Schedule{Beta0: 0.1, Beta1: 6.9}
	pl.Schedule = sde.Schedule{Beta0: 0.2, Beta1: 13.8}
	for _, c := range []struct {
		cld   *sde.CLDConfig
		psld  *sde.PSLDConfig
		sched string
	}{{&cc, nil, "const"}, {&cl, nil, "linear"}, {nil, &pc, "const"}, {nil, &pl, "linear"}} {
		var p *sde.Process
		var err error
		var s sde.Schedule
		if c.cld != nil {
			p, err = sde.NewCLD(*c.cld)
			s = c.cld.Schedule
		} else {
			p, err = sde.NewPSLD(*c.psld)
			s = c.psld.Schedule
		}
		if err != nil {
			return nil, err
		}
		words := fmt.Sprintf("β = %g", s.Beta0)
		if s.Beta1 != 0 {
			words = fmt.Sprintf("β(t) = %g + %gt", s.Beta0, s.Beta1)
		}
		out = append(out, schedProc{p, c.sched, words})
	}
	return out, nil
}

// cellKey identifies one configuration of the study.
type cellKey struct {
	data   string
	proc   int // index into studyProcs
	stride sampler.Striding
	nfe    int
	conv   conv
}

// study holds the measured MMD² values: by cell and repeat, and the
// real-vs-real values by data set and repeat.
type study struct {
	n     int
	seed  uint64
	nfes  []int
	data  []string
	mmd   map[cellKey]map[int]float64
	floor map[string]map[int]float64
}

func newStudy() *study {
	return &study{mmd: map[cellKey]map[int]float64{}, floor: map[string]map[int]float64{}}
}

var strides = []sampler.Striding{sampler.Quadratic, sampler.Uniform}

// measureConventions runs the study and, if raw is not nil, writes every
// value to it as it is measured (one record a line, see record), so that a
// long run can be reported on from its completed repeats.
func measureConventions(st *study, reps int, raw io.Writer) error {
	procs, err := studyProcs()
	if err != nil {
		return err
	}
	n, seed := st.n, st.seed
	if raw != nil {
		fmt.Fprintf(raw, "# samplerbench -sscs n=%d seed=%d\n", n, seed)
	}
	start := time.Now()
	for _, name := range st.data {
		mix, ok := toy.Mixture(name)
		if !ok {
			return fmt.Errorf("no exact mixture for %q", name)
		}
		oracles := make([]*exact.Oracle, len(procs))
		for i, sp := range procs {
			if oracles[i], err = exact.New(sp.p, mix); err != nil {
				return err
			}
		}
		for r := 0; r < reps; r++ {
			ref, err := toy.Sample(name, n, seed+1000+uint64(r))
			if err != nil {
				return err
			}
			other, _ := toy.Sample(name, n, seed+2000+uint64(r))
			mc, err := newMMDRef(ref, 2)
			if err != nil {
				return err
			}
			rr, err := mc.mmd2(other)
			if err != nil {
				return err
			}
			if r == 0 {
				// The cached statistic is metrics.MMD2, evaluated faster.
				want, _ := metrics.MMD2(other, ref, 2)
				if math.Abs(rr-want) > 1e-10 {
					return fmt.Errorf("cached MMD² %v differs from metrics.MMD2 %v", rr, want)
				}
			}
			st.add(raw, cellKey{data: name, proc: -1}, r, rr)
			for pi, sp := range procs {
				for _, sd := range strides {
					for _, k := range st.nfes {
						for _, cv := range convs {
							if sp.sched == "const" && cv.beta != sampler.BetaPerHalf {
								continue // identical to the per-half sampler for constant β
							}
							x, _, err := sampler.Sample(sampler.Config{Process: sp.p, Model: oracles[pi], Method: sampler.SSCS,
								Striding: sd, NFE: k, SSCSScore: cv.score, SSCSBeta: cv.beta, Seed: seed + uint64(r)}, n)
							v := math.NaN()
							if err == nil {
								v, _ = mc.mmd2(x) // n ≥ 2 samples of dimension 2
							}
							st.add(raw, cellKey{name, pi, sd, k, cv}, r, v)
						}
					}
				}
			}
			fmt.Fprintf(errOut, "samplerbench -sscs: %s repeat %d/%d done after %v\n", name, r+1, reps, time.Since(start).Round(time.Second))
		}
	}
	return nil
}

// add stores one value (proc −1: the real-vs-real value of the data set)
// and writes its record "data proc striding nfe score beta repeat value".
func (st *study) add(raw io.Writer, k cellKey, r int, v float64) {
	if k.proc < 0 {
		if st.floor[k.data] == nil {
			st.floor[k.data] = map[int]float64{}
		}
		st.floor[k.data][r] = v
	} else {
		if st.mmd[k] == nil {
			st.mmd[k] = map[int]float64{}
		}
		st.mmd[k][r] = v
	}
	if raw != nil {
		fmt.Fprintf(raw, "%s %d %v %d %v %v %d %.17g\n", k.data, k.proc, k.stride, k.nfe, k.conv.score, k.conv.beta, r, v)
	}
}

// readStudy reads the records of measureConventions from files; a repeat
// of a data set is used only if all its values are present.
func readStudy(paths []string) (*study, error) {
	st := newStudy()
	seenNFE := map[int]bool{}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if line == "" {
				continue
			}
			if strings.HasPrefix(line, "#") {
				var n int
				var seed uint64
				if _, err := fmt.Sscanf(line, "# samplerbench -sscs n=%d seed=%d", &n, &seed); err != nil {
					return nil, fmt.Errorf("%s:%d: bad header %q", path, i+1, line)
				}
				if st.n != 0 && (st.n != n || st.seed != seed) {
					return nil, fmt.Errorf("%s:%d: n=%d seed=%d, other files n=%d seed=%d", path, i+1, n, seed, st.n, st.seed)
				}
				st.n, st.seed = n, seed
				continue
			}
			var k cellKey
			var sd, score, beta string
			var r int
			var v float64
			if _, err := fmt.Sscanf(line, "%s %d %s %d %s %s %d %g", &k.data, &k.proc, &sd, &k.nfe, &score, &beta, &r, &v); err != nil {
				return nil, fmt.Errorf("%s:%d: bad record %q: %v", path, i+1, line, err)
			}
			if k.proc >= 0 {
				if k.stride, err = sampler.ParseStriding(sd); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
				}
				if k.conv.score, err = sampler.ParseScoreTime(score); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
				}
				if k.conv.beta, err = sampler.ParseHalfStepBeta(beta); err != nil {
					return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
				}
				if !seenNFE[k.nfe] {
					seenNFE[k.nfe] = true
					st.nfes = append(st.nfes, k.nfe)
				}
			} else if st.floor[k.data] == nil {
				st.data = append(st.data, k.data)
			}
			st.add(nil, k, r, v)
		}
	}
	sort.Ints(st.nfes)
	// Keep only the repeats complete for their data set.
	for _, name := range st.data {
		count := map[int]int{}
		cells := 0
		for k, byRep := range st.mmd {
			if k.data == name {
				cells++
				for r := range byRep {
					count[r]++
				}
			}
		}
		for r := range st.floor[name] {
			if count[r] != cells {
				delete(st.floor[name], r)
			}
		}
		for k, byRep := range st.mmd {
			if k.data != name {
				continue
			}
			for r := range byRep {
				if _, ok := st.floor[name][r]; !ok {
					delete(byRep, r)
				}
			}
		}
	}
	return st, nil
}

// values returns the values of m in the order of the repeats.
func values(m map[int]float64) []float64 {
	var rs []int
	for r := range m {
		rs = append(rs, r)
	}
	sort.Ints(rs)
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = m[r]
	}
	return out
}

func reportConventions(w io.Writer, st *study) error {
	procs, err := studyProcs()
	if err != nil {
		return err
	}
	n, seed, nfes, data := st.n, st.seed, st.nfes, st.data
	reps := 0
	for _, name := range data {
		if r := len(st.floor[name]); reps == 0 || r < reps {
			reps = r
		}
	}
	if reps < 2 {
		return fmt.Errorf("a data set has %d complete repeats, want >= 2", reps)
	}
	mmd := map[cellKey][]float64{}
	for k, m := range st.mmd {
		mmd[k] = values(m)
	}
	floor := map[string][]float64{}
	for k, m := range st.floor {
		floor[k] = values(m)
	}
	same := true
	for _, name := range data {
		same = same && len(st.floor[name]) == reps
	}
	if same {
		fmt.Fprintf(w, "SSCS conventions with the exact score: %d samples vs %d fresh data points, %d repeats (seeds %d…%d, data seeds %d…), ε = 1e-3, denoising on.\n",
			n, n, reps, seed, seed+uint64(reps)-1, seed+1000)
	} else {
		fmt.Fprintf(w, "SSCS conventions with the exact score: %d samples vs %d fresh data points, at least %d complete repeats per data set (seeds %d…, data seeds %d…), ε = 1e-3, denoising on.\n",
			n, n, reps, seed, seed+1000)
	}
	fmt.Fprintf(w, "Conventions: score time (midpoint | start) / half-step β (per-half | first-half). Cells: mean MMD² × 10³ over the repeats (± its standard error).\n")
	fmt.Fprintf(w, "SDEs: ")
	for i, sp := range procs {
		if i > 0 {
			fmt.Fprintf(w, "; ")
		}
		fmt.Fprintf(w, "%v %s", sp.p.Kind, sp.betaLn)
	}
	fmt.Fprintf(w, ".\n")
	for _, name := range data {
		m, se := meanSE(floor[name])
		fmt.Fprintf(w, "\n#### %s\n\nReal-vs-real MMD² × 10³: %s ± %s (mean ± s.e.; one run's s.d. %s).\n\n", name, e3(m), e3(se), e3(se*math.Sqrt(float64(len(floor[name])))))
		fmt.Fprintf(w, "| SDE | β | striding | convention |")
		for _, k := range nfes {
			fmt.Fprintf(w, " NFE %d |", k)
		}
		fmt.Fprintf(w, "\n|---|---|---|---|%s\n", strings.Repeat("---|", len(nfes)))
		for pi, sp := range procs {
			for _, sd := range strides {
				for _, cv := range convs {
					if sp.sched == "const" && cv.beta != sampler.BetaPerHalf {
						continue
					}
					label := cv.String()
					if sp.sched == "const" {
						label = cv.score.String() + "/either"
					}
					fmt.Fprintf(w, "| %v | %s | %v | %s |", sp.p.Kind, sp.sched, sd, label)
					for _, k := range nfes {
						m, se := meanSE(mmd[cellKey{name, pi, sd, k, cv}])
						fmt.Fprintf(w, " %s ± %s |", e3(m), e3(se))
					}
					fmt.Fprintf(w, "\n")
				}
			}
		}
	}

	// Head-to-head comparisons: paired differences over the repeats.
	type duel struct {
		title  string
		a, b   conv
		linear bool // only linear-β cells
	}
	duels := []duel{
		{"score time, per-half β: midpoint − start", convs[0], convs[1], false},
		{"score time, first-half β: midpoint − start", convs[2], convs[3], true},
		{"β rule, score at midpoint: per-half − first-half", convs[0], convs[2], true},
		{"β rule, score at start: per-half − first-half", convs[1], convs[3], true},
		{"both: midpoint/per-half − start/first-half", convs[0], convs[3], false},
	}
	fmt.Fprintf(w, "\n#### Paired differences\n\nCell: mean over the repeats of MMD²(first) − MMD²(second) × 10³ with the same prior, noise and data; "+
		"**bold** when |mean| > 2 standard errors (negative: the first convention is better). For constant β the β rules coincide, so there the second convention is run with per-half β.\n")
	for _, d := range duels {
		fmt.Fprintf(w, "\n%s\n\n| data | SDE | β | striding |", d.title)
		for _, k := range nfes {
			fmt.Fprintf(w, " NFE %d |", k)
		}
		fmt.Fprintf(w, "\n|---|---|---|---|%s\n", strings.Repeat("---|", len(nfes)))
		var winA, winB, tie, winALow, winBLow, win3A, win3B int
		for _, name := range data {
			for pi, sp := range procs {
				if d.linear && sp.sched == "const" {
					continue
				}
				for _, st := range strides {
					fmt.Fprintf(w, "| %s | %v | %s | %v |", name, sp.p.Kind, sp.sched, st)
					for _, k := range nfes {
						a, b := d.a, d.b
						if sp.sched == "const" {
							a.beta, b.beta = sampler.BetaPerHalf, sampler.BetaPerHalf
						}
						xa, xb := mmd[cellKey{name, pi, st, k, a}], mmd[cellKey{name, pi, st, k, b}]
						diff := make([]float64, len(xa))
						for i := range xa {
							diff[i] = xa[i] - xb[i]
						}
						m, se := meanSE(diff)
						cell := e3(m) + " ± " + e3(se)
						if math.Abs(m) > 3*se {
							if m < 0 {
								win3A++
							} else {
								win3B++
							}
						}
						switch {
						case math.Abs(m) > 2*se && m < 0:
							winA++
							if k <= 50 {
								winALow++
							}
							cell = "**" + cell + "**"
						case math.Abs(m) > 2*se && m > 0:
							winB++
							if k <= 50 {
								winBLow++
							}
							cell = "**" + cell + "**"
						default:
							tie++
						}
						fmt.Fprintf(w, " %s |", cell)
					}
					fmt.Fprintf(w, "\n")
				}
			}
		}
		fmt.Fprintf(w, "\nBeyond 2 s.e.: %s better in %d cells (%d at NFE ≤ 50), %s better in %d (%d at NFE ≤ 50), within noise %d. Beyond 3 s.e.: %d vs %d.\n",
			d.a, winA, winALow, d.b, winB, winBLow, tie, win3A, win3B)
	}
	return nil
}

// meanSE returns the mean of v and its standard error (NaN for fewer than
// two values or any NaN).
func meanSE(v []float64) (float64, float64) {
	n := float64(len(v))
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= n
	if len(v) < 2 {
		return m, math.NaN()
	}
	s := 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return m, math.Sqrt(s / (n - 1) / n)
}

// e3 formats v × 10³ with two decimals.
func e3(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.2f", 1e3*v)
}
