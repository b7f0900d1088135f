package nn

// MSELoss returns mean((pred−target)²) over all elements and, if grad is not
// nil, writes its gradient 2(pred−target)/n into grad.
func MSELoss(pred, target, grad []float32) float64 {
	n := len(pred)
	if n == 0 {
		return 0
	}
	var s float64
	c := float32(2 / float64(n))
	for i, p := range pred {
		d := p - target[i]
		s += float64(d) * float64(d)
		if grad != nil {
			grad[i] = c * d
		}
	}
	return s / float64(n)
}
