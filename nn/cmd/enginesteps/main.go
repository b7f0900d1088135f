// Command enginesteps runs a fixed number of the engine's training steps
// (enginebench's step: forward, MSE, backward, Adam, EMA) on one goroutine
// and nothing else: no timing, no peak measurement, so that its CPU time
// (/usr/bin/time -f %U) or its instruction count (GODEBUG=asyncpreemptoff=1
// valgrind --tool=callgrind) compares two builds of the engine on a loaded
// machine, where wall-clock step times cannot.
//
// Usage: enginesteps [-model mlp|unet] [-steps 5] [-batch 0]
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"

	"phasespace/nn"
	"phasespace/nn/internal/benchstep"
)

func main() {
	model := flag.String("model", "mlp", "mlp or unet")
	steps := flag.Int("steps", 5, "steps")
	batch := flag.Int("batch", 0, "batch (0: 512 for mlp, 64 for unet)")
	flag.Parse()
	runtime.GOMAXPROCS(1)
	var m nn.Model
	var err error
	b := 512
	switch *model {
	case "unet":
		m, err = nn.NewUNet(nn.DefaultUNetConfig(2, 2))
		b = 64
	case "mlp":
		m, err = nn.NewMLP(nn.DefaultMLPConfig(4, 2))
	default:
		err = fmt.Errorf("unknown model %q (mlp or unet)", *model)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "enginesteps:", err)
		os.Exit(2)
	}
	if *batch > 0 {
		b = *batch
	}
	step := benchstep.New(m, b)
	for i := 0; i < *steps; i++ {
		step()
	}
}
