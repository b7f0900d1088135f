package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"phasespace/checkpoint"
	"phasespace/internal/parallel"
	"phasespace/objective"
)

// DataSource yields training batches: Batch writes n samples of dimension
// Dim() for the given step into dst (n×d), reproducibly from (seed, step).
// Run calls Batch for step s+1 on a worker goroutine while the engine's
// GradNorm of step s runs (one call at a time, never concurrently with
// itself).
type DataSource interface {
	Dim() int
	Batch(dst []float64, n int, seed uint64, step int64) error
}

// Config is a training run. Zero optional fields mean their documented
// defaults; Run and Resume validate it (Objective included) and never change
// the caller's fields.
type Config struct {
	Objective *objective.Config
	Engine    Engine
	Data      DataSource

	Steps     int64   // total optimiser steps
	BatchSize int     // samples per step
	LR        float64 // peak learning rate
	Warmup    int64   // linear warm-up steps (0: none)
	Clip      float64 // global gradient-norm clip (0: none)
	Seed      uint64
	// LRDecay is "" (constant after the warm-up) or "cosine": after the
	// warm-up the rate falls as LR·(1 + cos(π·f))/2, f the fraction of the
	// remaining steps done, reaching 0 at Steps.
	LRDecay string

	OutDir          string        // checkpoints, loss curve, diagnostics
	CheckpointEvery int64         // steps between checkpoints (0: only at the end)
	KeepCheckpoints int           // keep-last-N (0: 3)
	ProgressEvery   time.Duration // progress cadence (0: 2 s)
	Progress        func(Status)  // called at the cadence and at the end (may be nil)
	// SkipBadBatches skips (and counts) a step whose loss or gradient is not
	// finite instead of stopping the run.
	SkipBadBatches bool
	// TimeBudget, when positive, ends the run (with a checkpoint, as if
	// Steps had been reached) once the training time summed over this run
	// and the runs it resumed reaches it: the way to compare methods at the
	// same wall-clock budget. Steps remains an upper bound.
	TimeBudget time.Duration
	// Meta is stored in every checkpoint beside the loop's own state.
	Meta any
	// CheckResume, if set, is called by Resume with the Meta stored in the
	// checkpoint (as JSON; null when the run stored none) before anything is
	// restored: an error, which Resume wraps, refuses the resume. It is the
	// caller's check that the settings in Meta that the run cannot change
	// midway are the ones it was started with.
	CheckResume func(stored json.RawMessage) error
}

// Status is a progress report.
type Status struct {
	Step, Steps   int64
	Loss, EMALoss float64
	GradNorm      float64
	LR            float64
	StepsPerSec   float64
	SamplesPerSec float64
	ETA           time.Duration
	Elapsed       time.Duration
	Skipped       int64
	Done          bool
}

// String is the status as one progress line (no newline): step, losses,
// gradient norm, learning rate, throughput, elapsed time, ETA and the
// skipped steps if any.
func (s Status) String() string {
	line := fmt.Sprintf("step %d/%d  loss %.4f  ema-loss %.4f  |g| %.3g  lr %.2g  %.1f steps/s  %.0f samples/s  elapsed %v  ETA %v",
		s.Step, s.Steps, s.Loss, s.EMALoss, s.GradNorm, s.LR, s.StepsPerSec, s.SamplesPerSec, s.Elapsed.Round(time.Second), s.ETA.Round(time.Second))
	if s.Skipped > 0 {
		line += fmt.Sprintf("  skipped %d", s.Skipped)
	}
	return line
}

// State is the loop's own part of a checkpoint.
type State struct {
	Step    int64   `json:"step"`
	EMALoss float64 `json:"ema_loss"`
	Skipped int64   `json:"skipped"`
	Seed    uint64  `json:"seed"`
	// Seconds is the training time spent so far, over all resumed runs.
	Seconds float64 `json:"seconds,omitempty"`
}

type checkpointMeta struct {
	Loop         State           `json:"loop"`
	Architecture json.RawMessage `json:"architecture"`
	User         any             `json:"run,omitempty"`
}

// storedMeta is checkpointMeta as Resume reads it back.
type storedMeta struct {
	Loop         State           `json:"loop"`
	Architecture json.RawMessage `json:"architecture"`
	User         json.RawMessage `json:"run,omitempty"`
}

// NumericalError reports a non-finite loss or gradient.
type NumericalError struct {
	// Step is the 1-based number of the failed step: the steps before it
	// completed, so loss.csv's last row is Step−1 and the failed step has
	// none. The diagnostic file is diagnostic-step-<Step>.json.
	Step       int64
	Quantity   string
	Value      float64
	Diagnostic string // path of the diagnostic JSON
}

