package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// refAdam is a float64 transcription of torch.optim.Adam/AdamW.
func refAdam(theta, grads []float64, steps int, lr, wd float64, decoupled bool) []float64 {
	th := append([]float64(nil), theta...)
	m := make([]float64, len(th))
	v := make([]float64, len(th))
	for s := 1; s <= steps; s++ {
		for i := range th {
			g := grads[i] * float64(s) // gradient changes with the step
			if decoupled {
				th[i] *= 1 - lr*wd
			} else {
				g += wd * th[i]
			}
			m[i] = 0.9*m[i] + 0.1*g
			v[i] = 0.999*v[i] + 0.001*g*g
			mh := m[i] / (1 - math.Pow(0.9, float64(s)))
			vh := v[i] / (1 - math.Pow(0.999, float64(s)))
			th[i] -= lr * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	return th
}

func TestAdamMatchesReference(t *testing.T) {
	theta := []float64{0.5, -1, 2, 0}
	grads := []float64{0.1, -3, 0.002, 1}
	for _, c := range []struct {
		wd        float64
		decoupled bool
	}{{0, false}, {0.1, false}, {0.1, true}} {
		p := newParam("p", 4)
		for i := range theta {
			p.Data[i] = float32(theta[i])
		}
		var opt *Adam
		if c.decoupled {
			opt = NewAdamW(0.01, c.wd)
		} else {
			opt = NewAdam(0.01)
			opt.WeightDecay = c.wd
		}
		for s := 1; s <= 5; s++ {
			for i := range grads {
				p.Grad[i] = float32(grads[i] * float64(s))
			}
			opt.Step([]*Param{p})
		}
		want := refAdam(theta, grads, 5, 0.01, c.wd, c.decoupled)
		for i := range want {
			if math.Abs(float64(p.Data[i])-want[i]) > 1e-6 {
				t.Errorf("wd=%v decoupled=%v: θ[%d] = %v, want %v", c.wd, c.decoupled, i, p.Data[i], want[i])
			}
		}
	}
}

func TestAdamSkipsFrozenAndKeepsState(t *testing.T) {
	p, f := newParam("p", 2), newParam("f", 2)
	f.Frozen = true
	p.Grad[0], f.Grad[0] = 1, 1
	opt := NewAdam(0.1)
	opt.Step([]*Param{p, f})
	if f.Data[0] != 0 {
		t.Error("frozen parameter updated")
	}
	// First Adam step moves by lr·sign(g).
	if math.Abs(float64(p.Data[0])+0.1) > 1e-6 || p.Data[1] != 0 {
		t.Errorf("first step gave %v, want [-0.1 0]", p.Data)
	}
	st, n := opt.State([]*Param{p, f})
	o2 := NewAdam(0.1)
	o2.SetState([]*Param{p, f}, st, n)
	st2, _ := o2.State([]*Param{p})
	if len(st2) != 2 || st2[0].Data[0] != st[0].Data[0] || st2[1].Data[0] != st[1].Data[0] || o2.Steps() != 1 {
		t.Error("state round trip failed")
	}
}

func TestWarmupAndClip(t *testing.T) {
	if WarmupLR(1, 0, 4) != 0.25 || WarmupLR(1, 3, 4) != 1 || WarmupLR(1, 10, 4) != 1 || WarmupLR(2, 5, 0) != 2 {
		t.Error("warm-up schedule wrong")
	}
	p := newParam("p", 2)
	q := newParam("q", 1)
	p.Grad[0], p.Grad[1], q.Grad[0] = 3, 0, 4
	if n := ClipGradNorm([]*Param{p, q}, 1); math.Abs(n-5) > 1e-12 {
		t.Errorf("norm %v, want 5", n)
	}
	if n := GradNorm([]*Param{p, q}); math.Abs(n-1) > 1e-5 {
		t.Errorf("norm after clipping %v, want 1", n)
	}
	if n := ClipGradNorm([]*Param{p, q}, 10); math.Abs(n-1) > 1e-5 || math.Abs(float64(q.Grad[0])-0.8) > 1e-5 {
		t.Error("clipping below the threshold changed gradients")
	}
}

func TestEMA(t *testing.T) {
	p := newParam("p", 1)
	e := NewEMA([]*Param{p}, 0.999)
	want := 0.0
	for n := 0; n < 50; n++ {
		p.Data[0] = float32(n + 1)
		d := math.Min(0.999, float64(1+n)/float64(10+n))
		if math.Abs(e.CurrentDecay()-d) > 1e-15 {
			t.Fatalf("decay at n=%d: %v, want %v", n, e.CurrentDecay(), d)
		}
		want = d*want + (1-d)*float64(n+1)
		e.Update([]*Param{p})
	}
	if math.Abs(float64(e.Shadow[0].Data[0])-want) > 1e-4 {
		t.Errorf("EMA %v, want %v", e.Shadow[0].Data[0], want)
	}
	q := newParam("p", 1)
	e.CopyTo([]*Param{q})
	if q.Data[0] != e.Shadow[0].Data[0] || e.Updates() != 50 {
		t.Error("CopyTo/Updates wrong")
	}
}

// StepEMA is ClipGrads, Step, EMA.Update and ZeroGrad bit for bit: Adam,
// Adam with L2 decay and AdamW, clipping on and off, a frozen parameter,
// lengths off the SIMD width, 1 and 2 goroutines, several steps.
func TestStepEMAEqualsSeparateCalls(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	build := func() []*Param {
		r := rand.New(rand.NewPCG(5, 6))
		var ps []*Param
		for k, n := range []int{3, 40000, 17, 9} {
			p := newParam(fmt.Sprint("p", k), n)
			for i := range p.Data {
				p.Data[i] = float32(r.NormFloat64())
			}
			p.Frozen = k == 2
			ps = append(ps, p)
		}
		return ps
	}
	grads := func(ps []*Param, step int) {
		r := rand.New(rand.NewPCG(7, uint64(step)))
		for _, p := range ps {
			for i := range p.Grad {
				p.Grad[i] = float32(r.NormFloat64())
			}
		}
	}
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for _, opt := range []func() *Adam{
			func() *Adam { return NewAdam(1e-2) },
			func() *Adam { a := NewAdam(1e-2); a.WeightDecay = 0.1; return a },
			func() *Adam { return NewAdamW(1e-2, 0.1) },
		} {
			for _, clip := range []float64{0, 50, 1e9} {
				pa, pb := build(), build()
				oa, ob := opt(), opt()
				ea, eb := NewEMA(pa, 0.9), NewEMA(pb, 0.9)
				for step := 0; step < 4; step++ {
					grads(pa, step)
					grads(pb, step)
					ClipGradNorm(pa, clip)
					oa.Step(pa)
					ea.Update(pa)
					ZeroGrad(pa)
					ob.StepEMA(pb, eb, ClipScale(GradNorm(pb), clip))
				}
				for k := range pa {
					for _, pair := range [][2][]float32{{pa[k].Data, pb[k].Data}, {pa[k].Grad, pb[k].Grad}, {ea.Shadow[k].Data, eb.Shadow[k].Data}, {oa.m[pa[k]], ob.m[pb[k]]}} {
						for i := range pair[0] {
							if math.Float32bits(pair[0][i]) != math.Float32bits(pair[1][i]) {
								t.Fatalf("procs %d clip %v param %d element %d: separate %v, fused %v", procs, clip, k, i, pair[0][i], pair[1][i])
							}
						}
					}
				}
				if ea.Updates() != eb.Updates() || oa.Steps() != ob.Steps() {
					t.Fatal("step counters differ")
				}
			}
		}
	}
}
