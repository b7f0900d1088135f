package model

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"phasespace/checkpoint"
	"phasespace/dataset"
	"phasespace/nn"
	"phasespace/objective"
	"phasespace/sde"
	"phasespace/train"
)

// ConfigError is an invalid field of Config: Err says the value and what
// is valid ("= -1: want >= 1 (default 512)").
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "model: " + e.Field + " " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// FieldError returns the field and its error, for a command that names
// the field's flag.
func (e *ConfigError) FieldError() (string, error) { return e.Field, e.Err }

func configErr(field, format string, a ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, a...)}
}

// Defaults of Config's zero fields.
const (
	DefaultSteps    = 20000
	DefaultBatch    = 512
	DefaultLR       = 1e-3
	DefaultEMADecay = 0.999
	DefaultHidden   = 256
	DefaultLayers   = 4
	DefaultNumRes   = 2
	// DefaultToyNumericalEps is the kernel epsilon of the default process
	// (the reference toy configuration).
	DefaultToyNumericalEps = 1e-6
)

// Net is the network architecture: an MLP for points (toy sets and point
// files, any d), a U-Net (the C channels of x, then those of v, stacked:
// 2C input channels for CLD and PSLD) for square images of C channels.
// Zero fields mean
// the defaults named.
type Net struct {
	Hidden            int     // MLP width (0: 256)
	Layers            int     // MLP hidden layers (0: 4)
	InputFourier      int     // MLP: random Fourier features of the input (0: none)
	InputFourierScale float64 // MLP: their frequency standard deviation (0: 1)
	Channels          []int   // U-Net widths per level (nil: nn.UNetChannelsFor(side): 32,64,128 at 28×28, 32,64 at 14×14)
	NumRes            int     // U-Net residual blocks per level (0: 2)
	Dropout           float64 // U-Net dropout in [0, 1) (0: none)
}

// Config describes a training run. Zero fields mean the documented
// defaults; Setup never changes the caller's Config (nor its Process).
type Config struct {
	// Data names the training data: a toy set or an image set (see
	// dataset.Open). Required.
	Data string
	// Subset, Downsample and ImageSize select and shape an image set
	// (dataset.Options).
	Subset     int
	Downsample bool
	ImageSize  int
	// ValFrac is the fraction of a point file's rows held out of training
	// for evaluation, split with Seed (0: dataset.DefaultValFrac).
	ValFrac float64

	// Process is the forward SDE (nil: CLD with sde.DefaultCLD() and
	// numerical epsilon DefaultToyNumericalEps).
	Process *sde.Process
	// Objective is HSM or DSM (0: HSM for CLD and PSLD, DSM for VP).
	Objective sde.Objective
	// Weighting is objective.WeightEps or WeightML (0: WeightEps).
	Weighting objective.Weighting
	// NoMixedScore turns off CLD's analytic −v/Σᵛᵛ part of the score (on
	// by default for CLD; never used for VP and PSLD).
	NoMixedScore bool
	LossEps      float64 // smallest training time (0: objective.DefaultLossEps)
	ImportanceT  bool    // importance-sample t (WeightML only)
	// Param is the score parameterisation (0: sde.FactorL). VP has
	// only one (R_t = σ_t), recorded as L.
	Param sde.Factor

	Net Net

	Steps    int64   // optimiser steps (0: DefaultSteps)
	Batch    int     // batch size (0: DefaultBatch)
	LR       float64 // Adam learning rate (0: DefaultLR)
	Warmup   int64   // linear warm-up steps (0: none)
	LRDecay  string  // "" (constant) or train.LRCosine
	Clip     float64 // global gradient-norm clip (0: none)
	EMADecay float64 // EMA decay in (0, 1) (0: DefaultEMADecay)
	Seed     uint64

	// OutDir receives checkpoints and loss.csv. Required.
	OutDir          string
	CheckpointEvery int64                // steps between checkpoints (0: only at the end)
	Keep            int                  // checkpoints kept (0: 3)
	ProgressEvery   time.Duration        // progress cadence (0: 2 s)
	Progress        func(s train.Status) // progress reports (nil: none)
	SkipBadBatches  bool                 // skip steps with a non-finite loss or gradient
	TimeBudget      time.Duration        // stop once training has run this long (0: none)
	Warn            func(skipped error)  // Train: checkpoints skipped on resume (nil: ignored)
}

// Run is a prepared training run.
type Run struct {
	Train     *train.Config     // the loop's configuration, Meta and CheckResume set
	Meta      Meta              // the run description stored in every checkpoint
	Objective *objective.Config // also Train.Objective
	Data      dataset.Source    // also Train.Data
	Network   nn.Model          // the live network (Train.Engine's)
}

