package nn

import (
	"math"
	"testing"
)

// checkLayer gradient-checks a channel-major Layer: input and every
// parameter. prep runs before each forward (e.g. to fix a dropout mask).
func checkLayer(t *testing.T, name string, l Layer, cin, b, h, w int, train bool, prep func()) {
	t.Helper()
	r := newRand(21, uint64(cin*100+h))
	x := randSlice(r, cin*b*h*w, 1)
	y, oh, ow := l.Forward(x, b, h, w, train)
	wt := randSlice(r, len(y), 1)
	if len(y) != l.OutChannels()*b*oh*ow {
		t.Fatalf("%s: output length %d, want %d", name, len(y), l.OutChannels()*b*oh*ow)
	}
	loss := func() float64 {
		if prep != nil {
			prep()
		}
		y, _, _ := l.Forward(x, b, h, w, train)
		return dot(wt, y)
	}
	loss()
	ZeroGrad(l.Params())
	dx := append([]float32(nil), l.Backward(wt, true, true)...)
	checkGrad(t, name+" input", x, dx, loss, 1e-2, 2e-2, 40)
	for _, p := range l.Params() {
		checkGrad(t, name+" "+p.Name, p.Data, p.Grad, loss, 1e-2, 2e-2, 20)
	}
	if len(l.Params()) == 0 {
		return
	}
	// needDx=false, accum=false must leave gradients alone.
	g0 := append([]float32(nil), l.Params()[0].Grad...)
	loss()
	l.Backward(wt, false, false)
	for i, v := range l.Params()[0].Grad {
		if v != g0[i] {
			t.Fatalf("%s: backward with accum=false changed gradients", name)
		}
	}
}

func TestConvGrad(t *testing.T) {
	for _, target := range []int{1 << 19, 40} { // whole batch, one sample per chunk
		saved := colTarget
		colTarget = target
		testConvGrad(t)
		colTarget = saved
	}
}

func testConvGrad(t *testing.T) {
	r := newRand(1, 1)
	for _, c := range []struct {
		k, s, p, h, w int
	}{{3, 1, 1, 5, 4}, {3, 2, 1, 6, 6}, {3, 2, 1, 5, 7}, {1, 1, 0, 3, 3}, {3, 1, 0, 5, 5}} {
		conv := NewConv2d("c", 3, 4, c.k, c.s, c.p, r, nil)
		checkLayer(t, "conv", conv, 3, 2, c.h, c.w, true, nil)
		if oh := (c.h+2*c.p-c.k)/c.s + 1; conv.oh != oh {
			t.Errorf("output height %d, want %d", conv.oh, oh)
		}
	}
}

// TestConvMatchesDirect compares im2col+GEMM with a direct loop.
func TestConvMatchesDirect(t *testing.T) {
	r := newRand(2, 2)
	const cin, cout, b, h, w = 2, 3, 2, 5, 6
	conv := NewConv2d("c", cin, cout, 3, 2, 1, r, nil)
	x := randSlice(r, cin*b*h*w, 1)
	y, oh, ow := conv.Forward(x, b, h, w, false)
	for o := 0; o < cout; o++ {
		for bb := 0; bb < b; bb++ {
			for oy := 0; oy < oh; oy++ {
				for ox := 0; ox < ow; ox++ {
					s := float64(conv.B.Data[o])
					for ci := 0; ci < cin; ci++ {
						for ky := 0; ky < 3; ky++ {
							for kx := 0; kx < 3; kx++ {
								iy, ix := 2*oy-1+ky, 2*ox-1+kx
								if iy >= 0 && iy < h && ix >= 0 && ix < w {
									s += float64(conv.W.Data[((o*cin+ci)*3+ky)*3+kx]) * float64(x[((ci*b+bb)*h+iy)*w+ix])
								}
							}
						}
					}
					got := y[((o*b+bb)*oh+oy)*ow+ox]
					if math.Abs(float64(got)-s) > 1e-5 {
						t.Fatalf("y[%d,%d,%d,%d] = %v, want %v", o, bb, oy, ox, got, s)
					}
				}
			}
		}
	}
}

