package nn

import (
	"math"
	"testing"
)

func TestLinearGrad(t *testing.T) {
	for _, silu := range []bool{false, true} {
		r := newRand(3, 4)
		l := NewLinear("l", 5, 4, silu, r)
		const batch = 3
		x := randSlice(r, batch*5, 1)
		w := randSlice(r, batch*4, 1)
		loss := func() float64 { return dot(w, l.Forward(x, batch)) }
		loss()
		ZeroGrad(l.Params())
		dx := append([]float32(nil), l.Backward(w, true, true)...)
		checkGrad(t, "dx", x, dx, loss, 1e-2, 1e-2, 100)
		checkGrad(t, "dW", l.W.Data, l.W.Grad, loss, 1e-2, 1e-2, 100)
		checkGrad(t, "db", l.B.Data, l.B.Grad, loss, 1e-2, 1e-2, 100)
	}
}

// TestLinearLargeBatch checks a large batch (blocked, multi-threaded GEMM)
// against rows evaluated one at a time, including after the weights change.
func TestLinearLargeBatch(t *testing.T) {
	const batch = 600
	r := newRand(5, 6)
	l := NewLinear("l", 7, 5, true, r)
	x := randSlice(r, batch*7, 1)
	for round := 0; round < 2; round++ {
		big := append([]float32(nil), l.Forward(x, batch)...)
		for b := 0; b < batch; b++ {
			small := l.Forward(x[b*7:b*7+7], 1)
			for j := range small {
				if math.Abs(float64(small[j]-big[b*5+j])) > 1e-6 {
					t.Fatalf("round %d row %d: %v vs %v", round, b, small, big[b*5:b*5+5])
				}
			}
		}
		l.W.Data[3] += 0.5
	}
}

func TestLinearMatchesDefinition(t *testing.T) {
	r := newRand(1, 1)
	l := NewLinear("l", 3, 2, true, r)
	x := []float32{0.5, -1, 2}
	y := l.Forward(x, 1)
	for j := 0; j < 2; j++ {
		z := float64(l.B.Data[j])
		for k := 0; k < 3; k++ {
			z += float64(l.W.Data[j*3+k]) * float64(x[k])
		}
		want := z / (1 + math.Exp(-z))
		if math.Abs(float64(y[j])-want) > 1e-6 {
			t.Errorf("y[%d] = %v, want %v", j, y[j], want)
		}
	}
	// PyTorch default init bound 1/sqrt(fan_in).
	for _, v := range l.W.Data {
		if math.Abs(float64(v)) > 1/math.Sqrt(3) {
			t.Errorf("weight %v outside ±1/√3", v)
		}
	}
}

func TestExp32(t *testing.T) {
	for x := -80.0; x <= 80; x += 0.0371 {
		got, want := float64(exp32(float32(x))), math.Exp(float64(float32(x)))
		if math.Abs(got-want) > 5e-7*want {
			t.Fatalf("exp32(%v) = %v, want %v", x, got, want)
		}
	}
	if s := sigmoid32(-1000); s != s || s < 0 || s > 1e-30 {
		t.Errorf("sigmoid32(-1000) = %v", s)
	}
	if s := sigmoid32(1000); s != 1 {
		t.Errorf("sigmoid32(1000) = %v", s)
	}
}

func TestTimeEmbedding(t *testing.T) {
	r := newRand(1, 2)
	e, err := NewTimeEmbedding("e", EmbedSinusoidal, 8, false, 1000, r)
	if err != nil {
		t.Fatal(err)
	}
	out := e.Forward([]float32{0, 0.25}, 2)
	for i := 0; i < 4; i++ {
		if out[i] != 0 || out[i+4] != 1 {
			t.Errorf("t=0: e[%d]=%v e[%d]=%v, want 0 and 1", i, out[i], i+4, out[i+4])
		}
		f := 1000 * math.Pow(10000, -float64(i)/4)
		if math.Abs(float64(out[8+i])-math.Sin(0.25*f)) > 1e-5 || math.Abs(float64(out[12+i])-math.Cos(0.25*f)) > 1e-5 {
			t.Errorf("t=0.25 component %d wrong", i)
		}
	}
	f, err := NewTimeEmbedding("e", EmbedFourier, 6, true, 16, r)
	if err != nil {
		t.Fatal(err)
	}
	if !f.W.Frozen || len(f.Params()) != 1 {
		t.Fatal("Fourier frequencies must be one frozen parameter")
	}
	out = f.Forward([]float32{0.1}, 1)
	for i := 0; i < 3; i++ {
		a := 2 * math.Pi * math.Log(0.1) * float64(f.W.Data[i])
		if math.Abs(float64(out[i])-math.Sin(a)) > 1e-4 || math.Abs(float64(out[3+i])-math.Cos(a)) > 1e-4 {
			t.Errorf("fourier component %d wrong", i)
		}
	}
	if _, err := NewTimeEmbedding("e", "bogus", 8, false, 1, r); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := NewTimeEmbedding("e", EmbedSinusoidal, 7, false, 1, r); err == nil {
		t.Error("odd dimension accepted")
	}
}

func TestMSELoss(t *testing.T) {
	p, y := []float32{1, 2, 3, 4}, []float32{0, 2, 5, 4}
	g := make([]float32, 4)
	if l := MSELoss(p, y, g); l != 1.25 {
		t.Errorf("loss %v, want 1.25", l)
	}
	want := []float32{0.5, 0, -1, 0}
	for i := range g {
		if g[i] != want[i] {
			t.Errorf("grad %v, want %v", g, want)
		}
	}
}

func BenchmarkSigmoid32(b *testing.B) {
	x := randSlice(newRand(1, 1), 4096, 3)
	y := make([]float32, len(x))
	for i := 0; i < b.N; i++ {
		for j, v := range x {
			y[j] = sigmoid32(v)
		}
	}
}

func BenchmarkExp32(b *testing.B) {
	x := randSlice(newRand(1, 1), 4096, 3)
	y := make([]float32, len(x))
	for i := 0; i < b.N; i++ {
		for j, v := range x {
			y[j] = exp32(v)
		}
	}
}
