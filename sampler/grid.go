package sampler

import "fmt"

// Grid returns the K+1 forward times t_0 = T > t_1 > … > t_K = ε of K
// steps from the prior at T to ε (docs/samplers.md, Semantics: NFE
// accounting), with reverse times
// τ_k = T − t_k:
//
//	Uniform:   τ_k = (T−ε)·k/K                  (linspace(0, T−ε, K+1))
//	Quadratic: τ_k = (T−ε)·(1 − (1 − k/K)²),    t_k = ε + (T−ε)(1 − k/K)²
//
// It panics if K < 1 or the striding is unknown.
func Grid(s Striding, K int, eps, T float64) []float64 {
	if K < 1 {
		panic(fmt.Sprintf("sampler: Grid with %d steps", K))
	}
	t := make([]float64, K+1)
	for k := 0; k <= K; k++ {
		r := float64(k) / float64(K)
		switch s {
		case Uniform:
			t[k] = T - (T-eps)*r
		case Quadratic:
			q := 1 - r
			t[k] = eps + (T-eps)*q*q
		default:
			panic(fmt.Sprintf("sampler: unknown striding %v", s))
		}
	}
	t[0], t[K] = T, eps
	return t
}