func TestGroupNormGrad(t *testing.T) {
	for _, silu := range []bool{false, true} {
		gn := NewGroupNorm("gn", 6, 3, silu)
		r := newRand(4, 4)
		for i := range gn.Gamma.Data {
			gn.Gamma.Data[i] = 1 + 0.3*float32(r.NormFloat64())
			gn.Beta.Data[i] = 0.3 * float32(r.NormFloat64())
		}
		checkLayer(t, "groupnorm", gn, 6, 2, 3, 2, true, nil)
	}
}

func TestGroupNormNormalises(t *testing.T) {
	gn := NewGroupNorm("gn", 4, 2, false)
	r := newRand(5, 5)
	x := randSlice(r, 4*3*10, 3)
	for i := range x {
		x[i] += 5
	}
	y, _, _ := gn.Forward(x, 3, 2, 5, false)
	for b := 0; b < 3; b++ {
		for g := 0; g < 2; g++ {
			var s, ss float64
			for c := 2 * g; c < 2*g+2; c++ {
				for _, v := range y[(c*3+b)*10 : (c*3+b+1)*10] {
					s += float64(v)
					ss += float64(v) * float64(v)
				}
			}
			if math.Abs(s/20) > 1e-5 || math.Abs(ss/20-1) > 1e-3 {
				t.Errorf("group (%d,%d): mean %v, var %v", b, g, s/20, ss/20)
			}
		}
	}
}

func TestAttentionGrad(t *testing.T) {
	r := newRand(6, 6)
	a := NewAttention("attn", 4, 2, r, nil)
	checkLayer(t, "attention", a, 4, 2, 3, 2, true, nil)
}

func TestUpsampleGrad(t *testing.T) {
	u := &Upsample2x{}
	checkLayer(t, "upsample", u, 2, 2, 2, 3, true, nil)
	x := []float32{1, 2, 3, 4}
	y, _, _ := u.Forward(x, 1, 2, 2, false)
	want := []float32{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}
	for i := range want {
		if y[i] != want[i] {
			t.Fatalf("upsample %v, want %v", y, want)
		}
	}
}

func TestResBlockGrad(t *testing.T) {
	r := newRand(7, 7)
	const b, tdim = 2, 3
	st := randSlice(r, b*tdim, 1)
	for _, c := range []struct {
		cin, cout int
		drop      float64
	}{{4, 4, 0}, {2, 4, 0.3}} {
		rb := NewResBlock("rb", c.cin, c.cout, tdim, 2, c.drop, r, newRand(8, 8), nil)
		rb.St = st
		dst := make([]float32, b*tdim)
		rb.DSt = dst
		prep := func() { rb.Drop.rng = newRand(8, 8) }
		checkLayer(t, "resblock", rb, c.cin, b, 3, 3, true, prep)
		// Gradient with respect to the time-embedding input.
		clear(dst)
		x := randSlice(newRand(21, uint64(c.cin*100+3)), c.cin*b*9, 1)
		prep()
		y, _, _ := rb.Forward(x, b, 3, 3, true)
		wt := randSlice(newRand(9, 9), len(y), 1)
		rb.Backward(wt, false, false)
		an := append([]float32(nil), dst...)
		loss := func() float64 { prep(); y, _, _ := rb.Forward(x, b, 3, 3, true); return dot(wt, y) }
		checkGrad(t, "resblock temb", st, an, loss, 1e-2, 2e-2, 20)
	}
}

func TestDropout(t *testing.T) {
	d := NewDropout(0.25, newRand(1, 1))
	x := make([]float32, 40000)
	for i := range x {
		x[i] = 1
	}
	d.apply(x, true)
	zeros := 0
	for _, v := range x {
		switch v {
		case 0:
			zeros++
		case 1 / 0.75:
		default:
			t.Fatalf("dropout produced %v", v)
		}
	}
	if f := float64(zeros) / 40000; math.Abs(f-0.25) > 0.01 {
		t.Errorf("dropped fraction %v, want 0.25", f)
	}
	g := make([]float32, len(x))
	for i := range g {
		g[i] = 1
	}
	d.grad(g)
	for i := range g {
		if g[i] != x[i] {
			t.Fatal("dropout gradient does not use the forward mask")
		}
	}
	y := []float32{1, 2}
	d.apply(y, false)
	if y[0] != 1 || y[1] != 2 {
		t.Error("dropout active in inference mode")
	}
}
