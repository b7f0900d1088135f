package nn

// GroupNorm's per-channel loops. Sums run in eight lane partials (lane i
// mod 8) over the whole groups of eight, added in a fixed tree, then the
// rest in order; products are rounded before they are added (explicit
// conversions: no fused multiply-add), so the AVX2 kernels
// (groupnorm_amd64.s) and these portable loops give the same bits.

// lanes8 adds eight lane sums in a fixed tree.
func lanes8(a []float32) float32 {
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
}

// gnStats returns Σ (v−k) and Σ (v−k)² over xs.
func gnStats(xs []float32, k float32) (s, q float32) {
	n8 := len(xs) &^ 7
	var acc [16]float32
	if !gnStatsSIMD(xs[:n8], k, &acc) {
		for i, v := range xs[:n8] {
			d := v - k
			acc[i&7] += d
			acc[8+i&7] += float32(d * d)
		}
	}
	s, q = lanes8(acc[:8]), lanes8(acc[8:])
	for _, v := range xs[n8:] {
		d := v - k
		s += d
		q += float32(d * d)
	}
	return s, q
}

// gnAffine writes y = a·x + e.
func gnAffine(y, x []float32, a, e float32) {
	n8 := len(x) &^ 7
	i := 0
	if gnAffineSIMD(y[:n8], x[:n8], a, e) {
		i = n8
	}
	for ; i < len(x); i++ {
		y[i] = float32(a*x[i]) + e
	}
}

// mulInPlace writes y = y·s.
func mulInPlace(y, s []float32) {
	n8 := len(y) &^ 7
	i := 0
	if mulInPlaceSIMD(y[:n8], s[:n8]) {
		i = n8
	}
	for ; i < len(y); i++ {
		y[i] *= s[i]
	}
}

// gnBack writes d = dy, or with silu the SiLU chain rule
// d = ((1 + z·(1−sg))·sg)·dy with z = a·x + e (the forward pass's
// pre-activation) and sg = s, and returns Σ d·x̂ and Σ d with
// x̂ = (x−mean)·rstd; c = [a, e, mean, rstd].
func gnBack(d, dy, x, s []float32, c *[4]float32, silu bool) (sa, sd float32) {
	a, e, mean, rstd := c[0], c[1], c[2], c[3]
	n := len(d)
	n8 := n &^ 7
	var acc [16]float32
	one := func(i int) (dv, dq float32) {
		dv = dy[i]
		if silu {
			z := float32(a*x[i]) + e
			sg := s[i]
			t := float32(z*(1-sg)) + 1
			dv = float32(float32(t*sg) * dv)
		}
		d[i] = dv
		q := float32((x[i] - mean) * rstd)
		return dv, float32(dv * q)
	}
	var sv []float32
	if silu {
		sv = s[:n8]
	}
	if !gnBackSIMD(d[:n8], dy[:n8], x[:n8], sv, c, &acc, silu) {
		for i := 0; i < n8; i++ {
			dv, dq := one(i)
			acc[i&7] += dq
			acc[8+i&7] += dv
		}
	}
	sa, sd = lanes8(acc[:8]), lanes8(acc[8:])
	for i := n8; i < n; i++ {
		dv, dq := one(i)
		sa += dq
		sd += dv
	}
	return sa, sd
}

// gnDx turns d into the input gradient rstd·((γ·d − m1) − x̂·m2) with
// x̂ = (x−mean)·rstd; c = [mean, rstd, γ, m1, m2, _, _, _].
func gnDx(d, x []float32, c *[8]float32) {
	mean, rstd, ga, m1, m2 := c[0], c[1], c[2], c[3], c[4]
	n8 := len(d) &^ 7
	i := 0
	if gnDxSIMD(d[:n8], x[:n8], c) {
		i = n8
	}
	for ; i < len(d); i++ {
		q := float32((x[i] - mean) * rstd)
		t := float32(ga*d[i]) - m1
		d[i] = float32(rstd * (t - float32(q*m2)))
	}
}
