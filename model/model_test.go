package model

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"phasespace/objective"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/train"
)

// small is a run that trains in milliseconds.
func small(out string) Config {
	return Config{Data: "8gaussians", Net: Net{Hidden: 16, Layers: 1}, Steps: 3, Batch: 8, OutDir: out, Seed: 5}
}

// TestLoadGivesTheTrainedScore trains three steps, then checks that the
// checkpoint's score model equals the in-memory EMA network's bit for bit.
func TestLoadGivesTheTrainedScore(t *testing.T) {
	c := small(t.TempDir())
	r, err := Setup(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trainRun(r); err != nil {
		t.Fatal(err)
	}
	l, err := Load(c.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Step != 3 || l.Process.Kind != sde.CLD || !l.Objective.MixedScore {
		t.Fatalf("loaded step %d, kind %v, mixed %v; want 3, cld, true", l.Step, l.Process.Kind, l.Objective.MixedScore)
	}
	mem := &objective.ScoreModel{Config: r.Objective, Net: r.Train.Engine.EMA(), D: 2}
	x := []float64{0.3, -1.2, 2.5, 0.1}
	v := []float64{-0.4, 0.8, 0.05, -2}
	for _, tt := range []float64{1e-3, 0.37, 1} {
		a := make([][]float64, 4)
		for i := range a {
			a[i] = make([]float64, 4)
		}
		mem.Score(tt, x, v, a[0], a[1])
		l.Score.Score(tt, x, v, a[2], a[3])
		for i := range x {
			if a[0][i] != a[2][i] || a[1][i] != a[3][i] || math.IsNaN(a[0][i]) {
				t.Fatalf("t=%v coordinate %d: loaded score (%v, %v), in memory (%v, %v)", tt, i, a[2][i], a[3][i], a[0][i], a[1][i])
			}
		}
	}
	if !reflect.DeepEqual(l.Meta, r.Meta) {
		t.Errorf("stored run description differs:\n got %+v\nwant %+v", l.Meta, r.Meta)
	}
}

// TestMetaJSONNames holds the run description to the key names of the
// checkpoints `phasespace train` wrote before it used package model, so
// those checkpoints still load and resume.
func TestMetaJSONNames(t *testing.T) {
	r, err := Setup(small(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(r.Meta)
	var m map[string]json.RawMessage
	json.Unmarshal(raw, &m)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"batch", "clip", "data", "dim", "ema_decay", "importance_t", "loss_eps", "lr", "mixed_score", "network",
		"objective", "param", "process", "recommended_nfe", "recommended_sampler", "scaling", "seed", "steps", "version", "warmup", "weighting"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	var p map[string]any
	json.Unmarshal(m["process"], &p)
	for k, want := range map[string]any{"sde": "cld", "beta0": 4.0, "beta1": 0.0, "m_inv": 4.0, "Gamma": 1.0, "gamma": 0.04, "numerical_eps": 1e-6} {
		if p[k] != want {
			t.Errorf("process %s = %v, want %v", k, p[k], want)
		}
	}
	var back Meta
	if err := json.Unmarshal(raw, &back); err != nil || !reflect.DeepEqual(back, r.Meta) {
		t.Errorf("round trip: %v\n got %+v\nwant %+v", err, back, r.Meta)
	}
	// An old checkpoint's description (no param, no network) still loads as L.
	old := `{"version":1,"process":{"sde":"psld","beta0":8,"beta1":0,"m_inv":4,"Gamma":0.01,"nu":4.01,"gamma":0.04,"numerical_eps":1e-9},` +
		`"objective":"dsm","weighting":"ml","mixed_score":false,"loss_eps":1e-5,"importance_t":false,"data":"diamond","dim":2}`
	var om Meta
	if err := json.Unmarshal([]byte(old), &om); err != nil {
		t.Fatal(err)
	}
	oc, err := om.ObjectiveConfig()
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := om.Parameterisation(); p != sde.FactorL || oc.Process.Kind != sde.PSLD || oc.Process.Nu != 4.01 || oc.EffectiveObjective() != sde.DSM {
		t.Errorf("old description: param %v, process %+v, objective %v", p, oc.Process, oc.EffectiveObjective())
	}
}

func TestUnknownKindsAreErrors(t *testing.T) {
	good := func() Meta {
		return Meta{Version: 1, SDE: SDEParams{Kind: "cld", Beta0: 4, MInv: 4, InitVelVar: 0.04}, Objective: "hsm", Weighting: "eps"}
	}
	for name, mut := range map[string]func(*Meta){
		"sde":       func(m *Meta) { m.SDE.Kind = "ou" },
		"objective": func(m *Meta) { m.Objective = "sm" },
		"weighting": func(m *Meta) { m.Weighting = "uniform" },
		"param":     func(m *Meta) { m.Param = "Q" },
	} {
		m := good()
		if _, err := m.ObjectiveConfig(); err != nil {
			t.Fatalf("valid description refused: %v", err)
		}
		mut(&m)
		_, err := m.ObjectiveConfig()
		if err == nil || !strings.HasPrefix(err.Error(), "model: ") || strings.Contains(err.Error(), "--") {
			t.Errorf("%s: error %v, want one starting with model: and naming no flag", name, err)
		}
	}
}

func TestSetupValidatesAndKeepsTheConfig(t *testing.T) {
	c := small(t.TempDir())
	c.Net.Channels = []int{8}
	before := c
	before.Net.Channels = append([]int(nil), c.Net.Channels...)
	if _, err := Setup(c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Net.Channels, before.Net.Channels) || c.Steps != before.Steps || c.Process != nil {
		t.Errorf("Setup changed the caller's config")
	}
	for name, mut := range map[string]func(*Config){
		"Data":       func(c *Config) { c.Data = "" },
		"OutDir":     func(c *Config) { c.OutDir = "" },
		"Steps":      func(c *Config) { c.Steps = -1 },
		"LR":         func(c *Config) { c.LR = math.NaN() },
		"EMADecay":   func(c *Config) { c.EMADecay = 1 },
		"LRDecay":    func(c *Config) { c.LRDecay = "linear" },
		"Net.Layers": func(c *Config) { c.Net.Layers = 65 },
		"Keep":       func(c *Config) { c.Keep = -1 },
		"TimeBudget": func(c *Config) { c.TimeBudget = -1 },
		"dataset":    func(c *Config) { c.Data = "nosuchset" },
	} {
		c := small(t.TempDir())
		mut(&c)
		_, err := Setup(c)
		if err == nil || !strings.HasPrefix(err.Error(), "model: ") || strings.Contains(err.Error(), "--") {
			t.Errorf("%s: error %v, want one starting with model: and naming no flag", name, err)
		}
	}
}

// TestResumeRefusesChangedSettings trains, then resumes with another
// learning rate: Train must refuse with a ResumeError naming lr.
func TestResumeRefusesChangedSettings(t *testing.T) {
	c := small(t.TempDir())
	if HasCheckpoints(c.OutDir) {
		t.Fatal("HasCheckpoints before training")
	}
	if _, err := Train(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if !HasCheckpoints(c.OutDir) {
		t.Fatal("no checkpoints after training")
	}
	c.LR = 2e-3
	c.Steps = 4
	_, err := Train(context.Background(), c)
	var re *ResumeError
	if !errors.As(err, &re) || len(re.Changes) != 1 || re.Changes[0].Setting != "lr" || re.Changes[0].Stored != "0.001" {
		t.Fatalf("resume with another lr: %v", err)
	}
	c.LR = 0 // the default, as stored
	st, err := Train(context.Background(), c)
	if err != nil || st.Step != 4 {
		t.Fatalf("resume with the stored settings: step %d, %v", st.Step, err)
	}
}

// trainRun runs the prepared loop from scratch.
func trainRun(r *Run) (int64, error) {
	st, err := train.Run(context.Background(), r.Train, train.State{})
	return st.Step, err
}

func TestSDESpecDerivesCriticalDamping(t *testing.T) {
	p, err := SDESpec{Kind: sde.CLD, Friction: Float(2)}.Process()
	if err != nil || p.MInv != 1 || p.Friction != 2 {
		t.Errorf("CLD with Γ = 2: M⁻¹ %v, Γ %v (%v), want 1 and 2", p.MInv, p.Friction, err)
	}
	p, err = SDESpec{Kind: sde.PSLD, MInv: Float(4)}.Process()
	if err != nil || math.Abs(p.Nu-4.01) > 1e-15 || p.Friction != 0.01 {
		t.Errorf("PSLD with M⁻¹ = 4: ν %v, Γ %v (%v), want 4.01 and 0.01", p.Nu, p.Friction, err)
	}
	p, err = SDESpec{Kind: sde.VP, Beta1: Float(0)}.Process()
	if err != nil || p.Schedule.Beta1 != 0 || p.Schedule.Beta0 != sde.DefaultVP().BetaMin {
		t.Errorf("VP with slope 0: %+v (%v)", p.Schedule, err)
	}
	if p, err := (SDESpec{}).Process(); err != nil || p.Kind != sde.CLD || p.MInv != sde.DefaultCLD().MInv {
		t.Errorf("zero spec: %+v, %v; want the default CLD", p, err)
	}
	for name, s := range map[string]SDESpec{
		"CLD not critical":  {Kind: sde.CLD, Friction: Float(2), MInv: Float(4)},
		"PSLD not critical": {Kind: sde.PSLD, Nu: Float(5), MInv: Float(4)},
		"negative Γ":        {Kind: sde.CLD, Friction: Float(-1)},
		"NaN β":             {Beta0: Float(math.NaN())},
		"unknown kind":      {Kind: 9},
	} {
		if _, err := s.Process(); err == nil || !strings.HasPrefix(err.Error(), "model: ") || strings.Contains(err.Error(), "--") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLoadedSample: the recommended sampler of a CLD run is SSCS at 200
// NFE, and Sample draws what sampler.Sample draws with it.
func TestLoadedSample(t *testing.T) {
	c := small(t.TempDir())
	if _, err := Train(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	l, err := Load(c.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	x, st, err := l.Sample(0, 0, 3, 9)
	if err != nil || st.NFE != 200 {
		t.Fatalf("NFE %d, %v", st.NFE, err)
	}
	y, _, _ := sampler.Sample(sampler.Config{Process: l.Process, Model: l.Score, Method: sampler.SSCS, NFE: 200, Seed: 9}, 3)
	if !reflect.DeepEqual(x, y) {
		t.Errorf("Sample %v, sampler.Sample with SSCS at 200 NFE %v", x, y)
	}
	if _, _, err := l.Sample(sampler.EM, 1, 3, 9); err == nil {
		t.Error("EM with 1 NFE accepted")
	}
}
