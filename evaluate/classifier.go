package evaluate

import (
	"path/filepath"
	"strings"
	"time"

	"phasespace/classifier"
	"phasespace/dataset"
)

// ClassifierConfig configures TrainClassifier. Zero fields mean the
// defaults named.
type ClassifierConfig struct {
	Data     string          // image data set (dataset.LoadSplits); required
	Options  dataset.Options // its selection (Downsample, ImageSize)
	Epochs   int             // training epochs (0: classifier.TrainConfig's default)
	Seed     uint64          // training and KID seed
	Out      string          // the weights file (safetensors); required
	FloorN   int             // images per side of the real-vs-real floors (0: 10000), at most the test images
	Progress func(epoch, step int, loss float64)
}

// ClassifierReport is the result of TrainClassifier.
type ClassifierReport struct {
	Size, Width  int     // the images' height and width
	TestAccuracy float64 // on the test split (AccuracySplit)
	// AccuracySplit names the images of TestAccuracy: "test", or "training
	// (folder: no test split)" for an image folder.
	AccuracySplit string
	Train         time.Duration // training time
	N             int           // images per side of the floors
	// Floor is train[0:N] against test[0:N]: FD, KID, precision and
	// recall with the training images as the real set.
	Floor FeatureScores
}

// TrainClassifier trains the project's image classifier (1 or 3 channels,
// as the images: classifier.Train) on the training split of c.Data, saves it to c.Out, and measures its test accuracy and
// the real-vs-real floors of FD, KID and precision/recall (the first N
// training against the first N test images). Errors: those of
// dataset.LoadSplits, classifier.Train and saving; unlabelled images (a
// *ConfigError for Data); before any work, an Out
// that does not end in .safetensors (any case) is a *ConfigError naming
// the extension.
func TrainClassifier(c ClassifierConfig) (*ClassifierReport, error) {
	if ext := filepath.Ext(c.Out); !strings.EqualFold(ext, ".safetensors") {
		return nil, configErr("Out", "%s: extension %q: the weights are written as safetensors, valid is .safetensors", c.Out, ext)
	}
	trainSet, testSet, err := dataset.LoadSplits(c.Data, c.Options)
	if err != nil {
		return nil, err
	}
	if trainSet.Labels == nil {
		return nil, configErr("Data", "%s has no labels: the classifier learns classes, so it trains on labelled images (an image folder with one subfolder per class, DIR/CLASS/*.png, or an IDX set)", c.Data)
	}
	t0 := time.Now()
	net, err := classifier.Train(trainSet, classifier.TrainConfig{Epochs: c.Epochs, Seed: c.Seed, Progress: c.Progress})
	if err == nil {
		err = net.Save(c.Out)
	}
	if err != nil {
		return nil, err
	}
	r := &ClassifierReport{Size: trainSet.H, Width: trainSet.W, Train: time.Since(t0), TestAccuracy: net.Accuracy(testSet), AccuracySplit: "test"}
	if testSet == trainSet { // dataset.LoadSplits of a folder
		r.AccuracySplit = "training (folder: no test split)"
	}
	if c.FloorN == 0 {
		c.FloorN = 10000
	}
	r.N = min(c.FloorN, testSet.N, trainSet.N)
	// Score(gen, ref) takes ref as the real set of precision/recall; the
	// floor takes train as real, so its precision is Score's recall.
	f, err := Score(Embed(net, trainSet.Pixels, r.N), Embed(net, testSet.Pixels, r.N), []FeatureMetric{FD, KID, PR}, c.Seed)
	if err != nil {
		return nil, err
	}
	f.Precision, f.Recall = f.Recall, f.Precision
	r.Floor = f
	return r, nil
}
