package model

import (
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"phasespace/checkpoint"
	"phasespace/dataset"
	"phasespace/imagedata"
	"phasespace/nn"
	"phasespace/objective"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/train"
)

// Loaded is a trained score model read from a checkpoint.
type Loaded struct {
	Meta      Meta
	Process   *sde.Process      // also Objective.Process
	Objective *objective.Config // the training objective: parameterisation of the score
	Net       nn.Model          // the EMA network
	// Score is the score model s_θ(u, t) of the EMA network (not safe for
	// concurrent use).
	Score *objective.ScoreModel
	Step  int64  // the checkpoint's step
	Dir   string // the checkpoint directory read
	// Skipped lists newer checkpoints that failed verification and were
	// passed over.
	Skipped []error
	files   map[string]checkpoint.FileInfo // the checkpoint's files and their SHA-256
}

// Identity names the checkpoint for the manifests of sharded runs: its
// data, step and a SHA-256 over its files' names and SHA-256 sums, so two
// copies of one checkpoint agree wherever they are mounted and another
// checkpoint differs.
func (l *Loaded) Identity() string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(l.files)) {
		fmt.Fprintf(h, "%s %s\n", name, l.files[name].SHA256)
	}
	return fmt.Sprintf("%s step %d sha256:%x", l.Meta.Data, l.Step, h.Sum(nil)[:12])
}

// Load reads the newest valid checkpoint under dir (a training output
// directory, its checkpoints/ subdirectory, or one step-N directory) and
// rebuilds the process, objective, EMA network and score model. Errors
// start with "model:" and name the checkpoint.
func Load(dir string) (*Loaded, error) {
	c, err := checkpoint.Load(dir)
	var skipped []error
	if err != nil {
		c, skipped, err = checkpoint.Latest(train.CheckpointDir(dir))
		if err != nil {
			c2, skipped2, err2 := checkpoint.Latest(dir)
			if err2 != nil {
				return nil, &noCheckpoint{dir, fmt.Errorf("model: no checkpoint in %s: %v", dir, err)}
			}
			c, skipped = c2, skipped2
		}
	}
	var raw struct {
		Run json.RawMessage `json:"run"`
	}
	if err := c.Meta(&raw); err != nil {
		return nil, fmt.Errorf("model: checkpoint %s: %w", c.Dir, err)
	}
	var m Meta
	if err := json.Unmarshal(raw.Run, &m); err != nil || m.Version != MetaVersion {
		return nil, fmt.Errorf("model: checkpoint %s: run metadata missing or unreadable (%v): not a phasespace training run", c.Dir, err)
	}
	obj, err := m.objectiveConfig()
	if err != nil {
		return nil, fmt.Errorf("model: checkpoint %s: %w", c.Dir, err)
	}
	net, err := train.LoadEMAModel(c.Files)
	if err != nil {
		return nil, fmt.Errorf("model: checkpoint %s: %w", c.Dir, err)
	}
	if pm := m.Points; pm != nil && (pm.Standardisation.Dim() != m.Dim || slices.ContainsFunc(pm.Standardisation.Scale, func(s float64) bool { return !(s > 0) || math.IsInf(s, 0) })) {
		return nil, fmt.Errorf("model: checkpoint %s: the standardisation of its point file does not fit dimension %d or has a scale that is not > 0", c.Dir, m.Dim)
	}
	if net.InDim() != obj.InDim(m.Dim) || net.OutDim() != obj.OutDim(m.Dim) {
		return nil, fmt.Errorf("model: checkpoint %s: network %d→%d does not fit %s with data dimension %d",
			c.Dir, net.InDim(), net.OutDim(), m.SDE.Kind, m.Dim)
	}
	return &Loaded{Meta: m, Process: obj.Process, Objective: obj, Net: net,
		Score: &objective.ScoreModel{Config: obj, Net: net, D: m.Dim}, Step: c.Manifest.Step, Dir: c.Dir, Skipped: skipped, files: c.Manifest.Files}, nil
}

// noCheckpoint is Load's error for a directory without a checkpoint;
// FilePath names the directory.
type noCheckpoint struct {
	dir string
	err error
}

func (e *noCheckpoint) Error() string    { return e.err.Error() }
func (e *noCheckpoint) FilePath() string { return e.dir }

// Sample draws n samples (n×Dim row-major) from the loaded model with the
// given sampler and NFE, in the data's units (a point-file run's samples
// are unstandardised, Unstandardise); a zero method or NFE takes the run's
// recommendation (Meta.Sampler, Meta.NFE). The other fields of
// sampler.Config keep their defaults. It is SampleBatch with the default
// chunk (sampler.DefaultBatch).
func (l *Loaded) Sample(method sampler.Method, nfe, n int, seed uint64) ([]float64, sampler.Stats, error) {
	return l.SampleBatch(method, nfe, n, 0, seed)
}

