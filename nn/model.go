package nn

import (
	"encoding/json"
	"fmt"
)

// Model is the narrow interface between score networks and the code that
// trains and samples them. See the package documentation for the contract.
type Model interface {
	// Forward evaluates the network on a batch: input is batch×InDim()
	// row-major (images batch×C×H×W flattened), t has one time per row.
	// It returns batch×OutDim(), owned by the model until its next call.
	Forward(input, t []float32, batch int, train bool) []float32
	// Backward takes dL/dOutput (batch×OutDim()) for the last Forward,
	// accumulates parameter gradients and returns dL/dInput (owned by the
	// model) if wantInputGrad, else nil.
	Backward(gradOut []float32, wantInputGrad bool) []float32
	// InputVJP runs Forward(input, t, batch, false) and returns
	// gᵀ ∂Output/∂Input (batch×InDim()) without changing parameter gradients.
	InputVJP(input, t []float32, batch int, g []float32) []float32
	// Params returns the parameters in a fixed order (frozen ones included).
	Params() []*Param
	InDim() int
	OutDim() int
	// Spec returns the architecture description that rebuilds the model.
	Spec() Spec
}

// Spec describes an architecture; NewModel(spec) rebuilds the model with the
// same parameter names and shapes (and, from the same seed, the same
// initial weights). It is stored as JSON in saved checkpoints.
type Spec struct {
	Kind string      `json:"kind"` // "mlp" or "unet"
	MLP  *MLPConfig  `json:"mlp,omitempty"`
	UNet *UNetConfig `json:"unet,omitempty"`
}

// NewModel builds a model from its Spec.
func NewModel(s Spec) (Model, error) {
	switch s.Kind {
	case "mlp":
		if s.MLP == nil {
			return nil, fmt.Errorf("nn: spec kind mlp without mlp config")
		}
		return NewMLP(*s.MLP)
	case "unet":
		if s.UNet == nil {
			return nil, fmt.Errorf("nn: spec kind unet without unet config")
		}
		return NewUNet(*s.UNet)
	}
	return nil, fmt.Errorf("nn: unknown model kind %q", s.Kind)
}

// ParseSpec decodes a JSON architecture description.
func ParseSpec(data []byte) (Spec, error) {
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("nn: parse model spec: %w", err)
	}
	return s, nil
}

// JSON encodes the spec.
func (s Spec) JSON() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // plain structs always marshal
	}
	return b
}
