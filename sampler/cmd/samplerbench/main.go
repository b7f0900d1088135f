// Command samplerbench measures the samplers of package sampler with the
// exact score of a Gaussian-mixture data set: for each data set, SDE,
// sampler, striding and NFE it draws samples and prints the unbiased MMD²
// and the energy distance against fresh data (docs/metrics.md, Sample metrics), the
// NFE actually used and the throughput, as Markdown tables. With -png it
// also plots MMD² against NFE. With -sscs it instead compares the SSCS
// conventions (sampler.ScoreTime × sampler.HalfStepBeta) on CLD and PSLD
// with constant and linear β over -reps seeds, with standard errors and
// paired differences (docs/samplers.md, "SSCS conventions"). With -table it
// prints, per SDE × sampler × striding, the smallest NFE of a ladder at
// which MMD² reaches the real-vs-real floor (docs/samplers.md, "Smallest NFE
// at the floor"). The three modes exclude each other.
//
//	go run ./sampler/cmd/samplerbench -n 2000 -png docs/img
//	go run ./sampler/cmd/samplerbench -sscs -n 2000 -reps 5
//	go run ./sampler/cmd/samplerbench -table -n 3000 -seed 1
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"phasespace/exact"
	"phasespace/metrics"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/toy"
)

// errOut receives progress lines.
var errOut io.Writer = os.Stderr

type variant struct {
	m sampler.Method
	s sampler.Striding
}

func (v variant) String() string {
	if v.s == sampler.Quadratic {
		return strings.ToUpper(v.m.String()) + "-QS"
	}
	return strings.ToUpper(v.m.String()) + "-US"
}

type result struct {
	nfe      int
	mmd, ed  float64
	perSec   float64
	diverged bool
}

// usageError is a bad flag: main prints it and exits 2 (other errors exit 1).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "samplerbench:", err)
		if errors.As(err, new(usageError)) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// mainErr parses the flags and runs the selected mode.
func mainErr() error {
	n := flag.Int("n", 2000, "samples per run (and fresh data points)")
	seed := flag.Uint64("seed", 1, "sampler seed (data use seed+1000)")
	nfeList := flag.String("nfe", "10,20,50,100,200,500", "comma-separated NFE budgets for EM and SSCS")
	tolList := flag.String("tol", "1e-2,1e-3,1e-5", "comma-separated ODE tolerances (rtol = atol)")
	dataList := flag.String("data", "diamond,8gaussians", "comma-separated mixture data sets")
	pngDir := flag.String("png", "", "directory for samplers_<data>.png plots (none if empty)")
	sscs := flag.Bool("sscs", false, "instead, compare the four SSCS conventions (score time × half-step β) on CLD and PSLD with constant and linear β")
	reps := flag.Int("reps", 5, "-sscs: repeats (seeds) per cell, >= 2")
	raw := flag.String("raw", "", "-sscs: also write every measured value to this file as it is measured")
	report := flag.String("report", "", "instead, print the -sscs tables from these comma-separated -raw files (complete repeats only)")
	flag.Parse()
	if *tableMode && (*sscs || *report != "") {
		return usagef("-table excludes -sscs and -report (one mode per run)")
	}
	if *raw != "" && !*sscs {
		return usagef("-raw applies to -sscs only")
	}
	if *report != "" {
		st, err := readStudy(strings.Split(*report, ","))
		if err != nil {
			return err
		}
		return reportConventions(os.Stdout, st)
	}
	if *sscs {
		given := map[string]bool{}
		flag.Visit(func(f *flag.Flag) { given[f.Name] = true })
		for _, f := range []string{"tol", "png"} {
			if given[f] {
				return usagef("-%s does not apply to -sscs", f)
			}
		}
		if *reps < 2 {
			return usagef("-reps = %d: want >= 2 (standard errors need two repeats)", *reps)
		}
		if !given["nfe"] {
			*nfeList = "20,30,50,100,200"
		}
		if !given["data"] {
			*dataList = "diamond,8gaussians,gaussian"
		}
		nfes, err := ints(*nfeList)
		if err != nil {
			return err
		}
		st := newStudy()
		st.n, st.seed, st.nfes, st.data = *n, *seed, nfes, strings.Split(*dataList, ",")
		var rawW io.Writer
		if *raw != "" {
			f, err := os.Create(*raw)
			if err != nil {
				return err
			}
			defer f.Close()
			rawW = f
		}
		if err := measureConventions(st, *reps, rawW); err != nil {
			return err
		}
		return reportConventions(os.Stdout, st)
	}
	nfes, err := ints(*nfeList)
	if err != nil {
		return err
	}
	tols, err := floats(*tolList)
	if err != nil {
		return err
	}
	return run(os.Stdout, *n, *seed, nfes, tols, strings.Split(*dataList, ","), *pngDir)
}

