package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"phasespace/checkpoint"
	"phasespace/nn"
	"phasespace/objective"
	"phasespace/sde"
	"phasespace/train"
)

// sdeParams records a process's parameters in a checkpoint.
type sdeParams struct {
	Kind         string  `json:"sde"`
	Beta0        float64 `json:"beta0"`
	Beta1        float64 `json:"beta1"`
	MInv         float64 `json:"m_inv,omitempty"`
	Friction     float64 `json:"Gamma,omitempty"`
	Nu           float64 `json:"nu,omitempty"`
	InitVelVar   float64 `json:"gamma,omitempty"`
	NumericalEps float64 `json:"numerical_eps"`
}

func paramsOf(p *sde.Process) sdeParams {
	return sdeParams{Kind: p.Kind.String(), Beta0: p.Schedule.Beta0, Beta1: p.Schedule.Beta1,
		MInv: p.MInv, Friction: p.Friction, Nu: p.Nu, InitVelVar: p.InitVelVar, NumericalEps: p.NumericalEps}
}

func (s sdeParams) process() (*sde.Process, error) {
	kind, err := sde.ParseKind(s.Kind)
	if err != nil {
		return nil, err
	}
	sched := sde.Schedule{Beta0: s.Beta0, Beta1: s.Beta1}
	switch kind {
	case sde.VP:
		return sde.NewVP(sde.VPConfig{BetaMin: s.Beta0, BetaMax: s.Beta0 + s.Beta1, NumericalEps: s.NumericalEps})
	case sde.CLD:
		return sde.NewCLD(sde.CLDConfig{Schedule: sched, MInv: s.MInv, Gamma: s.InitVelVar, NumericalEps: s.NumericalEps})
	default:
		return sde.NewPSLD(sde.PSLDConfig{Schedule: sched, Gamma: s.Friction, Nu: s.Nu, Kappa: s.InitVelVar, NumericalEps: s.NumericalEps})
	}
}

// runMeta is everything a checkpoint needs beyond the weights to continue
// training or to sample and evaluate: stored in the checkpoint manifest.
type runMeta struct {
	Version    int       `json:"version"`
	SDE        sdeParams `json:"process"`
	Objective  string    `json:"objective"`
	Weighting  string    `json:"weighting"`
	MixedScore bool      `json:"mixed_score"`
	// Param is the score parameterisation, L or R (objective.Param);
	// absent in checkpoints written before it existed, which are L.
	Param       string  `json:"param,omitempty"`
	LossEps     float64 `json:"loss_eps"`
	ImportanceT bool    `json:"importance_t"`
	Data        string  `json:"data"`
	Dim         int     `json:"dim"`
	Scaling     string  `json:"scaling"`
	Downsample  bool    `json:"downsample,omitempty"` // images: 2×2 average-pooled
	Subset      int     `json:"subset,omitempty"`     // images: first N training images
	Steps       int64   `json:"steps"`
	Batch       int     `json:"batch"`
	LR          float64 `json:"lr"`
	Warmup      int64   `json:"warmup"`
	LRDecay     string  `json:"lr_decay,omitempty"`
	Clip        float64 `json:"clip"`
	EMADecay    float64 `json:"ema_decay"`
	Seed        uint64  `json:"seed"`
	Sampler     string  `json:"recommended_sampler"`
	NFE         int     `json:"recommended_nfe"`
	// Net is the network's flags (absent in checkpoints of older versions,
	// whose architecture train.Resume still compares as a whole).
	Net *netMeta `json:"network,omitempty"`
}

// netMeta records the network flags of a run: the MLP's for 2-D data, the
// U-Net's for images.
type netMeta struct {
	Hidden            int     `json:"hidden,omitempty"`
	Layers            int     `json:"layers,omitempty"`
	InputFourier      int     `json:"input_fourier,omitempty"`
	InputFourierScale float64 `json:"input_fourier_scale,omitempty"`
	Channels          string  `json:"channels,omitempty"`
	NumRes            int     `json:"num_res,omitempty"`
	Dropout           float64 `json:"dropout,omitempty"`
}

// resumableFlags are the train flags that may differ between a run and its
// resumption: none of them changes what any step computes. --steps may not
// change under --lr-decay cosine, whose schedule depends on it.
var resumableFlags = []string{"steps", "time-budget", "ckpt-every", "keep", "progress-every", "quiet", "skip-bad-batches"}