func (e *NumericalError) Error() string {
	return fmt.Sprintf("train: step %d: %s is %v (diagnostic in %s); lower the learning rate, raise the numerical or loss epsilon, or skip bad batches (Config.SkipBadBatches)", e.Step, e.Quantity, e.Value, e.Diagnostic)
}

// CheckpointDir is where checkpoints live under the output directory.
func CheckpointDir(out string) string { return filepath.Join(out, "checkpoints") }

// LRAt is the learning rate at step: linear warm-up to LR, then constant
// or, with LRDecay "cosine", a half cosine down to 0 at Steps.
func (c *Config) LRAt(step int64) float64 {
	if c.Warmup > 0 && step < c.Warmup {
		return c.LR * float64(step+1) / float64(c.Warmup)
	}
	if c.LRDecay == LRCosine && c.Steps > c.Warmup {
		f := float64(step-c.Warmup) / float64(c.Steps-c.Warmup)
		return c.LR * (1 + math.Cos(math.Pi*min(f, 1))) / 2
	}
	return c.LR
}

// LRCosine is the cosine learning-rate decay (Config.LRDecay).
const LRCosine = "cosine"

func (c *Config) validate() error {
	switch {
	case c.LRDecay != "" && c.LRDecay != LRCosine:
		return fmt.Errorf("train: lr decay %q, want none or %q", c.LRDecay, LRCosine)
	case c.Objective == nil || c.Engine == nil || c.Data == nil:
		return errors.New("train: Objective, Engine and Data are required")
	case c.Steps < 1:
		return fmt.Errorf("train: steps = %d, want >= 1", c.Steps)
	case c.BatchSize < 1:
		return fmt.Errorf("train: batch = %d, want >= 1", c.BatchSize)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return fmt.Errorf("train: lr = %v, want a finite value > 0", c.LR)
	case c.Warmup < 0 || c.Clip < 0 || c.CheckpointEvery < 0 || c.TimeBudget < 0:
		return errors.New("train: warmup, clip, checkpoint interval and time budget must be >= 0")
	case c.OutDir == "":
		return errors.New("train: no output directory")
	case c.KeepCheckpoints < 0 || c.ProgressEvery < 0:
		return errors.New("train: checkpoints to keep and progress cadence must be >= 0 (0: the defaults 3 and 2 s)")
	}
	if err := c.Objective.Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// keep is KeepCheckpoints with 0 meaning 3.
func (c *Config) keep() int {
	if c.KeepCheckpoints == 0 {
		return 3
	}
	return c.KeepCheckpoints
}

// progressEvery is ProgressEvery with 0 meaning 2 s.
func (c *Config) progressEvery() time.Duration {
	if c.ProgressEvery == 0 {
		return 2 * time.Second
	}
	return c.ProgressEvery
}

// Resume restores engine and loop state from the newest valid checkpoint
// under cfg.OutDir. It returns the restored state, or ok == false when there
// is none. Checkpoints that fail verification are reported through warn.
func Resume(cfg *Config, warn func(error)) (State, bool, error) {
	if err := cfg.validate(); err != nil {
		return State{}, false, err
	}
	c, skipped, err := checkpoint.Latest(CheckpointDir(cfg.OutDir))
	for _, s := range skipped {
		if warn != nil {
			warn(s)
		}
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return State{}, false, nil
		}
		return State{}, false, err
	}
	var m storedMeta
	if err := c.Meta(&m); err != nil {
		return State{}, false, err
	}
	if cfg.CheckResume != nil {
		user := m.User
		if len(user) == 0 {
			user = json.RawMessage("null")
		}
		if err := cfg.CheckResume(user); err != nil {
			return State{}, false, fmt.Errorf("train: resuming from %s: %w", c.Dir, err)
		}
	}
	if m.Loop.Seed != cfg.Seed {
		return State{}, false, fmt.Errorf("train: checkpoint %s was trained with seed %d, this run has seed %d: resume with the same seed or train into another directory", c.Dir, m.Loop.Seed, cfg.Seed)
	}
	if a, b := compactJSON(m.Architecture), compactJSON(cfg.Engine.Architecture()); a != b {
		return State{}, false, fmt.Errorf("train: checkpoint %s holds another network (%s) than this run builds (%s): resume with the same architecture or train into another directory", c.Dir, a, b)
	}
	if err := cfg.Engine.Restore(c.Files); err != nil {
		return State{}, false, fmt.Errorf("train: restoring %s: %w", c.Dir, err)
	}
	return m.Loop, true, nil
}

