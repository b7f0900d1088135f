package evaluate

import (
	"cmp"
	"errors"
	"fmt"

	"phasespace/classifier"
	"phasespace/dataset"
	"phasespace/imagedata"
	"phasespace/model"
	"phasespace/sampler"
	"phasespace/shard"
	"phasespace/toy"
)

// ConfigError is the error of a CheckpointConfig (or SampleConfig) field
// that does not fit the model or the data: the caller's input, not a
// failure of the evaluation. Its message is "evaluate: " and Err's.
type ConfigError struct {
	Field string // the config field: Metrics, Data, Sampler, NFE or Classifier
	Err   error
}

func (e *ConfigError) Error() string { return "evaluate: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// FieldError returns the field and its error, for a command that names
// the field's flag.
func (e *ConfigError) FieldError() (string, error) { return e.Field, e.Err }

func configErr(field, format string, a ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, a...)}
}

// CheckpointConfig configures Checkpoint. Zero fields take the defaults
// named.
type CheckpointConfig struct {
	Metrics    Metrics   // 2-D checkpoints: NLL and sample metrics; image checkpoints: BPD and feature metrics
	Data       string    // reference data: a toy set, the point file or the image directory if it moved (default: the checkpoint's)
	NLL        NLLConfig // NLL and BPD settings; NLL.N (0: DefaultN) and NLL.Seed are also the samples drawn and their seed
	Sampler    string    // sampler of the sample and feature metrics (default: the checkpoint's recommendation)
	NFE        int       // its NFE (default: the checkpoint's recommendation)
	Classifier string    // feature metrics: the classifier weights file (required for them)
	// Batch is the samples drawn at once (0: sampler.DefaultBatch; the
	// NLL's points at once are NLL.Batch).
	Batch int
}

// Checkpoint runs the evaluation protocol on a trained model: for 2-D toy
// data NLL (evaluate.NLL) and the sample metrics of NLL.N samples
// (evaluate.Samples); for a point file (model.Loaded.PointSet, c.Data
// naming the file if it moved) the NLL of min(NLL.N, held-out) held-out
// rows in the data's units and the sample metrics of NLL.N samples against
// the held-out rows, beside the floor of as many training rows; for images bits/dim (BPD) and the feature metrics of
// min(NLL.N, test images) samples (Features) with the classifier
// c.Classifier saved for the model's channels and side
// (classifier.LoadChannels; another shape is a *ConfigError). It returns the result fields
// (for WriteTable or JSON): model, process, nll, the sample metrics with
// floor and sampler, bpd, features. A configuration that does not fit the
// checkpoint is a *ConfigError, checked before any work; a sampler that
// needs the full score of a velocity-only model wraps model.ErrVelocityOnly.
func Checkpoint(lm *model.Loaded, c CheckpointConfig) (map[string]any, error) {
	r, err := planCheckpoint(lm, c)
	if err != nil {
		return nil, err
	}
	parts, err := r.compute(shard.Spec{})
	if err != nil {
		return nil, err
	}
	return r.report(parts)
}

// ckptRun is a checked evaluation of a checkpoint: what Checkpoint, its
// shards (CheckpointShard) and their merge share.
type ckptRun struct {
	lm          *model.Loaded
	c           CheckpointConfig
	w           Metrics
	data        string         // 2-D reference data set
	method      sampler.Method // sampler of the sample and feature metrics
	nfe         int
	n           int               // c.NLL.N or DefaultN: samples drawn and NLL points
	ps          *dataset.PointSet // a point-file run's data, split as in training
	train, test *imagedata.Dataset
	net         *classifier.Net // feature metrics
	bpdX        []float64       // bits/dim: the dequantised test images (bpdImages)
	bpdC        NLLConfig       // and the solve's settings
}

