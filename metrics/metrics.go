package metrics

import (
	"fmt"
	"math"
	"sort"

	"phasespace/internal/parallel"
	"phasespace/mixture"
)

func check(x, y []float64, d int) (int, int, error) {
	if d < 1 || len(x)%d != 0 || len(y)%d != 0 || len(x) < 2*d || len(y) < 2*d {
		return 0, 0, fmt.Errorf("metrics: need at least 2 samples of dimension %d in each set (got %d and %d values)", d, len(x), len(y))
	}
	return len(x) / d, len(y) / d, nil
}

// pairSum returns Σ f(‖a_i − b_j‖²) over i, j (i ≠ j when same).
func pairSum(a, b []float64, d int, same bool, f func(float64) float64) float64 {
	na, nb := len(a)/d, len(b)/d
	partial := make([]float64, na)
	parallel.For(na, 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ai := a[i*d : (i+1)*d]
			s := 0.0
			for j := 0; j < nb; j++ {
				if same && i == j {
					continue
				}
				bj := b[j*d : (j+1)*d]
				q := 0.0
				for k := range ai {
					t := ai[k] - bj[k]
					q += t * t
				}
				s += f(q)
			}
			partial[i] = s
		}
	})
	tot := 0.0
	for _, p := range partial {
		tot += p
	}
	return tot
}

// EnergyDistance returns 2E‖X−Y‖ − E‖X−X'‖ − E‖Y−Y'‖ with U-statistic
// within-sample terms (Székely & Rizzo; docs/metrics.md, Sample metrics),
// in the units of the data. x and y are row-major n×d and m×d slices; it
// returns an error unless d ≥ 1, both lengths are multiples of d and each
// set has at least 2 points.
func EnergyDistance(x, y []float64, d int) (float64, error) {
	n, m, err := check(x, y, d)
	if err != nil {
		return 0, err
	}
	fn, fm := float64(n), float64(m)
	xy := pairSum(x, y, d, false, math.Sqrt) / (fn * fm)
	xx := pairSum(x, x, d, true, math.Sqrt) / (fn * (fn - 1))
	yy := pairSum(y, y, d, true, math.Sqrt) / (fm * (fm - 1))
	return 2*xy - xx - yy, nil
}

// Scale returns s = √(mean per-coordinate variance) of y.
func Scale(y []float64, d int) float64 {
	n := len(y) / d
	v := 0.0
	for k := 0; k < d; k++ {
		m := 0.0
		for i := 0; i < n; i++ {
			m += y[i*d+k]
		}
		m /= float64(n)
		for i := 0; i < n; i++ {
			t := y[i*d+k] - m
			v += t * t
		}
	}
	return math.Sqrt(v / float64(n*d))
}

// mmdBandwidthFactors multiply the data scale s to give the RBF bandwidths.
var mmdBandwidthFactors = [...]float64{0.05, 0.1, 0.2, 0.5, 1}

// MMDBandwidthFactors returns a copy of the factors that multiply the data
// scale s to give MMD2's RBF bandwidths: 0.05, 0.1, 0.2, 0.5 and 1
// (docs/metrics.md, Sample metrics).
func MMDBandwidthFactors() []float64 { return append([]float64(nil), mmdBandwidthFactors[:]...) }

// MMD2 returns the unbiased MMD² between samples x and data y with the kernel
// Σ_σ exp(−‖a−b‖²/(2σ²)), σ ∈ s·MMDBandwidthFactors() and s = Scale(y)
// (Gretton et al. 2012; docs/metrics.md, Sample metrics). x is n×d, y m×d,
// row-major; errors as for EnergyDistance.
func MMD2(x, y []float64, d int) (float64, error) {
	n, m, err := check(x, y, d)
	if err != nil {
		return 0, err
	}
	s := Scale(y, d)
	var inv [len(mmdBandwidthFactors)]float64
	for i, f := range mmdBandwidthFactors {
		sig := f * s
		inv[i] = 1 / (2 * sig * sig)
	}
	k := func(q float64) float64 {
		t := 0.0
		for _, c := range inv {
			t += math.Exp(-q * c)
		}
		return t
	}
	fn, fm := float64(n), float64(m)
	return pairSum(x, x, d, true, k)/(fn*(fn-1)) + pairSum(y, y, d, true, k)/(fm*(fm-1)) - 2*pairSum(x, y, d, false, k)/(fn*fm), nil
}

