// Package mixture describes Gaussian mixtures with diagonal component
// covariances: sampling, log-density and score in float64. The 2-D toy
// mixtures (8gaussians, diamond) and the exact-score oracle are built on it.
package mixture

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Component is one Gaussian of a mixture with diagonal covariance.
type Component struct {
	Weight float64   // mixing weight; the weights of a Mixture sum to 1
	Mean   []float64 // length Dim
	Var    []float64 // diagonal covariance, length Dim, each > 0
}

// Mixture is a finite Gaussian mixture in Dim dimensions.
type Mixture struct {
	Dim        int
	Components []Component
}

// Validate reports the first inconsistency in m, or nil: a dimension below
// 1, no components, mean or variance lengths other than Dim, a weight ≤ 0,
// a variance that is not finite and > 0, or weights that do not sum to 1.
func (m *Mixture) Validate() error {
	if m.Dim < 1 {
		return fmt.Errorf("mixture: dimension %d, want >= 1", m.Dim)
	}
	if len(m.Components) == 0 {
		return errors.New("mixture: no components")
	}
	sum := 0.0
	for k, c := range m.Components {
		if len(c.Mean) != m.Dim || len(c.Var) != m.Dim {
			return fmt.Errorf("mixture: component %d has mean/var lengths %d/%d, want %d", k, len(c.Mean), len(c.Var), m.Dim)
		}
		if !(c.Weight > 0) {
			return fmt.Errorf("mixture: component %d has weight %v, want > 0", k, c.Weight)
		}
		for j, v := range c.Var {
			if !(v > 0) || math.IsInf(v, 0) {
				return fmt.Errorf("mixture: component %d variance[%d] = %v, want finite > 0", k, j, v)
			}
		}
		sum += c.Weight
	}
	if math.Abs(sum-1) > 1e-9 {
		return fmt.Errorf("mixture: weights sum to %v, want 1", sum)
	}
	return nil
}

// Isotropic builds an equal-weight mixture of isotropic Gaussians with the
// given means (each of the same length) and common standard deviation.
func Isotropic(means [][]float64, std float64) *Mixture {
	m := &Mixture{Dim: len(means[0])}
	for _, mu := range means {
		v := make([]float64, len(mu))
		for j := range v {
			v[j] = std * std
		}
		m.Components = append(m.Components, Component{
			Weight: 1 / float64(len(means)),
			Mean:   append([]float64(nil), mu...),
			Var:    v,
		})
	}
	return m
}

// Pick returns a component index drawn with the mixing weights from u in [0,1).
func (m *Mixture) Pick(u float64) int {
	acc := 0.0
	for k, c := range m.Components {
		acc += c.Weight
		if u < acc {
			return k
		}
	}
	return len(m.Components) - 1
}

// SampleOne writes one draw into dst (length Dim) using r.
func (m *Mixture) SampleOne(dst []float64, r *rand.Rand) {
	c := m.Components[m.Pick(r.Float64())]
	for j := range dst {
		dst[j] = c.Mean[j] + math.Sqrt(c.Var[j])*r.NormFloat64()
	}
}

// LogProb returns log p(x) for one point x of length Dim.
func (m *Mixture) LogProb(x []float64) float64 {
	lp := make([]float64, len(m.Components))
	for k := range m.Components {
		lp[k] = m.componentLogProb(k, x)
	}
	return LogSumExp(lp)
}

// Score writes ∇_x log p(x) into dst and returns log p(x).
func (m *Mixture) Score(dst, x []float64) float64 {
	lp := make([]float64, len(m.Components))
	for k := range m.Components {
		lp[k] = m.componentLogProb(k, x)
	}
	lse := LogSumExp(lp)
	for j := range dst {
		dst[j] = 0
	}
	for k, c := range m.Components {
		r := math.Exp(lp[k] - lse)
		for j := range dst {
			dst[j] -= r * (x[j] - c.Mean[j]) / c.Var[j]
		}
	}
	return lse
}

func (m *Mixture) componentLogProb(k int, x []float64) float64 {
	c := m.Components[k]
	s := math.Log(c.Weight)
	for j, xj := range x {
		d := xj - c.Mean[j]
		s -= 0.5 * (d*d/c.Var[j] + math.Log(2*math.Pi*c.Var[j]))
	}
	return s
}

// LogSumExp returns log Σ exp(v[i]) without overflow; -Inf for an empty or all -Inf v.
func LogSumExp(v []float64) float64 {
	mx := math.Inf(-1)
	for _, x := range v {
		if x > mx {
			mx = x
		}
	}
	if math.IsInf(mx, -1) {
		return mx
	}
	s := 0.0
	for _, x := range v {
		s += math.Exp(x - mx)
	}
	return mx + math.Log(s)
}