// SampleBatch is Sample drawing batch samples at a time
// (sampler.SampleChunks; 0: sampler.DefaultBatch), so that the network's
// memory does not grow with n.
func (l *Loaded) SampleBatch(method sampler.Method, nfe, n, batch int, seed uint64) ([]float64, sampler.Stats, error) {
	if method == 0 {
		m, err := sampler.ParseMethod(l.Meta.Sampler)
		if err != nil {
			return nil, sampler.Stats{}, fmt.Errorf("model: checkpoint %s: recommended sampler: %w", l.Dir, err)
		}
		method = m
	}
	if nfe == 0 {
		nfe = l.Meta.NFE
	}
	if method != sampler.ODE && nfe < 2 {
		return nil, sampler.Stats{}, fmt.Errorf("model: NFE %d: want >= 2 for %v", nfe, method)
	}
	if err := l.CheckSampler(method); err != nil {
		return nil, sampler.Stats{}, err
	}
	x := make([]float64, 0, n*l.Meta.Dim)
	st, err := sampler.SampleChunks(sampler.Config{Process: l.Process, Model: l.Score, Method: method, NFE: nfe, Seed: seed}, n, batch,
		func(_ int, c []float64) error { x = append(x, c...); return nil })
	if err != nil {
		return nil, st, fmt.Errorf("model: sampling %s: %w", l.Dir, err)
	}
	l.Unstandardise(x)
	return x, st, nil
}

// Standardisation returns the map z = (x − mean)/scale from the data's
// units to the network's of a point-file run (nil otherwise: the identity).
func (l *Loaded) Standardisation() *dataset.Standardisation {
	if l.Meta.Points == nil {
		return nil
	}
	return l.Meta.Points.Standardisation
}

// Columns returns the column names of a point-file run's data (a CSV
// header row recorded at training; nil otherwise).
func (l *Loaded) Columns() []string {
	if l.Meta.Points == nil {
		return nil
	}
	return l.Meta.Points.Columns
}

// Unstandardise maps the model's n×Dim samples z to the data's units in
// place (x = mean + scale·z for a point-file run; otherwise a no-op).
func (l *Loaded) Unstandardise(z []float64) { l.Standardisation().Invert(z) }

// PointSet reopens the point file of a point-file run with the run's
// split (Meta.Points.ValFrac, Meta.Seed): its Val rows are the held-out
// points. path names the file if it moved; when it is empty the file is
// looked for where the training config says: Meta.Points.Path (the
// absolute path recorded at training), then Meta.Data as given, relative
// to the working directory, to the run's output directory and to the
// checkpoint directory. Errors: a run that was not on a point file; a file
// found nowhere (a *dataset.FileError for Meta.Data that lists the paths
// tried and says how to give the file); the reader's errors; a file whose
// rows, dimension or training rows' standardisation differ from the
// run's (not the training file).
func (l *Loaded) PointSet(path string) (*dataset.PointSet, error) {
	pm := l.Meta.Points
	if pm == nil {
		return nil, fmt.Errorf("model: checkpoint %s was trained on %s, not on a point file", l.Dir, l.Meta.Data)
	}
	if path == "" {
		var err error
		if path, err = l.findPoints(); err != nil {
			return nil, err
		}
	}
	ps, err := dataset.OpenPointSet(path, dataset.PointOptions{ValFrac: pm.ValFrac, Seed: l.Meta.Seed})
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if ps.Rows != pm.Rows || ps.Dim != l.Meta.Dim {
		return nil, fmt.Errorf("model: %s has %d rows of %d values; checkpoint %s was trained on %d rows of %d: not the training file", path, ps.Rows, ps.Dim, l.Dir, pm.Rows, l.Meta.Dim)
	}
	if j := pm.Standardisation.Differs(ps.Standardised, 1e-9); j >= 0 {
		s, t := pm.Standardisation, ps.Standardised
		return nil, fmt.Errorf("model: %s: its training rows (split as in training) have mean %.6g and std %.6g in column %d, checkpoint %s stored %.6g and %.6g: not the training file, or its rows were changed or reordered",
			path, t.Mean[j], t.Scale[j], j+1, l.Dir, s.Mean[j], s.Scale[j])
	}
	return ps, nil
}

// findPoints returns the first existing place of a point-file run's file
// (PointSet's order), or the *dataset.FileError that lists them.
func (l *Loaded) findPoints() (string, error) {
	return l.findData(l.Meta.Points.Path, false, "point file", "FILE")
}