func run(w io.Writer, n int, seed uint64, nfes []int, tols []float64, data []string, pngDir string) error {
	if *tableMode {
		return runTable(w, n, seed, tols, data)
	}
	vp, _ := sde.NewVP(sde.DefaultVP())
	cld, _ := sde.NewCLD(sde.DefaultCLD())
	psld, _ := sde.NewPSLD(sde.DefaultPSLD())
	procs := []*sde.Process{vp, cld, psld}
	variants := []variant{{sampler.EM, sampler.Uniform}, {sampler.EM, sampler.Quadratic}, {sampler.SSCS, sampler.Uniform}, {sampler.SSCS, sampler.Quadratic}}
	start := time.Now()
	fmt.Fprintf(w, "Exact score, %d samples vs %d fresh data points, seed %d, ε = 1e-3, denoising on. Cells: MMD² / ED.\n", n, n, seed)
	for _, name := range data {
		mix, ok := toy.Mixture(name)
		if !ok {
			return fmt.Errorf("no exact mixture for %q", name)
		}
		ref, err := toy.Sample(name, n, seed+1000)
		if err != nil {
			return err
		}
		other, _ := toy.Sample(name, n, seed+2000)
		fm, _ := metrics.MMD2(other, ref, 2)
		fe, _ := metrics.EnergyDistance(other, ref, 2)
		fmt.Fprintf(w, "\n### %s\n\nReal-vs-real at this N and seed: MMD² %.4f, ED %.4f (compare the floor table of docs/metrics.md, Noise floors and test thresholds).\n\n", name, fm, fe)
		fmt.Fprintf(w, "| sampler | SDE |")
		for _, k := range nfes {
			fmt.Fprintf(w, " NFE %d |", k)
		}
		fmt.Fprintf(w, " samples/s @100 |\n|---|---|")
		for range nfes {
			fmt.Fprintf(w, "---|")
		}
		fmt.Fprintf(w, "---|\n")
		series := map[sde.Kind][]line{}
		for _, v := range variants {
			for _, p := range procs {
				o, err := exact.New(p, mix)
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "| %v | %v |", v, p.Kind)
				var xs, ys []float64
				rate := math.NaN()
				for _, k := range nfes {
					r := measure(sampler.Config{Process: p, Model: o, Method: v.m, Striding: v.s, NFE: k, Seed: seed}, n, ref)
					if r.diverged {
						fmt.Fprintf(w, " diverged |")
						continue
					}
					fmt.Fprintf(w, " %s / %s |", num(r.mmd), num(r.ed))
					xs, ys = append(xs, float64(k)), append(ys, math.Max(r.mmd, 1e-4))
					if k == 100 {
						rate = r.perSec
					}
				}
				fmt.Fprintf(w, " %.0f |\n", rate)
				series[p.Kind] = append(series[p.Kind], line{v.String(), xs, ys})
			}
		}
		fmt.Fprintf(w, "\n| ODE (RK45) | SDE | tolerance | NFE | MMD² | ED | samples/s |\n|---|---|---|---|---|---|---|\n")
		for _, p := range procs {
			o, _ := exact.New(p, mix)
			var xs, ys []float64
			for _, tol := range tols {
				r := measure(sampler.Config{Process: p, Model: o, Method: sampler.ODE, RTol: tol, ATol: tol, Seed: seed}, n, ref)
				if r.diverged {
					fmt.Fprintf(w, "| ODE | %v | %g | – | diverged | | |\n", p.Kind, tol)
					continue
				}
				fmt.Fprintf(w, "| ODE | %v | %g | %d | %s | %s | %.0f |\n", p.Kind, tol, r.nfe, num(r.mmd), num(r.ed), r.perSec)
				xs, ys = append(xs, float64(r.nfe)), append(ys, math.Max(r.mmd, 1e-4))
			}
			series[p.Kind] = append(series[p.Kind], line{"ODE (tol 1e-2…1e-5)", xs, ys})
		}
		if pngDir != "" {
			path := filepath.Join(pngDir, "samplers_"+name+".png")
			if err := plotPanels(path, name, n, procs, series); err != nil {
				return err
			}
			fmt.Fprintf(w, "\nPlot: %s\n", path)
		}
	}
	fmt.Fprintf(w, "\nTotal time %v.\n", time.Since(start).Round(time.Second))
	return nil
}

func measure(c sampler.Config, n int, ref []float64) result {
	x, st, err := sampler.Sample(c, n)
	if err != nil {
		return result{diverged: true}
	}
	mmd, _ := metrics.MMD2(x, ref, 2)
	ed, _ := metrics.EnergyDistance(x, ref, 2)
	return result{nfe: st.NFE, mmd: mmd, ed: ed, perSec: st.SamplesPerSecond(n)}
}

func num(v float64) string {
	if math.Abs(v) >= 0.01 {
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 2 {
			return nil, usagef("-nfe %q: want integers >= 2", f)
		}
		out = append(out, k)
	}
	return out, nil
}

func floats(s string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || !(v > 0 && v < 1) {
			return nil, usagef("-tol %q: want values in (0, 1)", f)
		}
		out = append(out, v)
	}
	return out, nil
}
