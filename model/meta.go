package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"phasespace/dataset"
	"phasespace/objective"
	"phasespace/sde"
)

// MetaVersion is the version of the run description written by this package.
const MetaVersion = 1

// SDEParams records a forward process's parameters in a checkpoint. The
// JSON names are those of `phasespace train`.
type SDEParams struct {
	Kind         string  `json:"sde"`   // "vp", "cld" or "psld"
	Beta0        float64 `json:"beta0"` // β(t) intercept (VP: β_min)
	Beta1        float64 `json:"beta1"` // β(t) slope (VP: β_max − β_min)
	MInv         float64 `json:"m_inv,omitempty"`
	Friction     float64 `json:"Gamma,omitempty"` // Γ
	Nu           float64 `json:"nu,omitempty"`    // ν (PSLD)
	InitVelVar   float64 `json:"gamma,omitempty"` // γ (CLD) or κ (PSLD)
	NumericalEps float64 `json:"numerical_eps"`
}

// ParamsOf returns the parameters of p.
func ParamsOf(p *sde.Process) SDEParams {
	return SDEParams{Kind: p.Kind.String(), Beta0: p.Schedule.Beta0, Beta1: p.Schedule.Beta1,
		MInv: p.MInv, Friction: p.Friction, Nu: p.Nu, InitVelVar: p.InitVelVar, NumericalEps: p.NumericalEps}
}

// Process rebuilds the process. An unknown kind is an error.
func (s SDEParams) Process() (*sde.Process, error) {
	p, err := s.process()
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return p, nil
}

func (s SDEParams) process() (*sde.Process, error) {
	kind, err := sde.ParseKind(s.Kind)
	if err != nil {
		return nil, err
	}
	sched := sde.Schedule{Beta0: s.Beta0, Beta1: s.Beta1}
	var p *sde.Process
	switch kind {
	case sde.VP:
		p, err = sde.NewVP(sde.VPConfig{BetaMin: s.Beta0, BetaMax: s.Beta0 + s.Beta1, NumericalEps: s.NumericalEps})
	case sde.CLD:
		p, err = sde.NewCLD(sde.CLDConfig{Schedule: sched, MInv: s.MInv, Gamma: s.InitVelVar, NumericalEps: s.NumericalEps})
	case sde.PSLD:
		p, err = sde.NewPSLD(sde.PSLDConfig{Schedule: sched, Gamma: s.Friction, Nu: s.Nu, Kappa: s.InitVelVar, NumericalEps: s.NumericalEps})
	default:
		return nil, fmt.Errorf("SDE kind %v has no parameter record", kind)
	}
	return p, err
}

// NetMeta records the network architecture of a run: the MLP's fields for
// 2-D data, the U-Net's for images.
type NetMeta struct {
	Hidden            int     `json:"hidden,omitempty"`
	Layers            int     `json:"layers,omitempty"`
	InputFourier      int     `json:"input_fourier,omitempty"`
	InputFourierScale float64 `json:"input_fourier_scale,omitempty"`
	Channels          string  `json:"channels,omitempty"` // comma-separated widths per level
	NumRes            int     `json:"num_res,omitempty"`
	Dropout           float64 `json:"dropout,omitempty"`
}