// SlicedW2 returns the sliced Wasserstein-2 distance between two 2-D sample
// sets over 180 fixed angles θ_k = πk/180: the root mean square over angles
// and quantiles of the difference of sorted projections (quantiles are
// interpolated when the sizes differ), in the units of the data
// (docs/metrics.md, Sample metrics). x and y are row-major n×2 and m×2; it
// returns an error for an odd length or fewer than 2 points in a set.
func SlicedW2(x, y []float64) (float64, error) {
	n, m, err := check(x, y, 2)
	if err != nil {
		return 0, err
	}
	q := max(n, m)
	tot := 0.0
	px, py := make([]float64, n), make([]float64, m)
	for k := 0; k < 180; k++ {
		th := math.Pi * float64(k) / 180
		c, s := math.Cos(th), math.Sin(th)
		for i := 0; i < n; i++ {
			px[i] = c*x[2*i] + s*x[2*i+1]
		}
		for i := 0; i < m; i++ {
			py[i] = c*y[2*i] + s*y[2*i+1]
		}
		sort.Float64s(px)
		sort.Float64s(py)
		for i := 0; i < q; i++ {
			u := (float64(i) + 0.5) / float64(q)
			d := quantile(px, u) - quantile(py, u)
			tot += d * d
		}
	}
	return math.Sqrt(tot / float64(180*q)), nil
}

// quantile of sorted v at level u ∈ (0,1), with v[i] at level (i+½)/n.
func quantile(v []float64, u float64) float64 {
	n := len(v)
	p := u*float64(n) - 0.5
	if p <= 0 {
		return v[0]
	}
	if p >= float64(n-1) {
		return v[n-1]
	}
	i := int(p)
	f := p - float64(i)
	return v[i]*(1-f) + v[i+1]*f
}

// Modes is the VEEGAN mode report of samples against a mixture.
type Modes struct {
	Captured    int     `json:"modes_captured"` // components nearest to ≥ 1 high-quality sample
	Total       int     `json:"modes_total"`
	HighQuality float64 `json:"high_quality_fraction"` // within 3σ of the nearest mean
	KL          float64 `json:"kl_to_uniform"`         // KL(assignment histogram ‖ uniform), high-quality samples only
}

// String writes the report for a table: "8/8 modes, 98.4% high quality,
// KL 0.0088".
func (m Modes) String() string {
	return fmt.Sprintf("%d/%d modes, %.1f%% high quality, KL %.2g", m.Captured, m.Total, 100*m.HighQuality, m.KL)
}

// ModeMetrics assigns each sample to its nearest component mean; a sample is
// high quality if within 3σ of it (σ the component's standard deviation).
func ModeMetrics(x []float64, mix *mixture.Mixture) Modes {
	d := mix.Dim
	n := len(x) / d
	counts := make([]int, len(mix.Components))
	hq := 0
	for i := 0; i < n; i++ {
		best, bk := math.Inf(1), 0
		for k, c := range mix.Components {
			q := 0.0
			for j := 0; j < d; j++ {
				t := x[i*d+j] - c.Mean[j]
				q += t * t
			}
			if q < best {
				best, bk = q, k
			}
		}
		sig := math.Sqrt(mix.Components[bk].Var[0])
		if math.Sqrt(best) <= 3*sig {
			hq++
			counts[bk]++
		}
	}
	r := Modes{Total: len(counts)}
	if n > 0 {
		r.HighQuality = float64(hq) / float64(n)
	}
	for _, c := range counts {
		if c > 0 {
			r.Captured++
			if hq > 0 {
				p := float64(c) / float64(hq)
				r.KL += p * math.Log(p*float64(len(counts)))
			}
		}
	}
	return r
}
