package toy

import (
	"math"
	"testing"

	"phasespace/rng"
)

// The scale s = √(mean per-coordinate variance) of each set, from
// docs/metrics.md, Toy data sets (closed forms where they exist).
func TestScaleAndMeanOfEverySet(t *testing.T) {
	want := map[string]float64{
		"8gaussians": 2.031, "checkerboard": math.Sqrt(16.0 / 3), "2spirals": 1.602, "pinwheel": 1.479,
		"swissroll": 1.371, "moons": 1.422, "circles": 1.698, "rings": 1.454, "diamond": 0.410,
		"multimodal_swissroll": 0.718, "gaussian": math.Sqrt(0.5),
	}
	for _, name := range Names() {
		w, ok := want[name]
		if !ok {
			t.Fatalf("no expected scale for %s", name)
		}
		const n = 40000
		x, err := Sample(name, n, 1)
		if err != nil {
			t.Fatal(err)
		}
		var m [2]float64
		for i := 0; i < n; i++ {
			m[0] += x[2*i] / n
			m[1] += x[2*i+1] / n
		}
		v := 0.0
		for i := 0; i < n; i++ {
			for j := 0; j < 2; j++ {
				d := x[2*i+j] - m[j]
				v += d * d / (2 * n)
			}
		}
		if s := math.Sqrt(v); math.Abs(s-w) > 0.03*w {
			t.Errorf("%s: s = %.4f, want %.4f", name, s, w)
		}
		// Every set except the swiss rolls and moons is centred (symmetric).
		if name != "swissroll" && name != "moons" && name != "multimodal_swissroll" && name != "pinwheel" {
			if math.Hypot(m[0], m[1]) > 0.05*w {
				t.Errorf("%s: mean (%.3f, %.3f), want ≈ 0", name, m[0], m[1])
			}
		}
	}
}

func TestCheckerboardSupportAndDensity(t *testing.T) {
	x, _ := Sample("checkerboard", 20000, 2)
	cells := map[[2]int]int{}
	for i := 0; i < 20000; i++ {
		lp, ok := LogProb("checkerboard", x[2*i:2*i+2])
		if !ok || lp != -math.Log(32) {
			t.Fatalf("sample %v outside the support (log p = %v)", x[2*i:2*i+2], lp)
		}
		cells[[2]int{int(math.Floor(x[2*i] / 2)), int(math.Floor(x[2*i+1] / 2))}]++
	}
	if len(cells) != 8 {
		t.Fatalf("samples fall in %d cells, want 8", len(cells))
	}
	for c, k := range cells {
		if math.Abs(float64(k)-2500) > 5*math.Sqrt(2500) {
			t.Errorf("cell %v has %d samples, want ≈ 2500", c, k)
		}
	}
	if lp, _ := LogProb("checkerboard", []float64{1, -1}); !math.IsInf(lp, -1) {
		t.Errorf("an empty cell has log p = %v", lp)
	}
}

// Monte-Carlo entropies against docs/metrics.md, True entropies.
func TestMixtureEntropies(t *testing.T) {
	for name, want := range map[string]float64{"8gaussians": 2.8342, "diamond": -1.4021} {
		const n = 100000
		x, _ := Sample(name, n, 3)
		var s, s2 float64
		for i := 0; i < n; i++ {
			lp, _ := LogProb(name, x[2*i:2*i+2])
			s -= lp
			s2 += lp * lp
		}
		h := s / n
		se := math.Sqrt((s2/n - h*h) / n)
		if math.Abs(h-want) > 4*se+0.0022 {
			t.Errorf("%s: entropy %.4f ± %.4f, want %.4f", name, h, se, want)
		}
	}
}

func TestSamplesDoNotDependOnCount(t *testing.T) {
	for _, name := range Names() {
		a, _ := Sample(name, 10, 7)
		b, _ := Sample(name, 1000, 7)
		c, _ := Sample(name, 10, 8)
		same := true
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%s: sample %d differs between n=10 and n=1000", name, i/2)
			}
			same = same && a[i] == c[i]
		}
		if same {
			t.Fatalf("%s: seeds 7 and 8 give the same samples", name)
		}
	}
	if _, err := Sample("nope", 3, 1); err == nil {
		t.Fatal("unknown name accepted")
	}
}

// TestSampleIsOneStreamPerSample: sample i of every set is what the
// generator draws from its own rng.New(seed, PurposeData, i) stream (Sample
// reuses one reset stream instead of allocating one per sample), and
// Sample allocates only its result and that stream.
func TestSampleIsOneStreamPerSample(t *testing.T) {
	for _, name := range Names() {
		got, err := Sample(name, 50, 11)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 50; i++ {
			want := make([]float64, 2)
			generators[name](rng.New(11, rng.PurposeData, uint64(i)), want)
			if got[2*i] != want[0] || got[2*i+1] != want[1] {
				t.Fatalf("%s: sample %d = %v, its own stream gives %v", name, i, got[2*i:2*i+2], want)
			}
		}
	}
	if a := testing.AllocsPerRun(5, func() { Sample("8gaussians", 512, 3) }); a > 3 {
		t.Errorf("Sample(512) allocates %v times, want at most 3 (result, stream, generator)", a)
	}
}