// resumeChanges lists, as "--flag: stored A, given B", every setting of
// given that differs from the stored run's and that a resumed run cannot
// change without leaving the trajectory of one uninterrupted run.
func resumeChanges(stored, given runMeta) []string {
	var out []string
	add := func(flag string, a, b any) {
		sa, sb := settingText(a), settingText(b)
		if sa != sb {
			out = append(out, fmt.Sprintf("--%s: stored %s, given %s", flag, sa, sb))
		}
	}
	add("data", stored.Data, given.Data)
	add("subset", stored.Subset, given.Subset)
	add("downsample", stored.Downsample, given.Downsample)
	add("sde", stored.SDE.Kind, given.SDE.Kind)
	if stored.SDE.Kind == given.SDE.Kind {
		a, b := stored.SDE, given.SDE
		add("beta0", a.Beta0, b.Beta0)
		add("beta1", a.Beta1, b.Beta1)
		// CLD derives Γ = 2/√M⁻¹ and PSLD M⁻¹ = (Γ−ν)²/4: the derived one
		// changes only with the others, so only those are named.
		if a.Kind != "psld" {
			add("m-inv", a.MInv, b.MInv)
		}
		if a.Kind != "cld" {
			add("Gamma", a.Friction, b.Friction)
		}
		add("nu", a.Nu, b.Nu)
		add("gamma", a.InitVelVar, b.InitVelVar)
		add("numerical-eps", a.NumericalEps, b.NumericalEps)
	}
	add("objective", stored.Objective, given.Objective)
	add("weighting", stored.Weighting, given.Weighting)
	add("mixed-score", stored.MixedScore, given.MixedScore)
	add("param", orL(stored.Param), orL(given.Param))
	add("loss-eps", stored.LossEps, given.LossEps)
	add("importance-t", stored.ImportanceT, given.ImportanceT)
	add("batch", stored.Batch, given.Batch)
	add("lr", stored.LR, given.LR)
	add("warmup", stored.Warmup, given.Warmup)
	add("lr-decay", orNone(stored.LRDecay), orNone(given.LRDecay))
	if stored.LRDecay != "" {
		add("steps", stored.Steps, given.Steps)
	}
	add("clip", stored.Clip, given.Clip)
	add("ema", stored.EMADecay, given.EMADecay)
	add("seed", stored.Seed, given.Seed)
	if a, b := stored.Net, given.Net; a != nil && b != nil {
		if stored.Dim == 2 {
			add("hidden", a.Hidden, b.Hidden)
			add("layers", a.Layers, b.Layers)
			add("input-fourier", a.InputFourier, b.InputFourier)
			if a.InputFourier > 0 && b.InputFourier > 0 {
				add("input-fourier-scale", a.InputFourierScale, b.InputFourierScale)
			}
		} else {
			add("channels", a.Channels, b.Channels)
			add("num-res", a.NumRes, b.NumRes)
			add("dropout", a.Dropout, b.Dropout)
		}
	}
	return out
}

// orL reads a recorded --param: empty (older checkpoints) is L.
func orL(s string) string {
	if s == "" {
		return objective.ParamL.String()
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// settingText prints a setting as the flag would take it.
func settingText(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// checkResume returns train.Config.CheckResume for a run described by
// given: a usage error listing every changed setting.
func checkResume(given runMeta) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		var stored runMeta
		if err := json.Unmarshal(raw, &stored); err != nil || stored.Version != 1 {
			return fmt.Errorf("run metadata missing or unreadable (%v): not written by phasespace train", err)
		}
		changes := resumeChanges(stored, given)
		if len(changes) == 0 {
			return nil
		}
		return usagef("--resume: the run was started with other settings, which a resumed run cannot change:\n  %s\n"+
			"resume with the stored settings or train into another --out (may change on resume: --%s; --steps not with --lr-decay cosine)",
			strings.Join(changes, "\n  "), strings.Join(resumableFlags, ", --"))
	}
}

func (m runMeta) objective() (*objective.Config, error) {
	p, err := m.SDE.process()
	if err != nil {
		return nil, err
	}
	o, err := sde.ParseObjective(m.Objective)
	if err != nil {
		return nil, err
	}
	w, err := objective.ParseWeighting(m.Weighting)
	if err != nil {
		return nil, err
	}
	par, err := objective.ParseParam(orL(m.Param))
	if err != nil {
		return nil, err
	}
	c := &objective.Config{Process: p, Objective: o, Weighting: w, MixedScore: m.MixedScore, Param: par, LossEps: m.LossEps, ImportanceT: m.ImportanceT}
	return c, c.Validate()
}

// loadedModel is a trained score model read from a checkpoint directory.
type loadedModel struct {
	Meta  runMeta
	Obj   *objective.Config
	Net   nn.Model
	Score *objective.ScoreModel
	Step  int64
	Dir   string
}

// loadCheckpoint reads the newest valid checkpoint under dir (a training
// output directory or its checkpoints/ subdirectory, or one step-N
// directory) and rebuilds the EMA score model.
func loadCheckpoint(dir string) (*loadedModel, error) {
	c, err := checkpoint.Load(dir)
	if err != nil {
		var skipped []error
		c, skipped, err = checkpoint.Latest(train.CheckpointDir(dir))
		if err != nil {
			c2, skipped2, err2 := checkpoint.Latest(dir)
			if err2 != nil {
				return nil, fmt.Errorf("--ckpt %s: %v", dir, err)
			}
			c, skipped = c2, skipped2
		}
		for _, s := range skipped {
			warnf("skipping checkpoint: %v", s)
		}
	}
	var raw struct {
		Run json.RawMessage `json:"run"`
	}
	if err := c.Meta(&raw); err != nil {
		return nil, err
	}
	var m runMeta
	if err := json.Unmarshal(raw.Run, &m); err != nil || m.Version != 1 {
		return nil, fmt.Errorf("checkpoint %s: run metadata missing or unreadable (%v): not written by phasespace train", c.Dir, err)
	}
	obj, err := m.objective()
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.Dir, err)
	}
	net, err := train.LoadEMAModel(c.Files)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", c.Dir, err)
	}
	if net.InDim() != obj.InDim(m.Dim) || net.OutDim() != obj.OutDim(m.Dim) {
		return nil, fmt.Errorf("checkpoint %s: network %d→%d does not fit %s with data dimension %d", c.Dir, net.InDim(), net.OutDim(), m.SDE.Kind, m.Dim)
	}
	return &loadedModel{Meta: m, Obj: obj, Net: net, Score: &objective.ScoreModel{Config: obj, Net: net, D: m.Dim}, Step: c.Manifest.Step, Dir: c.Dir}, nil
}