// Meta is everything a checkpoint needs beyond the weights to continue
// training or to sample and evaluate: the "run" entry of its metadata.
type Meta struct {
	Version     int       `json:"version"`
	SDE         SDEParams `json:"process"`
	Objective   string    `json:"objective"` // "hsm" or "dsm"
	Weighting   string    `json:"weighting"` // "eps" or "ml"
	MixedScore  bool      `json:"mixed_score"`
	LossEps     float64   `json:"loss_eps"`
	ImportanceT bool      `json:"importance_t"`
	// Param is the parameterisation, "L" or "R"; empty in checkpoints
	// written before it was recorded, which are L.
	Param      string `json:"param,omitempty"`
	Data       string `json:"data"`
	Dim        int    `json:"dim"`
	Scaling    string `json:"scaling"`
	Downsample bool   `json:"downsample,omitempty"` // images: 2×2 average-pooled
	Subset     int    `json:"subset,omitempty"`     // images: first N training images
	ImageSize  int    `json:"image_size,omitempty"` // images: centre-cropped and resized to this side first (0: as stored)
	// Channels and Side are the shape C×Side×Side of an image run's
	// images (C·Side² = Dim); 0 in checkpoints written before they were
	// recorded, which are grayscale (see ImageShape).
	Channels int     `json:"image_channels,omitempty"`
	Side     int     `json:"image_side,omitempty"`
	Steps    int64   `json:"steps"`
	Batch    int     `json:"batch"`
	LR       float64 `json:"lr"`
	Warmup   int64   `json:"warmup"`
	LRDecay  string  `json:"lr_decay,omitempty"`
	Clip     float64 `json:"clip"`
	EMADecay float64 `json:"ema_decay"`
	Seed     uint64  `json:"seed"`
	Sampler  string  `json:"recommended_sampler"`
	NFE      int     `json:"recommended_nfe"`
	// Net is the architecture (absent in checkpoints of older versions,
	// whose architecture train.Resume still compares as a whole).
	Net *NetMeta `json:"network,omitempty"`
	// Points describes a point file's split and standardisation (nil for
	// toy and image sets).
	Points *PointsMeta `json:"points,omitempty"`
	// Images records an image run whose data is a directory (an image
	// folder or a folder of IDX files; nil for mnist and fashion-mnist by
	// name, and in checkpoints written before it was recorded).
	Images *ImagesMeta `json:"images,omitempty"`
}

// ImagesMeta is the record of an image run on a directory (Meta.Data).
type ImagesMeta struct {
	// Path is the directory made absolute at training time; Meta.Data
	// keeps the path as given.
	Path string `json:"path"`
	// Train is the number of training images used (after Meta.Subset).
	Train int `json:"train_images"`
}

// PointsMeta is the record of a run on a point file (Meta.Data): its rows,
// the held-out fraction (split with Meta.Seed, dataset.Split) and the
// standardisation fitted on the training rows, z = (x − mean)/scale.
type PointsMeta struct {
	// Path is the file made absolute at training time (empty in
	// checkpoints written before it was recorded); Meta.Data keeps the
	// path as given.
	Path            string                   `json:"path,omitempty"`
	Rows            int                      `json:"rows"`
	Columns         []string                 `json:"columns,omitempty"` // a CSV header's names (nil: none, or not recorded)
	ValFrac         float64                  `json:"val_frac"`
	Standardisation *dataset.Standardisation `json:"standardisation"`
}

// ImageShape returns the channels C and side S of the images of an image
// run (C·S² = Dim): the recorded values, or C = 1 and S = √Dim for a
// checkpoint written before they were recorded.
func (m Meta) ImageShape() (c, side int) {
	if m.Channels > 0 && m.Side > 0 {
		return m.Channels, m.Side
	}
	return 1, int(math.Round(math.Sqrt(float64(m.Dim))))
}

// IsImage reports whether the run trained on images: it recorded their
// shape, or its data set is an image set (dataset.IsImage).
func (m Meta) IsImage() bool { return m.Channels > 0 || dataset.IsImage(m.Data) }

// DataOptions returns the options that select the run's image data
// (dataset.LoadSplit).
func (m Meta) DataOptions() dataset.Options {
	return dataset.Options{Subset: m.Subset, Downsample: m.Downsample, ImageSize: m.ImageSize}
}

// Parameterisation returns the run's parameterisation (sde.FactorL
// when none is recorded).
func (m Meta) Parameterisation() (sde.Factor, error) {
	if m.Param == "" {
		return sde.FactorL, nil
	}
	p, err := sde.ParseFactor(m.Param)
	if err != nil {
		return 0, fmt.Errorf("model: %w", err)
	}
	return p, nil
}

// ObjectiveConfig rebuilds the training objective (and its process).
// Unknown kinds, objectives, weightings and parameterisations are errors.
func (m Meta) ObjectiveConfig() (*objective.Config, error) {
	c, err := m.objectiveConfig()
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	return c, nil
}

