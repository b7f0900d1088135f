package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"phasespace/nn"
	"phasespace/nn/safetensors"
	"phasespace/objective"
)

// NNEngine adapts a phasespace/nn model with Adam and an EMA of its weights
// to the Engine interface. Checkpoint files: model.safetensors (weights,
// with the architecture in the metadata), ema.safetensors and
// optimizer.safetensors (Adam moments; step counts in the metadata).
type NNEngine struct {
	Model nn.Model
	Opt   *nn.Adam
	Avg   *nn.EMA

	ema      nn.Model // evaluation copy holding the EMA weights
	emaFresh bool

	// norm is the gradient norm GradNorm measured since the last Backward,
	// reused by Step's clipping (normFresh) instead of summed again.
	norm      float64
	normFresh bool
}

// NewNNEngine builds the engine for a model with Adam at lr (the loop sets
// the learning rate per step) and an EMA with the given decay.
func NewNNEngine(m nn.Model, emaDecay float64) (*NNEngine, error) {
	ema, err := nn.NewModel(m.Spec())
	if err != nil {
		return nil, err
	}
	return &NNEngine{Model: m, Opt: nn.NewAdam(1e-3), Avg: nn.NewEMA(m.Params(), emaDecay), ema: ema}, nil
}

// Forward runs the live model.
func (e *NNEngine) Forward(input, t []float32, batch int, train bool) []float32 {
	return e.Model.Forward(input, t, batch, train)
}

// Backward accumulates parameter gradients.
func (e *NNEngine) Backward(gradOut []float32) {
	e.Model.Backward(gradOut, false)
	e.normFresh = false
}

// GradNorm returns the global gradient norm.
func (e *NNEngine) GradNorm() float64 {
	e.norm, e.normFresh = nn.GradNorm(e.Model.Params()), true
	return e.norm
}

// Step clips, updates with Adam at lr, updates the EMA and zeroes the
// gradients, in one sweep over the parameters (nn.Adam.StepEMA; the clip
// factor comes from the norm GradNorm measured, summed again only if
// GradNorm was not called since Backward).
func (e *NNEngine) Step(step int64, lr, clip float64) {
	ps := e.Model.Params()
	scale := float32(1)
	if clip > 0 {
		if !e.normFresh {
			e.GradNorm()
		}
		scale = nn.ClipScale(e.norm, clip)
	}
	e.Opt.LR = lr
	e.Opt.StepEMA(ps, e.Avg, scale)
	e.emaFresh, e.normFresh = false, false
}

// SkipStep zeroes the gradients.
func (e *NNEngine) SkipStep() {
	nn.ZeroGrad(e.Model.Params())
	e.normFresh = false
}

// EMA returns the evaluation network with the averaged weights.
func (e *NNEngine) EMA() objective.Network {
	if !e.emaFresh {
		e.Avg.CopyTo(e.ema.Params())
		e.emaFresh = true
	}
	return e.ema
}

// Live returns the network with the current weights.
func (e *NNEngine) Live() objective.Network { return e.Model }

func encode(ps []*nn.Param, meta map[string]string) ([]byte, error) {
	ts := make([]safetensors.Tensor, len(ps))
	for i, p := range ps {
		ts[i] = safetensors.Tensor{Name: p.Name, Shape: p.Shape, Data: p.Data}
	}
	var b bytes.Buffer
	if err := safetensors.Write(&b, ts, meta); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func decode(name string, raw []byte, ps []*nn.Param) (map[string]string, error) {
	f, err := safetensors.Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", name, err)
	}
	for _, p := range ps {
		t, ok := f.Tensor(p.Name)
		if !ok {
			return nil, fmt.Errorf("train: %s: tensor %q missing", name, p.Name)
		}
		if len(t.Data) != len(p.Data) {
			return nil, fmt.Errorf("train: %s: tensor %q has %d values, model needs %d", name, p.Name, len(t.Data), len(p.Data))
		}
		copy(p.Data, t.Data)
	}
	return f.Metadata, nil
}

// State serialises weights, EMA weights and optimiser state.
func (e *NNEngine) State() (map[string][]byte, error) {
	spec := string(e.Model.Spec().JSON())
	model, err := encode(e.Model.Params(), map[string]string{nn.SpecMetadataKey: spec})
	if err != nil {
		return nil, err
	}
	ema, err := encode(e.Avg.Shadow, map[string]string{nn.SpecMetadataKey: spec, "ema_updates": strconv.Itoa(e.Avg.Updates())})
	if err != nil {
		return nil, err
	}
	mom, step := e.Opt.State(e.Model.Params())
	opt, err := encode(mom, map[string]string{"adam_step": strconv.Itoa(step)})
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"model.safetensors": model, "ema.safetensors": ema, "optimizer.safetensors": opt}, nil
}

// Restore loads what State wrote.
func (e *NNEngine) Restore(files map[string][]byte) error {
	for _, n := range []string{"model.safetensors", "ema.safetensors", "optimizer.safetensors"} {
		if files[n] == nil {
			return fmt.Errorf("train: checkpoint has no %s", n)
		}
	}
	if _, err := decode("model.safetensors", files["model.safetensors"], e.Model.Params()); err != nil {
		return err
	}
	meta, err := decode("ema.safetensors", files["ema.safetensors"], e.Avg.Shadow)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(meta["ema_updates"])
	if err != nil {
		return fmt.Errorf("train: ema.safetensors: bad ema_updates %q", meta["ema_updates"])
	}
	e.Avg.SetUpdates(n)
	mom, _ := e.Opt.State(e.Model.Params())
	meta, err = decode("optimizer.safetensors", files["optimizer.safetensors"], mom)
	if err != nil {
		return err
	}
	step, err := strconv.Atoi(meta["adam_step"])
	if err != nil {
		return fmt.Errorf("train: optimizer.safetensors: bad adam_step %q", meta["adam_step"])
	}
	e.Opt.SetState(e.Model.Params(), mom, step)
	e.emaFresh, e.normFresh = false, false
	return nil
}

// Architecture returns the model's JSON spec.
func (e *NNEngine) Architecture() json.RawMessage { return e.Model.Spec().JSON() }

// LoadEMAModel rebuilds the EMA network stored in checkpoint files (for
// sampling and evaluation without the optimiser).
func LoadEMAModel(files map[string][]byte) (nn.Model, error) {
	raw := files["ema.safetensors"]
	if raw == nil {
		return nil, fmt.Errorf("train: checkpoint has no ema.safetensors")
	}
	f, err := safetensors.Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return nil, fmt.Errorf("train: ema.safetensors: %w", err)
	}
	spec, err := nn.ParseSpec([]byte(f.Metadata[nn.SpecMetadataKey]))
	if err != nil {
		return nil, fmt.Errorf("train: ema.safetensors: %w", err)
	}
	m, err := nn.NewModel(spec)
	if err != nil {
		return nil, err
	}
	if _, err := decode("ema.safetensors", raw, m.Params()); err != nil {
		return nil, err
	}
	return m, nil
}
