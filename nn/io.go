package nn

import (
	"fmt"
	"slices"

	"phasespace/nn/safetensors"
)

// SpecMetadataKey is the safetensors metadata key holding the model's JSON
// Spec in files written by SaveModel.
const SpecMetadataKey = "phasespace.nn.spec"

// SaveParams writes ps (names, shapes, values) to a safetensors file.
func SaveParams(path string, ps []*Param, metadata map[string]string) error {
	ts := make([]safetensors.Tensor, len(ps))
	for i, p := range ps {
		ts[i] = safetensors.Tensor{Name: p.Name, Shape: p.Shape, Data: p.Data}
	}
	return safetensors.WriteFile(path, ts, metadata)
}

// LoadParams reads a safetensors file into ps, requiring every parameter to
// be present with the same shape; extra tensors in the file are an error.
// It returns the file's metadata.
func LoadParams(path string, ps []*Param) (map[string]string, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return f.Metadata, assign(f, ps, path)
}

func assign(f *safetensors.File, ps []*Param, path string) error {
	byName := make(map[string]safetensors.Tensor, len(f.Tensors))
	for _, t := range f.Tensors {
		byName[t.Name] = t
	}
	for _, p := range ps {
		t, ok := byName[p.Name]
		if !ok {
			return fmt.Errorf("nn: %s: missing tensor %q", path, p.Name)
		}
		if !slices.Equal(t.Shape, p.Shape) {
			return fmt.Errorf("nn: %s: tensor %q has shape %v, model expects %v", path, p.Name, t.Shape, p.Shape)
		}
		delete(byName, p.Name)
	}
	for name := range byName {
		return fmt.Errorf("nn: %s: unexpected tensor %q not in the model", path, name)
	}
	for _, p := range ps {
		t, _ := f.Tensor(p.Name)
		copy(p.Data, t.Data)
	}
	return nil
}

// SaveModel writes m's parameters to path with its JSON Spec (and any extra
// metadata) in the safetensors metadata.
func SaveModel(path string, m Model, metadata map[string]string) error {
	md := map[string]string{}
	for k, v := range metadata {
		md[k] = v
	}
	md[SpecMetadataKey] = string(m.Spec().JSON())
	return SaveParams(path, m.Params(), md)
}

// LoadModel rebuilds the model described by the Spec stored in a file
// written by SaveModel and loads its parameters. It also returns the
// metadata.
func LoadModel(path string) (Model, map[string]string, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	js, ok := f.Metadata[SpecMetadataKey]
	if !ok {
		return nil, nil, fmt.Errorf("nn: %s: no %q metadata (not written by SaveModel)", path, SpecMetadataKey)
	}
	spec, err := ParseSpec([]byte(js))
	if err != nil {
		return nil, nil, err
	}
	m, err := NewModel(spec)
	if err != nil {
		return nil, nil, err
	}
	if err := assign(f, m.Params(), path); err != nil {
		return nil, nil, err
	}
	return m, f.Metadata, nil
}

// LoadModelSpec builds the model described by spec (e.g. from a separate
// JSON file) and loads its parameters from the safetensors file at path.
func LoadModelSpec(spec Spec, path string) (Model, error) {
	m, err := NewModel(spec)
	if err != nil {
		return nil, err
	}
	if _, err := LoadParams(path, m.Params()); err != nil {
		return nil, err
	}
	return m, nil
}
