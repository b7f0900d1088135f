package sde

import "testing"

// benchDriftSink keeps the benchmarked results alive.
var benchDriftSink float64

// BenchmarkDrift compares the probability-flow drift of an order-2 batch
// through Drift.Eval and through Drift.At2 with the same drift written out
// inline (the form the samplers used before the Drift methods), measured
// in the same run:
//
//	go test -run '^$' -bench Drift -count 5 ./sde
func BenchmarkDrift(b *testing.B) {
	p, err := NewPSLD(DefaultPSLD())
	if err != nil {
		b.Fatal(err)
	}
	const n = 1 << 14
	x, v, sx, sv := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], v[i], sx[i], sv[i] = float64(i%7)-3, float64(i%5)-2, float64(i%3)-1, float64(i%11)-5
	}
	dx, dv := make([]float64, n), make([]float64, n)
	b.Run("inline", func(b *testing.B) {
		b.SetBytes(6 * 8 * n)
		for b.Loop() {
			beta := p.Beta(0.5)
			a, dd := p.A, p.D
			for j := range x {
				dx[j] = beta * (a.XX*x[j] + a.XV*v[j] - 0.5*dd.XX*sx[j])
				dv[j] = beta * (a.VX*x[j] + a.VV*v[j] - 0.5*dd.VV*sv[j])
			}
		}
		benchDriftSink = dx[1] + dv[1]
	})
	b.Run("At2", func(b *testing.B) {
		b.SetBytes(6 * 8 * n)
		for b.Loop() {
			dr := p.ProbabilityFlowDrift(0.5)
			for j := range x {
				dx[j], dv[j] = dr.At2(x[j], v[j], sx[j], sv[j])
			}
		}
		benchDriftSink = dx[1] + dv[1]
	})
	b.Run("Eval", func(b *testing.B) {
		b.SetBytes(6 * 8 * n)
		for b.Loop() {
			dr := p.ProbabilityFlowDrift(0.5)
			dr.Eval(dx, dv, x, v, sx, sv)
		}
		benchDriftSink = dx[1] + dv[1]
	})
}
