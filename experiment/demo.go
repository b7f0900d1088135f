package experiment

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"phasespace/dataset"
	"phasespace/evaluate"
	"phasespace/figure"
	"phasespace/model"
	"phasespace/sampler"
	"phasespace/toy"
)

// DemoConfig configures Demo, the second half of `phasespace demo`.
type DemoConfig struct {
	Data    string // the 2-D toy data set the model was trained on
	N       int    // samples to draw and evaluate (≥ 2)
	NFE     int    // SSCS score evaluations, denoising included (≥ 2)
	Seed    uint64 // the training seed; sampling, the data panel, the metrics and the NLL use Seed + 100, 200, 300, 400
	SkipNLL bool   // skip the NLL bound
	Out     string // directory for samples.png, trajectories.png and samples.csv
}

// DemoResult is what Demo did: the sampler's cost, the wall time of
// sampling and figures, the evaluation fields (evaluate.WriteTable) and the
// two pictures written.
type DemoResult struct {
	Stats             sampler.Stats
	Wall              time.Duration
	Fields            map[string]any
	SamplesPNG, Paths string
}

// Demo samples a trained 2-D model with SSCS, recording the phase-space
// paths of six samples, writes samples.png (data, samples, density),
// trajectories.png and samples.csv into c.Out, and scores the samples by
// ED, MMD² and SW₂ (evaluate.Samples) and, unless c.SkipNLL, the NLL bound
// of min(N, 1000) data points (evaluate.NLL).
func Demo(lm *model.Loaded, c DemoConfig) (*DemoResult, error) {
	paths := make([][][4]float64, 6)
	t0 := time.Now()
	x, st, err := sampler.Sample(sampler.Config{Process: lm.Process, Model: lm.Score, Method: sampler.SSCS, NFE: c.NFE, Seed: c.Seed + 100,
		Callback: func(s sampler.Step) { sampler.RecordPaths(paths, s, 2) }}, c.N)
	if err != nil {
		return nil, err
	}
	data, err := toy.Sample(c.Data, c.N, c.Seed+200)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	sde := strings.ToUpper(lm.Process.Kind.String())
	r := &DemoResult{Stats: st, Fields: map[string]any{}, SamplesPNG: filepath.Join(c.Out, "samples.png"), Paths: filepath.Join(c.Out, "trajectories.png")}
	if err := figure.Panels(r.SamplesPNG, 420, figure.Panel{Title: c.Data + " (data)", Points: data},
		figure.Panel{Title: fmt.Sprintf("%s samples (SSCS, %d NFE)", sde, st.NFE), Points: x},
		figure.Panel{Title: "sample density", Points: x, Density: true}); err != nil {
		return nil, err
	}
	if err := figure.Trajectories(r.Paths, sde+" reverse SDE", paths, 420); err != nil {
		return nil, err
	}
	if err := dataset.WriteCSV(filepath.Join(c.Out, "samples.csv"), x, 2); err != nil {
		return nil, err
	}
	r.Wall = time.Since(t0)
	s, err := evaluate.Samples(x, evaluate.SampleConfig{Data: c.Data, N: c.N, Seed: c.Seed + 300,
		Metrics: []evaluate.SampleMetric{evaluate.ED, evaluate.MMD, evaluate.SW2}})
	if err != nil {
		return nil, err
	}
	s.Fields(r.Fields)
	if !c.SkipNLL {
		nll, err := evaluate.NLL(lm.Process, lm.Score, c.Data, evaluate.NLLConfig{N: min(c.N, 1000), Seed: c.Seed + 400})
		if err != nil {
			return nil, err
		}
		r.Fields["nll"] = nll.Fields()
	}
	return r, nil
}
