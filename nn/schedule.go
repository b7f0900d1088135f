package nn

import "math"

// WarmupLR returns the linearly warmed-up learning rate for update number
// step (0-based): base·min(1, (step+1)/warmup); warmup ≤ 0 disables it.
func WarmupLR(base float64, step, warmup int) float64 {
	if warmup <= 0 || step+1 >= warmup {
		return base
	}
	return base * float64(step+1) / float64(warmup)
}

// GradNorm returns the global L2 norm of the gradients of the non-frozen ps.
func GradNorm(ps []*Param) float64 {
	var s float64
	for _, p := range ps {
		if p.Frozen {
			continue
		}
		for _, g := range p.Grad {
			s += float64(g) * float64(g)
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm scales all gradients by maxNorm/(norm+1e-6) when their
// global norm exceeds maxNorm (as torch.nn.utils.clip_grad_norm_) and
// returns the norm before clipping. maxNorm ≤ 0 only measures.
func ClipGradNorm(ps []*Param, maxNorm float64) float64 {
	n := GradNorm(ps)
	ClipGrads(ps, n, maxNorm)
	return n
}

// ClipScale is the factor ClipGrads multiplies the gradients by:
// float32(maxNorm/(norm+1e-6)) when norm exceeds maxNorm > 0, else 1.
func ClipScale(norm, maxNorm float64) float32 {
	if !(maxNorm > 0 && norm > maxNorm) {
		return 1
	}
	return float32(maxNorm / (norm + 1e-6))
}

// ClipGrads is ClipGradNorm with the norm already measured (GradNorm(ps)):
// it scales the non-frozen gradients by maxNorm/(norm+1e-6) when norm
// exceeds maxNorm > 0, in parallel (each element is one float32 product,
// so the split does not change the result).
func ClipGrads(ps []*Param, norm, maxNorm float64) {
	c := ClipScale(norm, maxNorm)
	if c == 1 {
		return
	}
	for _, p := range ps {
		if p.Frozen {
			continue
		}
		g := p.Grad
		pfor(len(g), elemGrain, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				g[i] *= c
			}
		})
	}
}
