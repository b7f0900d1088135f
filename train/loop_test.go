package train

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"phasespace/mixture"
	"phasespace/objective"
	"phasespace/rng"
	"phasespace/sde"
)

// linearEngine is a minimal Engine for testing the loop: out = W·[in, t, 1]
// trained by SGD with momentum, EMA of W. It is float32 like the real one.
type linearEngine struct {
	in, out    int
	w, g, m, e []float32
	lastIn     []float32
	lastT      []float32
	batch      int
	nanAt      int64 // produce NaN output at this step (−1: never)
	step       int64
}

func newLinear(in, out int) *linearEngine {
	n := out * (in + 2)
	le := &linearEngine{in: in, out: out, w: make([]float32, n), g: make([]float32, n), m: make([]float32, n), e: make([]float32, n), nanAt: -1}
	r := rng.New(1, rng.PurposeInit)
	for i := range le.w {
		le.w[i] = float32(0.5 * r.NormFloat64())
		le.e[i] = le.w[i]
	}
	return le
}

type linNet struct {
	le *linearEngine
	w  []float32
}

func (n linNet) Forward(input, t []float32, batch int, train bool) []float32 {
	le := n.le
	out := make([]float32, batch*le.out)
	for i := 0; i < batch; i++ {
		for o := 0; o < le.out; o++ {
			row := n.w[o*(le.in+2) : (o+1)*(le.in+2)]
			s := row[le.in]*t[i] + row[le.in+1]
			for j := 0; j < le.in; j++ {
				s += row[j] * input[i*le.in+j]
			}
			out[i*le.out+o] = s
		}
	}
	return out
}

func (le *linearEngine) Forward(input, t []float32, batch int, train bool) []float32 {
	le.lastIn, le.lastT, le.batch = input, t, batch
	out := linNet{le, le.w}.Forward(input, t, batch, train)
	if le.step == le.nanAt {
		out[0] = float32(math.NaN())
	}
	return out
}

func (le *linearEngine) Backward(gradOut []float32) {
	for i := 0; i < le.batch; i++ {
		for o := 0; o < le.out; o++ {
			g := gradOut[i*le.out+o]
			row := le.g[o*(le.in+2) : (o+1)*(le.in+2)]
			for j := 0; j < le.in; j++ {
				row[j] += g * le.lastIn[i*le.in+j]
			}
			row[le.in] += g * le.lastT[i]
			row[le.in+1] += g
		}
	}
}

func (le *linearEngine) GradNorm() float64 {
	s := 0.0
	for _, g := range le.g {
		s += float64(g) * float64(g)
	}
	return math.Sqrt(s)
}

func (le *linearEngine) Step(step int64, lr, clip float64) {
	scale := float32(1)
	if n := le.GradNorm(); clip > 0 && n > clip {
		scale = float32(clip / n)
	}
	for i := range le.w {
		le.m[i] = 0.9*le.m[i] + scale*le.g[i]
		le.w[i] -= float32(lr) * le.m[i]
		le.e[i] = 0.99*le.e[i] + 0.01*le.w[i]
		le.g[i] = 0
	}
	le.step = step + 1
}

func (le *linearEngine) SkipStep() {
	clear(le.g)
	le.step++
}

func (le *linearEngine) EMA() objective.Network  { return linNet{le, le.e} }
func (le *linearEngine) Live() objective.Network { return linNet{le, le.w} }

func f32bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func fromBytes(dst []float32, b []byte) error {
	if len(b) != 4*len(dst) {
		return errors.New("size mismatch")
	}
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return nil
}

func (le *linearEngine) State() (map[string][]byte, error) {
	st := make([]byte, 8)
	binary.LittleEndian.PutUint64(st, uint64(le.step))
	return map[string][]byte{"w": f32bytes(le.w), "m": f32bytes(le.m), "e": f32bytes(le.e), "step": st}, nil
}

func (le *linearEngine) Restore(f map[string][]byte) error {
	if err := errors.Join(fromBytes(le.w, f["w"]), fromBytes(le.m, f["m"]), fromBytes(le.e, f["e"])); err != nil {
		return err
	}
	le.step = int64(binary.LittleEndian.Uint64(f["step"]))
	return nil
}

func (le *linearEngine) Architecture() json.RawMessage { return json.RawMessage(`{"kind":"linear"}`) }