// planCheckpoint checks c against the checkpoint and loads what the
// evaluation reads (point set, image splits, classifier).
func planCheckpoint(lm *model.Loaded, c CheckpointConfig) (*ckptRun, error) {
	w, image := c.Metrics, lm.Meta.IsImage()
	r := &ckptRun{lm: lm, c: c, w: w, data: cmp.Or(c.Data, lm.Meta.Data), nfe: cmp.Or(c.NFE, lm.Meta.NFE), n: cmp.Or(c.NLL.N, DefaultN)}
	method := cmp.Or(c.Sampler, lm.Meta.Sampler)
	m, err := sampler.ParseMethod(method)
	if err != nil {
		err = &ConfigError{Field: "Sampler", Err: err}
	} else if err = lm.CheckSampler(m); err != nil {
		err = &ConfigError{Field: "Sampler", Err: err}
	}
	r.method = m
	sampled := len(w.Sample) > 0 || len(w.Feature) > 0
	switch {
	case !image && w.BPD:
		return nil, configErr("Metrics", "bpd needs an image checkpoint; %s was trained on %s", lm.Dir, lm.Meta.Data)
	case image && (w.NLL || len(w.Sample) > 0):
		return nil, configErr("Metrics", "%s: image checkpoints are evaluated with bpd, fd, kid, pr, classes", Metrics{Sample: w.Sample, NLL: w.NLL})
	case len(w.Feature) > 0 && c.Classifier == "":
		return nil, configErr("Classifier", "fd, kid, pr and classes need the classifier's weights")
	case sampled && err != nil:
		return nil, err
	case sampled && m != sampler.ODE && r.nfe < 2:
		return nil, configErr("NFE", "%d score evaluations: %v needs >= 2", r.nfe, m)
	}
	if lm.Meta.Points != nil {
		var fe *dataset.FileError
		if r.ps, err = lm.PointSet(c.Data); errors.As(err, &fe) {
			return nil, err
		} else if err != nil {
			return nil, configErr("Data", "%v", err)
		}
	} else if !image {
		if _, err := toy.Sample(r.data, 1, 0); err != nil {
			return nil, configErr("Data", "%v", err)
		}
	}
	if w.BPD {
		if r.bpdX, r.bpdC, err = bpdImages(lm, c.Data, c.NLL); err != nil {
			return nil, givenData(c.Data, err)
		}
	}
	if len(w.Feature) > 0 {
		if r.train, r.test, err = lm.ImageSplits(c.Data, true); err != nil {
			return nil, givenData(c.Data, err)
		}
		ch, side := lm.Meta.ImageShape() // the classifier must take the model's image shape
		if r.net, err = classifier.LoadChannels(c.Classifier, ch, side); errors.Is(err, classifier.ErrShape) {
			return nil, configErr("Classifier", "%v; this model makes %d-channel %d×%d images: train the project's classifier on labelled images of that shape "+
				"(phasespace classifier --data DIR, with the run's image size: a folder with one subfolder per class) or evaluate with bpd", err, ch, side, side)
		} else if err != nil {
			return nil, fmt.Errorf("evaluate: classifier: %w", err)
		}
	}
	return r, nil
}

// givenData is err of reading the image data: a *ConfigError of Data
// when data was given (not the training data), unless the data was not
// found (a *dataset.FileError).
func givenData(data string, err error) error {
	if fe := (*dataset.FileError)(nil); data != "" && !errors.As(err, &fe) {
		return &ConfigError{Field: "Data", Err: err}
	}
	return err
}

// samples is the number of samples drawn: n for the sample metrics, and
// min(n, test images) for the feature metrics (0: none).
func (r *ckptRun) samples() int {
	switch {
	case len(r.w.Feature) > 0:
		return min(r.n, r.test.N)
	case len(r.w.Sample) > 0:
		return r.n
	}
	return 0
}

// nllPoints is the number of NLL points: n fresh draws of a toy set, or
// the first min(n, held-out rows) held-out rows of a point file (0: no NLL).
func (r *ckptRun) nllPoints() int {
	switch {
	case !r.w.NLL:
		return 0
	case r.ps != nil:
		return min(r.n, len(r.ps.Val)/r.ps.Dim)
	}
	return r.n
}

// rowsOf returns the NLL points, the samples and the bits/dim images that
// shard s computes: shard.Spec.Range on the chunk grid of the likelihood's
// batch and, for the ODE sampler, of the sampling batch, so that every
// chunk is the single run's.
func (r *ckptRun) rowsOf(s shard.Spec) (nll, samples, bpd [2]int) {
	batch := r.c.NLL.withDefaults().Batch
	nll[0], nll[1] = s.Range(r.nllPoints(), batch)
	bpd[0], bpd[1] = s.Range(len(r.bpdX)/max(r.lm.Meta.Dim, 1), batch)
	align := 1
	if r.method == sampler.ODE {
		align = cmp.Or(r.c.Batch, sampler.DefaultBatch)
	}
	samples[0], samples[1] = s.Range(r.samples(), align)
	return nll, samples, bpd
}