// findData returns the first existing place of the run's data Meta.Data (a
// directory when dir is set, else a file): recorded (the absolute path of
// training, if any), then Meta.Data as given, relative to the working
// directory, to the run's output directory and to the checkpoint
// directory; or the *dataset.FileError that lists them and says to give
// eval --data arg.
func (l *Loaded) findData(recorded string, dir bool, what, arg string) (string, error) {
	data := l.Meta.Data
	var tried []string
	if recorded != "" {
		tried = append(tried, recorded)
	}
	tried = append(tried, data)
	if !filepath.IsAbs(data) {
		if parent := filepath.Dir(l.Dir); filepath.Base(parent) == "checkpoints" {
			tried = append(tried, filepath.Join(filepath.Dir(parent), data)) // the run's output directory
		}
		tried = append(tried, filepath.Join(l.Dir, data))
	}
	for _, p := range tried {
		if st, err := os.Stat(p); err == nil && st.IsDir() == dir {
			return p, nil
		}
	}
	noun := map[bool]string{false: "file", true: "directory"}[dir]
	return "", &dataset.FileError{Path: data, Err: fmt.Errorf("model: checkpoint %s: the %s %s of its training config is not found (tried %s): give the %s's new path (eval --data %s)",
		l.Dir, what, data, strings.Join(tried, ", "), noun, arg)}
}

// ImageSplits returns the test split of an image run's data and, when
// train is set, its training split (a folder has no test split: both are
// its images), read with the run's options (Meta.DataOptions; Meta.Subset
// is not applied). dir names the data's directory if it moved (eval
// --data DIR); when it is empty, data given as a directory at training
// (Meta.Images, or any name but mnist and fashion-mnist in checkpoints
// written before it was recorded) is looked for as PointSet looks for a
// point file: Meta.Images.Path, then Meta.Data relative to the working
// directory, to the run's output directory and to the checkpoint directory
// (found nowhere: a *dataset.FileError listing the paths tried). Errors:
// a run that is not on images; the reader's errors; images of another
// shape than the run's, or a dir with another number of training images
// than recorded (not the training data).
func (l *Loaded) ImageSplits(dir string, train bool) (tr, test *imagedata.Dataset, err error) {
	m, name := l.Meta, dir
	if !m.IsImage() {
		return nil, nil, fmt.Errorf("model: checkpoint %s was trained on %s, not on images", l.Dir, m.Data)
	} else if dir != "" && !dataset.IsImage(dir) {
		return nil, nil, fmt.Errorf("model: checkpoint %s was trained on the images of %s: give their directory (or one with images of the same shape and count), not %s, which is a toy set or a point file", l.Dir, m.Data, dir)
	} else if name == "" && m.Data != "mnist" && m.Data != "fashion-mnist" {
		var recorded string
		if m.Images != nil {
			recorded = m.Images.Path
		}
		if name, err = l.findData(recorded, true, "image directory", "DIR"); err != nil {
			return nil, nil, err
		}
	}
	name = cmp.Or(name, m.Data)
	if train {
		tr, test, err = dataset.LoadSplits(name, m.DataOptions())
	} else {
		test, err = dataset.LoadSplit(name, "test", m.DataOptions())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	ch, side := m.ImageShape()
	if test.Dim() != m.Dim || test.Channels() != ch || test.H != side || test.W != side {
		return nil, nil, fmt.Errorf("model: %s holds %d×%d×%d images (channels×height×width, with the run's options), checkpoint %s was trained on %d×%d×%d: not the training data",
			name, test.Channels(), test.H, test.W, l.Dir, ch, side, side)
	}
	if dir != "" && m.Images != nil && imagedata.IsFolder(dir) {
		if n := test.Subset(m.Subset).N; n != m.Images.Train {
			return nil, nil, fmt.Errorf("model: %s holds %d training images (subset %d), checkpoint %s was trained on %d: not the training folder", dir, n, m.Subset, l.Dir, m.Images.Train)
		}
	}
	return tr, test, nil
}

// ErrVelocityOnly is wrapped by CheckSampler's error for a sampler that
// needs the full score (gDDIM: ε̂ = −R_tᵀs mixes ∇ₓ and ∇ᵥ) and a model
// that predicts only the velocity score (CLD under sde.FactorL, PSLD
// with Γ = 0 under ParamL): train with sde.FactorR.
var ErrVelocityOnly = errors.New("model: the sampler needs the full score and the model predicts only the velocity score")

// CheckSampler reports an error wrapping ErrVelocityOnly when method needs
// the full score and the model has only its velocity part.
func (l *Loaded) CheckSampler(method sampler.Method) error {
	if method == sampler.GDDIM && !l.Objective.FullScore() {
		return fmt.Errorf("%w (checkpoint %s, %v under L): train with the R parameterisation", ErrVelocityOnly, l.Dir, l.Process.Kind)
	}
	return nil
}