// Setup validates c and builds the objective, data source, network, engine
// and loop configuration. Errors start with "model:" and name the setting.
func Setup(c Config) (*Run, error) {
	if c.Data == "" {
		return nil, fmt.Errorf("model: Data is required (a toy set such as 8gaussians, or mnist)")
	}
	if c.OutDir == "" {
		return nil, fmt.Errorf("model: OutDir is required (a directory for checkpoints and loss.csv)")
	}
	steps, batch, lr, ema := c.Steps, c.Batch, c.LR, c.EMADecay
	if steps == 0 {
		steps = DefaultSteps
	}
	if batch == 0 {
		batch = DefaultBatch
	}
	if lr == 0 {
		lr = DefaultLR
	}
	if ema == 0 {
		ema = DefaultEMADecay
	}
	switch {
	case steps < 0:
		return nil, configErr("Steps", "= %d: want >= 1 (default %d)", steps, DefaultSteps)
	case batch < 0:
		return nil, configErr("Batch", "= %d: want >= 1 (default %d)", batch, DefaultBatch)
	case !(lr > 0) || math.IsInf(lr, 0):
		return nil, configErr("LR", "= %v: want a finite value > 0", lr)
	case c.Warmup < 0:
		return nil, configErr("Warmup", "= %d: want >= 0", c.Warmup)
	case c.LRDecay != "" && c.LRDecay != train.LRCosine:
		return nil, configErr("LRDecay", "= %q: want \"\" or %q", c.LRDecay, train.LRCosine)
	case !(c.Clip >= 0) || math.IsInf(c.Clip, 0):
		return nil, configErr("Clip", "= %v: want a finite value >= 0", c.Clip)
	case !(ema > 0 && ema < 1):
		return nil, configErr("EMADecay", "= %v: want 0 < decay < 1 (0: %v)", ema, DefaultEMADecay)
	case c.CheckpointEvery < 0:
		return nil, configErr("CheckpointEvery", "= %d: want >= 0 (0: only at the end)", c.CheckpointEvery)
	case c.Keep < 0:
		return nil, configErr("Keep", "= %d: want >= 1 (default 3)", c.Keep)
	case c.ProgressEvery < 0:
		return nil, configErr("ProgressEvery", "= %v: want > 0 (0: 2 s)", c.ProgressEvery)
	case c.TimeBudget < 0:
		return nil, configErr("TimeBudget", "= %v: want >= 0 (0: none)", c.TimeBudget)
	}
	p := c.Process
	if p == nil {
		d := sde.DefaultCLD()
		d.NumericalEps = DefaultToyNumericalEps
		var err error
		if p, err = sde.NewCLD(d); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
	}
	param := c.Param
	switch {
	case param == 0, p.Kind == sde.VP:
		param = sde.FactorL // VP: R_t = σ_t, the same model
	case param != sde.FactorL && param != sde.FactorR:
		return nil, fmt.Errorf("model: Param = %v: valid are sde.FactorL, sde.FactorR", param)
	}
	oc := &objective.Config{Process: p, Objective: c.Objective, Weighting: c.Weighting, Param: param,
		MixedScore: !c.NoMixedScore && p.Kind == sde.CLD && param == sde.FactorL, LossEps: c.LossEps, ImportanceT: c.ImportanceT}
	if err := oc.Validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	src, err := dataset.Open(c.Data, dataset.Options{Subset: c.Subset, Downsample: c.Downsample, ImageSize: c.ImageSize,
		Points: dataset.PointOptions{ValFrac: c.ValFrac, Seed: c.Seed, Batch: batch}})
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	d, channels, side := src.Dim(), 0, 0 // channels 0: not images
	if im, ok := src.(*dataset.Images); ok {
		if channels, side, _ = im.ImageShape(); im.Data().N < batch {
			return nil, fmt.Errorf("model: %s has %d images, fewer than one batch of %d: lower the batch size or add images", c.Data, im.Data().N, batch)
		}
	}
	net, nm, err := buildNet(c.Net, oc, d, channels, c.Seed)
	if err != nil {
		return nil, err
	}
	eng, err := train.NewNNEngine(net, ema)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	meta := Meta{Version: MetaVersion, SDE: ParamsOf(p), Objective: oc.EffectiveObjective().String(),
		Weighting: oc.EffectiveWeighting().String(), MixedScore: oc.MixedScore, Param: param.String(), LossEps: oc.EffectiveLossEps(),
		ImportanceT: c.ImportanceT, Data: c.Data, Dim: d, Scaling: src.Scaling(), Downsample: c.Downsample, Subset: c.Subset,
		ImageSize: c.ImageSize, Channels: channels, Side: side,
		Steps: steps, Batch: batch, LR: lr, Warmup: c.Warmup, LRDecay: c.LRDecay, Clip: c.Clip, EMADecay: ema, Seed: c.Seed,
		Sampler: "sscs", NFE: 200, Net: nm}
	if pts, ok := src.(*dataset.Points); ok {
		ps := pts.Set()
		abs, err := filepath.Abs(c.Data)
		if err != nil {
			return nil, fmt.Errorf("model: %s: %w", c.Data, err)
		}
		meta.Points = &PointsMeta{Path: abs, Rows: ps.Rows, Columns: ps.Names, ValFrac: cmp.Or(c.ValFrac, dataset.DefaultValFrac), Standardisation: ps.Standardised}
	}
	if im, ok := src.(*dataset.Images); ok && isDir(c.Data) {
		abs, err := filepath.Abs(c.Data)
		if err != nil {
			return nil, fmt.Errorf("model: %s: %w", c.Data, err)
		}
		meta.Images = &ImagesMeta{Path: abs, Train: im.Data().N}
	}
	if p.Kind == sde.VP {
		meta.Sampler, meta.NFE = "ode", 0
	}
	tc := &train.Config{
		Objective: oc, Engine: eng, Data: src,
		Steps: steps, BatchSize: batch, LR: lr, Warmup: c.Warmup, LRDecay: c.LRDecay, Clip: c.Clip, Seed: c.Seed,
		OutDir: c.OutDir, CheckpointEvery: c.CheckpointEvery, KeepCheckpoints: c.Keep, ProgressEvery: c.ProgressEvery,
		Progress: c.Progress, SkipBadBatches: c.SkipBadBatches, TimeBudget: c.TimeBudget,
		Meta: meta, CheckResume: CheckResume(meta),
	}
	return &Run{Train: tc, Meta: meta, Objective: oc, Data: src, Network: net}, nil
}

