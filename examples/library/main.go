// Command library uses phasespace as a Go library: it trains a CLD score
// model on the 8gaussians toy set, reloads it from its checkpoint, samples it
// with SSCS and evaluates MMD² (beside its real-vs-real floor) and the NLL
// bound. Flags make it small enough for CI:
//
//	go run ./examples/library -steps 2000 -n 2000 -out /tmp/library-run
package main

import (
	"context"
	"flag"
	"fmt"
	"log"

	"phasespace/evaluate"
	"phasespace/model"
	"phasespace/sampler"
)

func main() {
	steps := flag.Int64("steps", 2000, "training steps")
	n := flag.Int("n", 2000, "samples drawn and data points compared (the NLL uses at most 500)")
	out := flag.String("out", "library-run", "directory for checkpoints (an existing run is resumed)")
	flag.Parse()
	fmt.Print(run(*out, *steps, *n))
}

// run trains (or resumes) the model in out, reloads, samples and evaluates
// it, and returns the report line.
func run(out string, steps int64, n int) string {
	// CLD is the default process; checkpoints and loss.csv go to out.
	cfg := model.Config{Data: "8gaussians", Steps: steps, LR: 3e-3, Warmup: 200, OutDir: out}
	_, err := model.Train(context.Background(), cfg)
	check(err)
	// Reload the EMA network with its process and parameterisation.
	m, err := model.Load(out)
	check(err)
	x, _, err := sampler.Sample(sampler.Config{Process: m.Process, Model: m.Score, Method: sampler.SSCS, NFE: 200, Seed: 1}, n)
	check(err)
	s, err := evaluate.Samples(x, evaluate.SampleConfig{Data: "8gaussians", N: n, Seed: 2})
	check(err)
	nll, err := evaluate.NLL(m.Process, m.Score, "8gaussians", evaluate.NLLConfig{N: min(n, 500), Seed: 3})
	check(err)
	return fmt.Sprintf("step %d: MMD² %.4f (real-vs-real floor %.4f); NLL %.3f ± %.3f nats (%s)\n",
		m.Step, s.MMD2.Value, s.MMD2.Floor, nll.NLL, nll.SE, nll.BoundText())
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