type mixData struct{ m *mixture.Mixture }

func (d mixData) Dim() int { return d.m.Dim }
func (d mixData) Batch(dst []float64, n int, seed uint64, step int64) error {
	for i := 0; i < n; i++ {
		d.m.SampleOne(dst[i*d.m.Dim:(i+1)*d.m.Dim], rng.New(seed, rng.PurposeTrainBatch, uint64(step), uint64(i)))
	}
	return nil
}

func testConfig(t *testing.T, out string, steps int64) *Config {
	p, _ := sde.NewCLD(sde.CLDConfig{Schedule: sde.Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04, NumericalEps: 1e-6})
	obj := &objective.Config{Process: p, MixedScore: false, LossEps: 1e-3}
	if err := obj.Validate(); err != nil {
		t.Fatal(err)
	}
	return &Config{
		Objective: obj, Engine: newLinear(4, 2),
		Data:  mixData{mixture.Isotropic([][]float64{{1, 0}, {-1, 0.5}}, 0.3)},
		Steps: steps, BatchSize: 32, LR: 0.01, Warmup: 5, Clip: 10, Seed: 42,
		OutDir: out, CheckpointEvery: 10, KeepCheckpoints: 2,
	}
}

func TestLossDecreases(t *testing.T) {
	cfg := testConfig(t, t.TempDir(), 300)
	if _, err := Run(context.Background(), cfg, State{}); err != nil {
		t.Fatal(err)
	}
	_, loss, _, err := ReadCurve(filepath.Join(cfg.OutDir, "loss.csv"))
	if err != nil || len(loss) != 300 {
		t.Fatalf("curve: %d rows, %v", len(loss), err)
	}
	first, last := 0.0, 0.0
	for i := 0; i < 30; i++ {
		first += loss[i]
		last += loss[len(loss)-1-i]
	}
	if !(last < 0.8*first) {
		t.Fatalf("loss did not decrease: first 30 steps %v, last 30 %v", first/30, last/30)
	}
}

// A run interrupted and resumed reaches bit-identical parameters.
func TestResumeEqualsUninterrupted(t *testing.T) {
	full := testConfig(t, t.TempDir(), 57)
	if _, err := Run(context.Background(), full, State{}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	part := testConfig(t, out, 57)
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	part.ProgressEvery = 1
	part.Progress = func(s Status) {
		calls++
		if s.Step == 23 {
			cancel()
		}
	}
	st, err := Run(ctx, part, State{})
	if !errors.Is(err, ErrStopped) || st.Step != 23 {
		t.Fatalf("stop: step %d, err %v", st.Step, err)
	}
	// A fresh process: new engine, restored from disk.
	again := testConfig(t, out, 57)
	st, ok, err := Resume(again, nil)
	if err != nil || !ok || st.Step != 23 {
		t.Fatalf("resume: %+v %v %v", st, ok, err)
	}
	if _, err := Run(context.Background(), again, st); err != nil {
		t.Fatal(err)
	}
	a, b := full.Engine.(*linearEngine), again.Engine.(*linearEngine)
	for i := range a.w {
		if a.w[i] != b.w[i] || a.e[i] != b.e[i] {
			t.Fatalf("parameter %d: uninterrupted %v/%v, resumed %v/%v", i, a.w[i], a.e[i], b.w[i], b.e[i])
		}
	}
	_, l1, _, _ := ReadCurve(filepath.Join(full.OutDir, "loss.csv"))
	_, l2, _, _ := ReadCurve(filepath.Join(out, "loss.csv"))
	if len(l1) != len(l2) || l1[56] != l2[56] {
		t.Fatalf("loss curves differ: %d vs %d rows", len(l1), len(l2))
	}
}

// The engine's output turns NaN in its 13th step (0-based index 12). Steps
// count from 1 everywhere: loss.csv holds steps 1..12, and the error, the
// diagnostic's file name and its "step" field all name step 13, the first
// step that loss.csv does not contain.
func TestNaNStopsWithDiagnosticOrIsSkipped(t *testing.T) {
	out := t.TempDir()
	cfg := testConfig(t, out, 30)
	cfg.Engine.(*linearEngine).nanAt = 12
	_, err := Run(context.Background(), cfg, State{})
	var ne *NumericalError
	if !errors.As(err, &ne) || ne.Quantity != "loss" {
		t.Fatalf("want a NumericalError for the loss, got %v", err)
	}
	steps, _, _, cerr := ReadCurve(filepath.Join(out, "loss.csv"))
	if cerr != nil || len(steps) == 0 {
		t.Fatalf("loss.csv: %v (%d rows)", cerr, len(steps))
	}
	for i, s := range steps {
		if s != float64(i+1) {
			t.Fatalf("loss.csv row %d holds step %v, want %d", i, s, i+1)
		}
	}
	firstMissing := int64(len(steps)) + 1
	if ne.Step != firstMissing || ne.Step != 13 {
		t.Fatalf("error names step %d; loss.csv holds steps 1..%d, so the failed step is %d (the engine's 13th)", ne.Step, len(steps), firstMissing)
	}
	want := fmt.Sprintf("train: step %d:", firstMissing)
	if !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "--") {
		t.Fatalf("message %q does not start with %q or names a command-line flag", err, want)
	}
	if filepath.Base(ne.Diagnostic) != fmt.Sprintf("diagnostic-step-%d.json", firstMissing) {
		t.Fatalf("diagnostic file %s, want diagnostic-step-%d.json", ne.Diagnostic, firstMissing)
	}
	raw, rerr := os.ReadFile(ne.Diagnostic)
	var diag struct {
		Step int64 `json:"step"`
	}
	if rerr != nil || json.Unmarshal(raw, &diag) != nil || diag.Step != firstMissing {
		t.Fatalf("diagnostic %s: %s (%v); message %q", ne.Diagnostic, raw, rerr, err)
	}
	skip := testConfig(t, t.TempDir(), 30)
	skip.Engine.(*linearEngine).nanAt = 12
	skip.SkipBadBatches = true
	st, err := Run(context.Background(), skip, State{})
	if err != nil || st.Skipped != 1 || st.Step != 30 {
		t.Fatalf("skip: %+v %v", st, err)
	}
}