// isDir reports whether path is an existing directory.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// buildNet builds the score network and its record: the MLP for points
// (toy sets and point files, any d; channels 0), the U-Net for square
// images of channels planes.
func buildNet(n Net, oc *objective.Config, d, channels int, seed uint64) (nn.Model, *NetMeta, error) {
	if channels == 0 {
		mc := nn.DefaultMLPConfig(oc.InDim(d), oc.OutDim(d))
		mc.Seed = seed + 1
		if n.Hidden != 0 {
			mc.Hidden = n.Hidden
		}
		if n.Layers != 0 {
			mc.Depth = n.Layers
		}
		switch {
		case mc.Hidden < 1 || mc.Hidden > 65536:
			return nil, nil, fmt.Errorf("model: Net.Hidden = %d: want 1..65536 (0: %d)", n.Hidden, DefaultHidden)
		case mc.Depth < 1 || mc.Depth > 64:
			return nil, nil, fmt.Errorf("model: Net.Layers = %d: want 1..64 (0: %d)", n.Layers, DefaultLayers)
		case n.InputFourier < 0 || n.InputFourier > 4096:
			return nil, nil, fmt.Errorf("model: Net.InputFourier = %d: want 0..4096 frequencies", n.InputFourier)
		case n.InputFourierScale < 0 || math.IsInf(n.InputFourierScale, 0) || math.IsNaN(n.InputFourierScale):
			return nil, nil, fmt.Errorf("model: Net.InputFourierScale = %v: want a finite value > 0 (0: 1)", n.InputFourierScale)
		}
		nm := &NetMeta{Hidden: mc.Hidden, Layers: mc.Depth, InputFourier: n.InputFourier}
		if n.InputFourier > 0 {
			scale := n.InputFourierScale
			if scale == 0 {
				scale = 1
			}
			mc.InputFourier, mc.InputFourierScale = n.InputFourier, scale
			nm.InputFourierScale = scale
		}
		m, err := nn.NewMLP(mc)
		if err != nil {
			return nil, nil, fmt.Errorf("model: %w", err)
		}
		return m, nm, nil
	}
	ch := max(channels, 1)
	size := int(math.Round(math.Sqrt(float64(d / ch))))
	if size*size*ch != d {
		return nil, nil, fmt.Errorf("model: %d values per sample are not square images of %d channels", d, ch)
	}
	uc := nn.DefaultUNetConfig(oc.InDim(d)/(size*size), oc.OutDim(d)/(size*size)) // x and v stacked: 2C inputs for CLD and PSLD
	uc.Size, uc.Seed, uc.Dropout = size, seed+1, n.Dropout
	uc.Channels = nn.UNetChannelsFor(size)
	if n.Channels != nil {
		uc.Channels = append([]int(nil), n.Channels...)
	}
	uc.NumRes = DefaultNumRes
	if n.NumRes != 0 {
		uc.NumRes = n.NumRes
	}
	for _, w := range uc.Channels {
		if w < 1 || w > 1024 {
			return nil, nil, fmt.Errorf("model: Net.Channels %v: want widths 1..1024", n.Channels)
		}
	}
	switch {
	case len(uc.Channels) == 0:
		return nil, nil, fmt.Errorf("model: Net.Channels is empty: want at least one width (nil: from the image size)")
	case uc.NumRes < 1 || uc.NumRes > 8:
		return nil, nil, fmt.Errorf("model: Net.NumRes = %d: want 1..8 (0: %d)", n.NumRes, DefaultNumRes)
	case !(n.Dropout >= 0 && n.Dropout < 1):
		return nil, nil, fmt.Errorf("model: Net.Dropout = %v: want 0 <= p < 1", n.Dropout)
	case size%(1<<(len(uc.Channels)-1)) != 0:
		return nil, nil, fmt.Errorf("model: Net.Channels: %d levels need the image size %d to be divisible by %d", len(uc.Channels), size, 1<<(len(uc.Channels)-1))
	}
	uc.Groups = gcdAll(uc.Channels, 8)
	m, err := nn.NewUNet(uc)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	nm := &NetMeta{NumRes: uc.NumRes, Dropout: n.Dropout}
	if n.Channels != nil { // nil is recorded as "": the widths follow the image size
		nm.Channels = FormatChannels(n.Channels)
	}
	return m, nm, nil
}