// compactJSON is raw without insignificant white space (raw itself if it
// is not valid JSON).
func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// Run trains from state start (zero value: from scratch) until cfg.Steps or
// until ctx is cancelled, in which case it finishes the current step,
// writes a checkpoint and returns ctx's error wrapped in ErrStopped.
func Run(ctx context.Context, cfg *Config, start State) (State, error) {
	if err := cfg.validate(); err != nil {
		return start, err
	}
	if err := os.MkdirAll(cfg.OutDir, 0o755); err != nil {
		return start, fmt.Errorf("train: %w", err)
	}
	curve, err := openCurve(filepath.Join(cfg.OutDir, "loss.csv"), start.Step)
	if err != nil {
		return start, err
	}
	defer curve.Close()

	st := start
	st.Seed = cfg.Seed
	d := cfg.Data.Dim()
	// Two batches: while the engine sums the gradient norm of step s (one
	// serial pass), another goroutine prepares step s+1's batch.
	var bufs [2]stepBatch
	for i := range bufs {
		bufs[i].x0 = make([]float64, cfg.BatchSize*d)
	}
	cur := &bufs[0]
	var grad []float32
	t0 := time.Now()
	lastReport := t0
	firstStep := st.Step
	report := func(loss, gnorm float64, done bool) {
		if cfg.Progress == nil {
			return
		}
		el := time.Since(t0)
		rate := float64(st.Step-firstStep) / el.Seconds()
		s := Status{Step: st.Step, Steps: cfg.Steps, Loss: loss, EMALoss: st.EMALoss, GradNorm: gnorm,
			LR: cfg.LRAt(st.Step), StepsPerSec: rate, SamplesPerSec: rate * float64(cfg.BatchSize),
			Elapsed: el, Skipped: st.Skipped, Done: done}
		if rate > 0 {
			s.ETA = time.Duration(float64(cfg.Steps-st.Step) / rate * float64(time.Second))
		}
		if cfg.TimeBudget > 0 {
			if left := cfg.TimeBudget - time.Duration(st.Seconds*float64(time.Second)); left < s.ETA || rate == 0 {
				s.ETA = max(left, 0)
			}
		}
		cfg.Progress(s)
	}
	seconds0 := st.Seconds
	save := func() error {
		st.Seconds = seconds0 + time.Since(t0).Seconds()
		files, err := cfg.Engine.State()
		if err != nil {
			return fmt.Errorf("train: serialising state: %w", err)
		}
		meta := checkpointMeta{Loop: st, Architecture: cfg.Engine.Architecture(), User: cfg.Meta}
		if _, err := checkpoint.Save(CheckpointDir(cfg.OutDir), st.Step, files, meta, cfg.keep()); err != nil {
			return err
		}
		return curve.Sync()
	}
	var loss, gnorm float64
	overBudget := func() bool {
		return cfg.TimeBudget > 0 && seconds0+time.Since(t0).Seconds() >= cfg.TimeBudget.Seconds()
	}
	for st.Step < cfg.Steps && !overBudget() {
		// step is the 0-based index that keys the random streams and the
		// schedule; every message, file name and record names the step by
		// its 1-based number, step+1, the count of completed steps once it
		// is done (the convention of loss.csv, progress and checkpoints).
		step := st.Step
		if !cur.ready || cur.step != step {
			cur.prepare(cfg, step)
		}
		cur.ready = false
		if cur.err != nil {
			return st, cur.err
		}
		batch := &cur.batch
		next := &bufs[0]
		if cur == next {
			next = &bufs[1]
		}
		out := cfg.Engine.Forward(batch.Input, batch.T, batch.N, true)
		if cap(grad) < len(out) {
			grad = make([]float32, len(out))
		}
		grad = grad[:len(out)]
		loss = batch.Loss(out, grad)
		bad, what, val := "", "", 0.0
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			bad, what, val = "loss", "loss", loss
		} else {
			cfg.Engine.Backward(grad)
			if step+1 < cfg.Steps {
				// One goroutine sums the norm (serial) and then joins the
				// preparation the other started, if it has: the batch is
				// the same whoever prepares which chunk of it.
				var job atomic.Pointer[objective.PrepareJob]
				parallel.Split(2, 2, func(lo, hi int) {
					for task := lo; task < hi; task++ {
						if task == 0 {
							gnorm = cfg.Engine.GradNorm()
							if j := job.Load(); j != nil {
								j.Work(0)
							}
						} else if j := next.start(cfg, step+1); j != nil {
							job.Store(j)
							j.Work(1)
						}
					}
				})
				next.finish(job.Load())
			} else {
				gnorm = cfg.Engine.GradNorm()
			}
			if math.IsNaN(gnorm) || math.IsInf(gnorm, 0) {
				bad, what, val = "gradient", "gradient norm", gnorm
			}
		}
		if bad != "" {
			cfg.Engine.SkipStep()
			if !cfg.SkipBadBatches {
				path := filepath.Join(cfg.OutDir, fmt.Sprintf("diagnostic-step-%d.json", step+1))
				writeDiagnostic(path, cfg, step, what, val, batch, out)
				return st, &NumericalError{Step: step + 1, Quantity: what, Value: val, Diagnostic: path}
			}
			st.Skipped++
			st.Step++
			cur = next
			continue
		}
		cfg.Engine.Step(step, cfg.LRAt(step), cfg.Clip)
		st.Step++
		cur = next
		if st.Step == 1 || st.EMALoss == 0 {
			st.EMALoss = loss
		} else {
			st.EMALoss = 0.99*st.EMALoss + 0.01*loss
		}
		if err := curve.Add(st.Step, loss, st.EMALoss, cfg.LRAt(step), gnorm, seconds0+time.Since(t0).Seconds()); err != nil {
			return st, err
		}
		if cfg.CheckpointEvery > 0 && st.Step%cfg.CheckpointEvery == 0 && st.Step < cfg.Steps {
			if err := save(); err != nil {
				return st, err
			}
		}
		st.Seconds = seconds0 + time.Since(t0).Seconds()
		if time.Since(lastReport) >= cfg.progressEvery() {
			lastReport = time.Now()
			report(loss, gnorm, false)
		}
		if ctx.Err() != nil {
			if err := save(); err != nil {
				return st, err
			}
			report(loss, gnorm, true)
			return st, fmt.Errorf("%w at step %d: %w", ErrStopped, st.Step, ctx.Err())
		}
	}
	if err := save(); err != nil {
		return st, err
	}
	report(loss, gnorm, true)
	return st, nil
}