func TestResumeRejectsOtherSeedAndCorruptCheckpoint(t *testing.T) {
	out := t.TempDir()
	cfg := testConfig(t, out, 20)
	if _, err := Run(context.Background(), cfg, State{}); err != nil {
		t.Fatal(err)
	}
	other := testConfig(t, out, 20)
	other.Seed = 7
	if _, _, err := Resume(other, nil); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Fatalf("other seed: %v", err)
	}
	// Corrupt the newest checkpoint: resume falls back to the previous one and warns.
	dir := filepath.Join(CheckpointDir(out), "step-0000000020")
	os.WriteFile(filepath.Join(dir, "w"), []byte("garbage"), 0o644)
	var warned []error
	st, ok, err := Resume(testConfig(t, out, 20), func(e error) { warned = append(warned, e) })
	if err != nil || !ok || st.Step != 10 || len(warned) != 1 {
		t.Fatalf("fallback: %+v %v %v warnings %v", st, ok, err, warned)
	}
}

func TestConfigValidation(t *testing.T) {
	for _, mut := range []func(*Config){
		func(c *Config) { c.Steps = 0 },
		func(c *Config) { c.BatchSize = 0 },
		func(c *Config) { c.LR = -1 },
		func(c *Config) { c.LR = math.Inf(1) },
		func(c *Config) { c.OutDir = "" },
	} {
		c := testConfig(t, t.TempDir(), 5)
		mut(c)
		if _, err := Run(context.Background(), c, State{}); err == nil {
			t.Errorf("invalid config accepted: %+v", c)
		}
	}
}

// slowData makes every step take at least a millisecond, so that a time
// budget ends a run after a bounded number of steps.
type slowData struct{ mixData }

func (d slowData) Batch(dst []float64, n int, seed uint64, step int64) error {
	time.Sleep(time.Millisecond)
	return d.mixData.Batch(dst, n, seed, step)
}

