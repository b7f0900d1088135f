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

func configErr(field, format string, a ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, a...)}
}

// CheckpointConfig configures Checkpoint. Zero fields take the defaults
// named.
type CheckpointConfig struct {
	Metrics    Metrics   // 2-D checkpoints: NLL and sample metrics; image checkpoints: BPD and feature metrics
	Data       string    // 2-D reference data set (default: the checkpoint's)
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
	w, image := c.Metrics, lm.Meta.IsImage()
	data, method, nfe := cmp.Or(c.Data, lm.Meta.Data), cmp.Or(c.Sampler, lm.Meta.Sampler), cmp.Or(c.NFE, lm.Meta.NFE)
	m, err := sampler.ParseMethod(method)
	if err != nil {
		err = &ConfigError{Field: "Sampler", Err: err}
	} else if err = lm.CheckSampler(m); err != nil {
		err = &ConfigError{Field: "Sampler", Err: err}
	}
	sampled, n := len(w.Sample) > 0 || len(w.Feature) > 0, cmp.Or(c.NLL.N, DefaultN)
	switch {
	case !image && w.BPD:
		return nil, configErr("Metrics", "bpd needs an image checkpoint; %s was trained on %s", lm.Dir, lm.Meta.Data)
	case image && (w.NLL || len(w.Sample) > 0):
		return nil, configErr("Metrics", "%s: image checkpoints are evaluated with bpd, fd, kid, pr, classes", Metrics{Sample: w.Sample, NLL: w.NLL})
	case len(w.Feature) > 0 && c.Classifier == "":
		return nil, configErr("Classifier", "fd, kid, pr and classes need the classifier's weights")
	case sampled && err != nil:
		return nil, err
	case sampled && m != sampler.ODE && nfe < 2:
		return nil, configErr("NFE", "%d score evaluations: %v needs >= 2", nfe, m)
	}
	var net *classifier.Net // the feature metrics' classifier, for the model's image shape
	if len(w.Feature) > 0 {
		ch, side := lm.Meta.ImageShape()
		if net, err = classifier.LoadChannels(c.Classifier, ch, side); errors.Is(err, classifier.ErrShape) {
			return nil, configErr("Classifier", "%v; this model makes %d-channel %d×%d images: train the project's classifier on labelled images of that shape "+
				"(phasespace classifier --data DIR, with the run's image size: a folder with one subfolder per class) or evaluate with bpd", err, ch, side, side)
		} else if err != nil {
			return nil, fmt.Errorf("evaluate: classifier: %w", err)
		}
	}
	var ps *dataset.PointSet // a point-file run's data, split as in training
	if lm.Meta.Points != nil {
		var fe *dataset.FileError
		if ps, err = lm.PointSet(c.Data); errors.As(err, &fe) {
			return nil, err
		} else if err != nil {
			return nil, configErr("Data", "%v", err)
		}
	} else if !image {
		if _, err := toy.Sample(data, 1, 0); err != nil {
			return nil, configErr("Data", "%v", err)
		}
	}
	res := map[string]any{"model": fmt.Sprintf("%s (step %d)", lm.Dir, lm.Step), "process": ProcessFields(lm.Process)}
	sample := func(n int) ([]float64, error) {
		x, st, err := lm.SampleBatch(m, nfe, n, c.Batch, c.NLL.Seed)
		res["sampler"] = map[string]any{"sampler": method, "nfe": st.NFE, "seconds": st.Wall.Seconds()}
		return x, err
	}
	if w.NLL {
		r, err := (*NLLResult)(nil), error(nil)
		if ps != nil {
			r, err = HeldOutNLL(lm.Process, lm.Score, lm.Standardisation(), ps, c.NLL)
		} else {
			r, err = NLL(lm.Process, lm.Score, data, c.NLL)
		}
		if err != nil {
			return nil, err
		}
		res["nll"] = r.Fields()
	}
	if len(w.Sample) > 0 {
		x, err := sample(n)
		if err != nil {
			return nil, err
		}
		sc := SampleConfig{Data: data, N: n, Seed: c.NLL.Seed, Metrics: w.Sample}
		r, err := (*SampleResult)(nil), error(nil)
		if ps != nil { // the held-out rows, beside the floor of as many training rows as samples
			sc.Data = ps.Path
			r, err = HeldOutSamples(x, ps, sc)
		} else {
			r, err = Samples(x, sc)
		}
		if err != nil {
			return nil, err
		}
		r.Fields(res)
	}
	if w.BPD {
		r, err := BPD(lm, c.NLL)
		if err != nil {
			return nil, err
		}
		res["bpd"] = r.Fields()
	}
	if len(w.Feature) > 0 {
		trainSet, test, err := dataset.LoadSplits(lm.Meta.Data, lm.Meta.DataOptions())
		if err != nil {
			return nil, err
		}
		x, err := sample(min(n, test.N))
		if err != nil {
			return nil, err
		}
		r, err := Features(net, imagedata.ToPixels(x), test, trainSet, FeatureConfig{Seed: c.NLL.Seed, Metrics: w.Feature})
		if err != nil {
			return nil, err
		}
		out := r.Fields()
		out["sampler"] = res["sampler"]
		delete(res, "sampler")
		res["features"] = out
	}
	return res, nil
}