// stepBatch is one step's data and prepared batch.
type stepBatch struct {
	x0    []float64
	batch objective.Batch
	step  int64
	ready bool  // prepared for step (err holds its failure, if any)
	err   error // the step's data or preparation error, wrapped for Run
}

// prepare draws step's data and prepares its batch (0-based step) on up
// to GOMAXPROCS goroutines.
func (b *stepBatch) prepare(cfg *Config, step int64) {
	b.step, b.ready, b.err = step, true, nil
	if err := cfg.Data.Batch(b.x0, cfg.BatchSize, cfg.Seed, step); err != nil {
		b.err = fmt.Errorf("train: step %d: data: %w", step+1, err)
		return
	}
	if err := cfg.Objective.Prepare(&b.batch, b.x0, cfg.Data.Dim(), cfg.Seed, uint64(step)); err != nil {
		b.err = fmt.Errorf("train: step %d: %w", step+1, err)
	}
}

// start is prepare split for two goroutines: it draws step's data and
// returns the preparation job (objective.PrepareJob, workers 0 and 1) for
// both to work on, or nil after an error (kept for finish). finish(job)
// records the job's error once every Work call has returned.
func (b *stepBatch) start(cfg *Config, step int64) *objective.PrepareJob {
	b.step, b.ready, b.err = step, true, nil
	if err := cfg.Data.Batch(b.x0, cfg.BatchSize, cfg.Seed, step); err != nil {
		b.err = fmt.Errorf("train: step %d: data: %w", step+1, err)
		return nil
	}
	j, err := cfg.Objective.StartPrepare(&b.batch, b.x0, cfg.Data.Dim(), cfg.Seed, uint64(step), 2)
	if err != nil {
		b.err = fmt.Errorf("train: step %d: %w", step+1, err)
		return nil
	}
	return j
}

func (b *stepBatch) finish(j *objective.PrepareJob) {
	if j == nil {
		return
	}
	if err := j.Err(); err != nil {
		b.err = fmt.Errorf("train: step %d: %w", b.step+1, err)
	}
}

// ErrStopped marks a run stopped by its context after a final checkpoint.
var ErrStopped = errors.New("train: stopped")

func writeDiagnostic(path string, cfg *Config, step int64, what string, val float64, b *objective.Batch, out []float32) {
	tmin, tmax := math.Inf(1), math.Inf(-1)
	for _, t := range b.Times {
		tmin, tmax = math.Min(tmin, t), math.Max(tmax, t)
	}
	nonFiniteOut := 0
	for _, o := range out {
		if math.IsNaN(float64(o)) || math.IsInf(float64(o), 0) {
			nonFiniteOut++
		}
	}
	diag := map[string]any{
		"step":               step + 1,
		"quantity":           what,
		"value":              strconv.FormatFloat(val, 'g', -1, 64),
		"lr":                 cfg.LRAt(step),
		"batch":              b.N,
		"t_min":              tmin,
		"t_max":              tmax,
		"non_finite_outputs": nonFiniteOut,
		"numerical_eps":      cfg.Objective.Process.NumericalEps,
		"loss_eps":           cfg.Objective.EffectiveLossEps(),
		"hint":               "lower the learning rate, raise the numerical epsilon of the process or the loss epsilon, or skip bad batches (Config.SkipBadBatches)",
	}
	raw, _ := json.MarshalIndent(diag, "", "  ")
	checkpoint.WriteFileAtomic(path, raw)
}