func (m Meta) objectiveConfig() (*objective.Config, error) {
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
	par := sde.FactorL
	if m.Param != "" {
		if par, err = sde.ParseFactor(m.Param); err != nil {
			return nil, err
		}
	}
	c := &objective.Config{Process: p, Objective: o, Weighting: w, MixedScore: m.MixedScore, Param: par, LossEps: m.LossEps, ImportanceT: m.ImportanceT}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Change is one setting of a run that differs between a stored run
// description and a given one; Setting is named as in docs/ (e.g. "beta0",
// "m-inv", "lr-decay"), values are printed as the setting is written.
type Change struct {
	Setting, Stored, Given string
}

// String returns "setting: stored A, given B".
func (c Change) String() string {
	return fmt.Sprintf("%s: stored %s, given %s", c.Setting, c.Stored, c.Given)
}

// ResumableSettings returns the settings that may differ between a run and
// its resumption (a new slice at each call): none of them changes what any
// step computes. Steps may not change under the cosine learning-rate
// decay, which depends on it.
func ResumableSettings() []string { return append([]string(nil), resumableSettings[:]...) }

var resumableSettings = [...]string{"steps", "time-budget", "ckpt-every", "keep", "progress-every", "quiet", "skip-bad-batches"}

// ResumeChanges lists every setting of given that differs from stored and
// that a resumed run cannot change without leaving the trajectory of one
// uninterrupted run.
func ResumeChanges(stored, given Meta) []Change {
	var out []Change
	add := func(name string, a, b any) {
		sa, sb := settingText(a), settingText(b)
		if sa != sb {
			out = append(out, Change{name, sa, sb})
		}
	}
	add("data", stored.Data, given.Data)
	if a, b := stored.Points, given.Points; a != nil && b != nil {
		add("val-frac", a.ValFrac, b.ValFrac)
	}
	add("subset", stored.Subset, given.Subset)
	add("downsample", stored.Downsample, given.Downsample)
	add("image-size", stored.ImageSize, given.ImageSize)
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
	add("loss-eps", stored.LossEps, given.LossEps)
	add("importance-t", stored.ImportanceT, given.ImportanceT)
	add("param", orDefault(stored.Param, "L"), orDefault(given.Param, "L"))
	add("batch", stored.Batch, given.Batch)
	add("lr", stored.LR, given.LR)
	add("warmup", stored.Warmup, given.Warmup)
	add("lr-decay", orDefault(stored.LRDecay, "none"), orDefault(given.LRDecay, "none"))
	if stored.LRDecay != "" {
		add("steps", stored.Steps, given.Steps)
	}
	add("clip", stored.Clip, given.Clip)
	add("ema", stored.EMADecay, given.EMADecay)
	add("seed", stored.Seed, given.Seed)
	if a, b := stored.Net, given.Net; a != nil && b != nil {
		if !dataset.IsImage(stored.Data) {
			add("hidden", a.Hidden, b.Hidden)
			add("layers", a.Layers, b.Layers)
			add("input-fourier", a.InputFourier, b.InputFourier)
			if a.InputFourier > 0 && b.InputFourier > 0 {
				add("input-fourier-scale", a.InputFourierScale, b.InputFourierScale)
			}
		} else {
			add("channels", normalChannels(a.Channels), normalChannels(b.Channels))
			add("num-res", a.NumRes, b.NumRes)
			add("dropout", a.Dropout, b.Dropout)
		}
	}
	return out
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// normalChannels rewrites a width list without spaces (unparsable: as is).
func normalChannels(s string) string {
	c, err := ParseChannels(s)
	if err != nil {
		return s
	}
	return FormatChannels(c)
}

// ParseChannels parses comma-separated U-Net widths, each 1..1024.
func ParseChannels(s string) ([]int, error) {
	var out []int
	for _, c := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || v < 1 || v > 1024 {
			return nil, fmt.Errorf("model: channels %q: want comma-separated widths 1..1024", s)
		}
		out = append(out, v)
	}
	return out, nil
}

// FormatChannels writes widths as ParseChannels reads them.
func FormatChannels(c []int) string {
	parts := make([]string, len(c))
	for i, v := range c {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

// settingText prints a setting as it is written on a command line.
func settingText(v any) string {
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}
