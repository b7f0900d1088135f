package model_test

import (
	"context"
	"fmt"
	"os"

	"phasespace/model"
)

// Train a small CLD model for a few steps, then load it back from its
// checkpoint with its process and score parameterisation.
func Example() {
	dir, _ := os.MkdirTemp("", "model-example")
	defer os.RemoveAll(dir)
	cfg := model.Config{Data: "8gaussians", Net: model.Net{Hidden: 16, Layers: 1}, Steps: 5, Batch: 16, OutDir: dir}
	if _, err := model.Train(context.Background(), cfg); err != nil {
		panic(err)
	}
	m, err := model.Load(dir)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Step, m.Process.Kind, m.Meta.Objective, m.Meta.Weighting, m.Meta.MixedScore, m.Score.Dim())
	// Output: 5 cld hsm eps true 2
}
