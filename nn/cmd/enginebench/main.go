// Command enginebench times training steps of the reference score networks
// (forward, MSE loss, backward, Adam, EMA) and prints one line per model:
//
//	model engine threads ms/step steps/s gemm-core-ms/step gemm-GFLOP/step peak-GFLOP/s mean-ms/step
//
// ms/step is the median step; mean-ms/step is the timed steps' total time
// over their number (the measure of a training run's steps/s, which pays
// for the slow steps too).
//
// gemm-core-ms is the core time inside matrix products (see nn/internal/gemmtime);
// peak is gemm.MeasurePeak on all threads (0 without the assembly kernels).
//
// It is the Go side of bench/engine.sh; bench/torch_ref.py is the PyTorch
// side with the same shapes.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"time"

	"phasespace/gemm"
	"phasespace/nn"
	"phasespace/nn/internal/benchstep"
	"phasespace/nn/internal/gemmtime"
	"phasespace/nn/safetensors"
)

// dumpModel writes m's weights and a reference batch for cross-checking
// against PyTorch.
func dumpModel(dir, name string, m nn.Model) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := nn.SaveModel(filepath.Join(dir, name+".safetensors"), m, nil); err != nil {
		return err
	}
	const b = 3
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float32, b*m.InDim())
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	t := []float32{0.05, 0.5, 0.95}
	y := m.Forward(x, t, b, false)
	return safetensors.WriteFile(filepath.Join(dir, name+"-io.safetensors"), []safetensors.Tensor{
		{Name: "x", Shape: []int{b, m.InDim()}, Data: x},
		{Name: "t", Shape: []int{b}, Data: t},
		{Name: "y", Shape: []int{b, m.OutDim()}, Data: y},
	}, map[string]string{"model": name})
}

func main() {
	model := flag.String("model", "mlp", "mlp or unet")
	steps := flag.Int("steps", 0, "timed steps (0: 50 for mlp, 5 for unet)")
	warm := flag.Int("warmup", 2, "untimed steps first")
	threads := flag.Int("threads", runtime.NumCPU(), "GOMAXPROCS")
	batch := flag.Int("batch", 0, "batch size (0: 512 for mlp, 64 for unet)")
	dump := flag.String("dump", "", "instead of timing, write DIR/<model>.safetensors (weights) and DIR/<model>-io.safetensors (a batch of 3 inputs, times and inference outputs) for bench/torch_ref.py --check")
	flag.Parse()
	runtime.GOMAXPROCS(*threads)

	var m nn.Model
	var err error
	switch *model {
	case "mlp":
		m, err = nn.NewMLP(nn.DefaultMLPConfig(4, 2))
		if *batch == 0 {
			*batch = 512
		}
		if *steps == 0 {
			*steps = 50
		}
	case "unet":
		m, err = nn.NewUNet(nn.DefaultUNetConfig(2, 2))
		if *batch == 0 {
			*batch = 64
		}
		if *steps == 0 {
			*steps = 5
		}
	default:
		err = fmt.Errorf("unknown model %q", *model)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "enginebench:", err)
		os.Exit(2)
	}
	if *dump != "" {
		if err := dumpModel(*dump, *model, m); err != nil {
			fmt.Fprintln(os.Stderr, "enginebench:", err)
			os.Exit(1)
		}
		return
	}
	b := *batch
	step := benchstep.New(m, b)
	for i := 0; i < *warm; i++ {
		step()
	}
	times := make([]float64, *steps)
	gemmtime.Enable(true)
	tAll := time.Now()
	for i := range times {
		t0 := time.Now()
		step()
		times[i] = float64(time.Since(t0).Nanoseconds()) / 1e6
	}
	mean := float64(time.Since(tAll).Nanoseconds()) / 1e6 / float64(*steps)
	gemmMs := float64(gemmtime.Time().Nanoseconds()) / 1e6 / float64(*steps)
	gflop := float64(gemmtime.Flops()) / 1e9 / float64(*steps)
	sort.Float64s(times)
	med := times[len(times)/2]
	peak := gemm.MeasurePeak(*threads, 300*time.Millisecond)
	fmt.Printf("%s go %d %.3f %.2f %.3f %.3f %.1f %.3f\n", *model, *threads, med, 1000/med, gemmMs, gflop, peak, mean)
}