// gcdAll returns the largest g <= limit dividing every width.
func gcdAll(ws []int, limit int) int {
	for g := limit; g > 1; g-- {
		ok := true
		for _, w := range ws {
			ok = ok && w%g == 0
		}
		if ok {
			return g
		}
	}
	return 1
}

// ResumeError refuses to resume a run whose stored settings differ from
// the given ones.
type ResumeError struct {
	Changes []Change
}

// Adopt applies a resumed run's stored settings where the caller did not
// give them: when no changed setting is given (given reports a setting by
// its name, as in Change.Setting), it calls set(setting, stored value) for
// each change and reports whether all were set, so that the caller sets the
// run up again with them; a change the caller asked for is refused instead.
func (e *ResumeError) Adopt(given func(setting string) bool, set func(setting, stored string) error) bool {
	for _, c := range e.Changes {
		if given(c.Setting) {
			return false
		}
	}
	for _, c := range e.Changes {
		if set(c.Setting, c.Stored) != nil {
			return false
		}
	}
	return len(e.Changes) > 0
}

// Explain describes the refusal on several lines for a person: each
// change with its setting's name after prefix (e.g. "--"), then what may
// change on resume (ResumableSettings, with the same prefix).
func (e *ResumeError) Explain(prefix string) string {
	lines := make([]string, len(e.Changes))
	for i, c := range e.Changes {
		lines[i] = prefix + c.String()
	}
	return fmt.Sprintf("the run was started with other settings, which a resumed run cannot change:\n  %s\n"+
		"resume with the stored settings or train into another output directory (may change on resume: %s%s; %ssteps not with %slr-decay cosine)",
		strings.Join(lines, "\n  "), prefix, strings.Join(ResumableSettings(), ", "+prefix), prefix, prefix)
}

func (e *ResumeError) Error() string {
	parts := make([]string, len(e.Changes))
	for i, c := range e.Changes {
		parts[i] = c.String()
	}
	return "model: the run was started with other settings, which a resumed run cannot change: " + strings.Join(parts, "; ")
}

// CheckResume returns train.Config.CheckResume for a run described by
// given: a *ResumeError listing every changed setting (see ResumeChanges).
func CheckResume(given Meta) func(json.RawMessage) error {
	return func(raw json.RawMessage) error {
		var stored Meta
		if err := json.Unmarshal(raw, &stored); err != nil || stored.Version != MetaVersion {
			return fmt.Errorf("model: run metadata missing or unreadable (%v): not a phasespace training run", err)
		}
		if changes := ResumeChanges(stored, given); len(changes) > 0 {
			return &ResumeError{Changes: changes}
		}
		return nil
	}
}

// Train sets up the run described by c and trains it: from the newest valid
// checkpoint in c.OutDir when there is one (its stored settings must match
// c's, see CheckResume), else from scratch. When ctx is cancelled it
// finishes the step, writes a checkpoint and returns train.ErrStopped.
func Train(ctx context.Context, c Config) (train.State, error) {
	r, err := Setup(c)
	if err != nil {
		return train.State{}, err
	}
	warn := c.Warn
	if warn == nil {
		warn = func(error) {}
	}
	start, _, err := train.Resume(r.Train, warn)
	if err != nil {
		return start, err
	}
	return train.Run(ctx, r.Train, start)
}

// HasCheckpoints reports whether out already holds a valid checkpoint.
func HasCheckpoints(out string) bool {
	_, _, err := checkpoint.Latest(train.CheckpointDir(out))
	return err == nil
}
