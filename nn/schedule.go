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
	if maxNorm > 0 && n > maxNorm {
		c := float32(maxNorm / (n + 1e-6))
		for _, p := range ps {
			if p.Frozen {
				continue
			}
			for i := range p.Grad {
				p.Grad[i] *= c
			}
		}
	}
	return n
}
