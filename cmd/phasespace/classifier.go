package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"phasespace/dataset"
	"phasespace/evaluate"
)

func init() {
	register("classifier", "train the project's image classifier and print its accuracy and the real-vs-real FD/KID/precision-recall floors", runClassifier)
}

func runClassifier(args []string, stdout io.Writer) error {
	fs := newFlagSet("classifier")
	data := fs.String("data", "mnist", "image data: mnist, fashion-mnist, a directory of IDX files, or a grayscale image folder with at most 10 class subfolders")
	downsample := fs.Bool("downsample", false, "2x2 average-pool to 14x14")
	imageSize := fs.Int("image-size", 0, "centre-crop and resize to SxS first, as train --image-size (0: keep the size)")
	epochs := fs.Int("epochs", 3, "training epochs (1..50; 3 reach 99% on MNIST)")
	seed := fs.Uint64("seed", 1, "training seed")
	out := fs.String("out", "", "safetensors file for the weights (required)")
	floorN := fs.Int("floor-n", 10000, "images per side for the real-vs-real floors (100..10000)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required: a .safetensors file for the classifier")
	}
	if err := firstErr(inRange("epochs", *epochs, 1, 50), inRange("floor-n", *floorN, 100, 10000)); err != nil {
		return err
	}
	t0, last := time.Now(), time.Now()
	r, err := evaluate.TrainClassifier(evaluate.ClassifierConfig{Data: *data, Options: dataset.Options{Downsample: *downsample, ImageSize: *imageSize}, Epochs: *epochs,
		Seed: *seed, Out: *out, FloorN: *floorN, Progress: func(ep, step int, loss float64) {
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "epoch %d step %d loss %.4f elapsed %v\n", ep+1, step, loss, time.Since(t0).Round(time.Second))
			}
		}})
	if err != nil {
		return configError(err)
	}
	f := r.Floor
	res := map[string]any{
		"data": *data, "image_size": r.Size, "epochs": *epochs, "seed": *seed, "weights": *out,
		"test_accuracy": r.TestAccuracy, "accuracy_split": r.AccuracySplit, "train_seconds": r.Train.Seconds(),
		"floor": map[string]any{"n": r.N, "fd_train_vs_test": f.FD, "kid_train_vs_test": f.KID, "kid_sd": f.KIDSD,
			"precision_train_vs_test": f.Precision, "recall_train_vs_test": f.Recall},
	}
	if *asJSON {
		return printJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "%s %dx%d classifier: %s accuracy %.4f (trained %d epochs in %v), weights %s\n", *data, r.Size, r.Width, r.AccuracySplit, r.TestAccuracy, *epochs, r.Train.Round(time.Second), *out)
	fmt.Fprintf(stdout, "real-vs-real floors (train[0:%d] vs test[0:%d], classifier features): FD %.4f, KID %.5f ± %.5f, precision %.3f, recall %.3f\n", r.N, r.N, f.FD, f.KID, f.KIDSD, f.Precision, f.Recall)
	return nil
}