// ckptParts are the per-row values of a checkpoint evaluation, those of
// one shard or of all rows: what its report is computed from.
type ckptParts struct {
	nll, logp []float64  // per NLL point (logp: toy data density, nil when unknown)
	like      Likelihood // the NLL's (or bits/dim's) solve: NFE, bound and divergence
	bpd       []float64  // per bits/dim image: NLL in nats
	x         []float64  // the samples of the sample metrics, n×d in the data's units
	gen       Embedded   // the samples' classifier features and classes
	stats     sampler.Stats
}

// compute evaluates the rows of shard s (the zero Spec: all rows).
func (r *ckptRun) compute(s shard.Spec) (*ckptParts, error) {
	lm, p := r.lm, &ckptParts{}
	nr, sr, br := r.rowsOf(s)
	if nr[1] > nr[0] {
		var l *Likelihood
		var err error
		if r.ps != nil {
			p.nll, _, l, err = pointValues(lm.Process, lm.Score, lm.Standardisation(), r.ps.Val[nr[0]*r.ps.Dim:nr[1]*r.ps.Dim], r.ps.Dim, 1, nr[0], r.c.NLL)
		} else {
			p.nll, p.logp, l, err = NLLPoints(lm.Process, lm.Score, r.data, r.c.NLL, nr[0], nr[1])
		}
		if err != nil {
			return nil, err
		}
		p.like = *l
	}
	if d := lm.Meta.Dim; br[1] > br[0] {
		l, err := LikelihoodChunks(lm.Process, lm.Score, r.bpdX[br[0]*d:br[1]*d], br[0], r.bpdC, func(_ int, v []float64) error { p.bpd = append(p.bpd, v...); return nil })
		if err != nil {
			return nil, err
		}
		p.like = *l
	}
	if sr[1] > sr[0] {
		cfg := sampler.Config{Process: lm.Process, Model: lm.Score, Method: r.method, NFE: r.nfe, Seed: r.c.NLL.Seed, FirstIndex: sr[0]}
		x := make([]float64, 0, (sr[1]-sr[0])*lm.Meta.Dim)
		st, err := sampler.SampleChunks(cfg, sr[1]-sr[0], r.c.Batch, func(_ int, c []float64) error { x = append(x, c...); return nil })
		p.stats = st
		if err != nil {
			return nil, fmt.Errorf("evaluate: sampling %s: %w", lm.Dir, err)
		}
		lm.Unstandardise(x)
		if len(r.w.Feature) > 0 {
			p.gen = Embed(r.net, imagedata.ToPixels(x), sr[1]-sr[0])
		} else {
			p.x = x
		}
	}
	return p, nil
}

// report computes the result fields of Checkpoint from the values of all
// rows.
func (r *ckptRun) report(p *ckptParts) (map[string]any, error) {
	lm := r.lm
	res := map[string]any{"model": fmt.Sprintf("%s (step %d)", lm.Dir, lm.Step), "process": ProcessFields(lm.Process)}
	smp := map[string]any{"sampler": cmp.Or(r.c.Sampler, lm.Meta.Sampler), "nfe": p.stats.NFE, "seconds": p.stats.Wall.Seconds()}
	if r.w.NLL {
		if r.ps != nil {
			l, logDet := pointSummary(p.like, p.nll), lm.Standardisation().LogDet()
			res["nll"] = (&NLLResult{Likelihood: l, LogDet: &logDet}).Fields()
		} else {
			res["nll"] = NLLFrom(p.like, p.nll, p.logp, r.data).Fields()
		}
	}
	if len(r.w.Sample) > 0 {
		res["sampler"] = smp
		sc := SampleConfig{Data: r.data, N: r.n, Seed: r.c.NLL.Seed, Metrics: r.w.Sample}
		var sr *SampleResult
		var err error
		if r.ps != nil { // the held-out rows, beside the floor of as many training rows as samples
			sc.Data = r.ps.Path
			sr, err = HeldOutSamples(p.x, r.ps, sc)
		} else {
			sr, err = Samples(p.x, sc)
		}
		if err != nil {
			return nil, err
		}
		sr.Fields(res)
	}
	if r.w.BPD {
		res["bpd"] = bpdFrom(p.like, p.bpd, lm.Meta.Dim).Fields()
	}
	if len(r.w.Feature) > 0 {
		f, err := featuresOf(r.net, p.gen, r.test, r.train, FeatureConfig{Seed: r.c.NLL.Seed, Metrics: r.w.Feature})
		if err != nil {
			return nil, err
		}
		out := f.Fields()
		out["sampler"] = smp
		res["features"] = out
	}
	return res, nil
}