// A time budget ends the run with a checkpoint; the time spent is kept in
// the checkpoint, so a resumed run only uses what is left of the budget.
func TestTimeBudgetStopsAndCarriesOverResume(t *testing.T) {
	out := t.TempDir()
	cfg := testConfig(t, out, 1_000_000)
	cfg.Data = slowData{cfg.Data.(mixData)}
	cfg.TimeBudget = 60 * time.Millisecond
	st, err := Run(context.Background(), cfg, State{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Step < 1 || st.Step > 60 || st.Seconds < 0.06 {
		t.Fatalf("budget 60 ms with ≥ 1 ms steps: stopped at step %d after %.3f s", st.Step, st.Seconds)
	}
	again := testConfig(t, out, 1_000_000)
	again.Data = cfg.Data
	again.TimeBudget = cfg.TimeBudget
	rs, ok, err := Resume(again, nil)
	if err != nil || !ok || rs.Step != st.Step || rs.Seconds != st.Seconds {
		t.Fatalf("resume: %+v (want step %d, %.3f s) %v %v", rs, st.Step, st.Seconds, ok, err)
	}
	// The budget is spent: no further step.
	if st2, err := Run(context.Background(), again, rs); err != nil || st2.Step != st.Step {
		t.Fatalf("spent budget: ran to step %d from %d, %v", st2.Step, st.Step, err)
	}
	// A larger budget continues from there. (Larger than what the first run
	// spent, which on a loaded machine can be well over 60 ms: its last
	// step ends after the budget.)
	again.TimeBudget = time.Duration(st.Seconds*float64(time.Second)) + 60*time.Millisecond
	st3, err := Run(context.Background(), again, rs)
	if err != nil || st3.Step <= st.Step || st3.Seconds < again.TimeBudget.Seconds() {
		t.Fatalf("budget raised to %v: step %d → %d after %.3f s, %v", again.TimeBudget, st.Step, st3.Step, st3.Seconds, err)
	}
}

// The schedule: linear warm-up to LR, then constant, or a half cosine that
// is LR right after the warm-up, LR/2 halfway and 0 at the last step.
func TestLRSchedule(t *testing.T) {
	c := &Config{LR: 0.01, Warmup: 10, Steps: 110}
	for _, s := range []struct {
		step int64
		want float64
	}{{0, 0.001}, {9, 0.01}, {10, 0.01}, {60, 0.01}, {109, 0.01}} {
		if got := c.LRAt(s.step); math.Abs(got-s.want) > 1e-15 {
			t.Errorf("constant: LRAt(%d) = %v, want %v", s.step, got, s.want)
		}
	}
	c.LRDecay = LRCosine
	for _, s := range []struct {
		step int64
		want float64
	}{{0, 0.001}, {9, 0.01}, {10, 0.01}, {60, 0.005}, {110, 0}, {200, 0}} {
		if got := c.LRAt(s.step); math.Abs(got-s.want) > 1e-15 {
			t.Errorf("cosine: LRAt(%d) = %v, want %v", s.step, got, s.want)
		}
	}
	if err := (&Config{LRDecay: "linear"}).validate(); err == nil || !strings.Contains(err.Error(), "lr decay") {
		t.Errorf("unknown decay: got error %v", err)
	}
}

// A zero objective.Config and zero optional train.Config fields mean the
// documented defaults (hsm for CLD, eps weighting, loss eps 1e-5, keep 3,
// progress every 2 s): a run whose configs were never validated reproduces,
// bit for bit, the run with every default written out, and Run leaves both
// of the caller's structs as they were.
func TestZeroConfigMeansDefaultsAndIsNotChanged(t *testing.T) {
	p, err := sde.NewCLD(sde.CLDConfig{Schedule: sde.Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04, NumericalEps: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(obj *objective.Config) *Config {
		return &Config{
			Objective: obj, Engine: newLinear(4, 2),
			Data:  mixData{mixture.Isotropic([][]float64{{1, 0}, {-1, 0.5}}, 0.3)},
			Steps: 40, BatchSize: 32, LR: 0.01, Clip: 10, Seed: 42, OutDir: t.TempDir(),
		}
	}
	zero := mk(&objective.Config{Process: p})
	explicit := mk(&objective.Config{Process: p, Objective: sde.HSM, Weighting: objective.WeightEps, LossEps: 1e-5})
	explicit.KeepCheckpoints, explicit.ProgressEvery = 3, 2*time.Second
	if err := explicit.Objective.Validate(); err != nil {
		t.Fatal(err)
	}
	stZ, errZ := Run(context.Background(), zero, State{})
	stE, errE := Run(context.Background(), explicit, State{})
	if errZ != nil || errE != nil {
		t.Fatalf("zero config: %v; explicit defaults: %v", errZ, errE)
	}
	o := zero.Objective
	if o.Objective != 0 || o.Weighting != 0 || o.LossEps != 0 || o.MixedScore || o.ImportanceT || o.Process != p {
		t.Errorf("Run changed the caller's objective.Config: %+v", *o)
	}
	if zero.KeepCheckpoints != 0 || zero.ProgressEvery != 0 {
		t.Errorf("Run changed the caller's train.Config: keep %d, progress %v", zero.KeepCheckpoints, zero.ProgressEvery)
	}
	_, lossZ, _, err := ReadCurve(filepath.Join(zero.OutDir, "loss.csv"))
	if err != nil {
		t.Fatal(err)
	}
	_, lossE, _, err := ReadCurve(filepath.Join(explicit.OutDir, "loss.csv"))
	if err != nil || len(lossZ) != 40 || len(lossE) != 40 {
		t.Fatalf("curves: %d and %d rows, %v", len(lossZ), len(lossE), err)
	}
	for i := range lossZ {
		if lossZ[i] != lossE[i] {
			t.Fatalf("step %d: loss %v with the zero config, %v with the defaults written out", i+1, lossZ[i], lossE[i])
		}
	}
	if stZ.EMALoss != stE.EMALoss {
		t.Fatalf("final EMA loss %v with the zero config, %v with the defaults written out", stZ.EMALoss, stE.EMALoss)
	}
	wz, we := zero.Engine.(*linearEngine).w, explicit.Engine.(*linearEngine).w
	for i := range wz {
		if math.Float32bits(wz[i]) != math.Float32bits(we[i]) {
			t.Fatalf("weight %d: %v with the zero config, %v with the defaults written out", i, wz[i], we[i])
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(CheckpointDir(zero.OutDir), "step-*"))
	if len(dirs) != 1 {
		t.Fatalf("%d checkpoints kept, want 1 (only the final one at CheckpointEvery 0)", len(dirs))
	}
}

// An invalid objective is refused by Run and Resume themselves, without the
// caller having called Validate.
func TestRunValidatesTheObjective(t *testing.T) {
	vp, err := sde.NewVP(sde.VPConfig{BetaMin: 0.1, BetaMax: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, obj := range []*objective.Config{
		{Process: vp, Objective: sde.HSM},
		{Process: vp, Weighting: 7},
		{Process: vp, LossEps: 2},
		{Process: vp, ImportanceT: true},
	} {
		cfg := testConfig(t, t.TempDir(), 5)
		cfg.Objective, cfg.Engine = obj, newLinear(2, 2)
		if _, err := Run(context.Background(), cfg, State{}); err == nil || !strings.Contains(err.Error(), "objective") {
			t.Errorf("%+v: Run gave %v, want an objective error", *obj, err)
		}
		if _, _, err := Resume(cfg, nil); err == nil {
			t.Errorf("%+v: Resume accepted it", *obj)
		}
	}
}

type otherArch struct{ *linearEngine }

func (otherArch) Architecture() json.RawMessage {
	return json.RawMessage(`{"kind":"linear","width":2}`)
}

// Resume hands the stored run metadata to CheckResume before restoring and
// refuses a checkpoint whose network differs from the one this run builds.
func TestResumeChecksMetaAndArchitecture(t *testing.T) {
	out := t.TempDir()
	cfg := testConfig(t, out, 10)
	cfg.Meta = map[string]any{"data": "8gaussians"}
	if _, err := Run(context.Background(), cfg, State{}); err != nil {
		t.Fatal(err)
	}
	again := testConfig(t, out, 20)
	var seen string
	refuse := errors.New("settings changed")
	again.CheckResume = func(stored json.RawMessage) error { seen = string(stored); return refuse }
	if _, _, err := Resume(again, nil); !errors.Is(err, refuse) || !strings.Contains(seen, `"8gaussians"`) {
		t.Fatalf("CheckResume saw %q; Resume gave %v", seen, err)
	}
	arch := testConfig(t, out, 20)
	arch.Engine = otherArch{newLinear(4, 2)}
	if _, _, err := Resume(arch, nil); err == nil || !strings.Contains(err.Error(), "another network") {
		t.Fatalf("other architecture: %v", err)
	}
	if _, ok, err := Resume(testConfig(t, out, 20), nil); err != nil || !ok {
		t.Fatalf("same settings: %v %v", ok, err)
	}
}
