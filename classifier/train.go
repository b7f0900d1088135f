package classifier

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"phasespace/imagedata"
	"phasespace/nn"
)

// TrainConfig controls Train.
type TrainConfig struct {
	Epochs   int     // passes over the training set (default 2)
	Batch    int     // default 128; at most the images of the set
	LR       float64 // Adam learning rate (default 1e-3)
	Seed     uint64
	Progress func(epoch, step int, loss float64)
}

// Train fits a new classifier for ds's images (C = ds.Channels() planes,
// NewChannels) on ds (labels required) by Adam on the cross-entropy loss
// and returns it; batches are shuffled from c.Seed. It returns an error
// for unlabelled or non-square images, a label outside 0..Classes−1, an
// invalid image size or channel count (NewChannels) or a NaN loss (naming
// the epoch and step).
func Train(ds *imagedata.Dataset, c TrainConfig) (*Net, error) {
	if ds.Labels == nil {
		return nil, fmt.Errorf("classifier: %s has no labels: the classifier learns classes, so it trains on labelled images (an image folder with one subfolder per class, DIR/CLASS/*.png, or an IDX set)", ds.Name)
	}
	if ds.H != ds.W {
		return nil, fmt.Errorf("classifier: %s: images are %d×%d: training needs square images (resize them to S×S with an image size)", ds.Name, ds.W, ds.H)
	}
	for i, l := range ds.Labels {
		if int(l) >= Classes {
			return nil, fmt.Errorf("classifier: %s: image %d has label %d: the classifier has %d classes (0..%d)", ds.Name, i, l, Classes, Classes-1)
		}
	}
	if c.Epochs == 0 {
		c.Epochs = 2
	}
	if c.Batch == 0 {
		c.Batch = 128
	}
	c.Batch = min(c.Batch, ds.N) // a set smaller than a batch trains on whole-set batches
	if c.LR == 0 {
		c.LR = 1e-3
	}
	n, err := NewChannels(ds.Channels(), ds.H, c.Seed)
	if err != nil {
		return nil, err
	}
	opt := nn.NewAdam(c.LR)
	ps := n.Params()
	d := ds.Dim()
	x := make([]float32, c.Batch*d)
	labels := make([]byte, c.Batch)
	grad := make([]float32, c.Batch*Classes)
	step := 0
	for ep := 0; ep < c.Epochs; ep++ {
		perm := rand.New(rand.NewPCG(c.Seed, uint64(ep)+1)).Perm(ds.N)
		for lo := 0; lo+c.Batch <= ds.N; lo += c.Batch {
			for i := 0; i < c.Batch; i++ {
				k := perm[lo+i]
				pixels(x[i*d:(i+1)*d], ds.Image(k))
				labels[i] = ds.Labels[k]
			}
			logits := n.forward(x, c.Batch, true)
			loss := crossEntropy(logits, labels, grad)
			if math.IsNaN(loss) {
				return nil, fmt.Errorf("classifier: loss is NaN at epoch %d step %d", ep, step)
			}
			n.backward(grad)
			opt.Step(ps)
			nn.ZeroGrad(ps)
			step++
			if c.Progress != nil {
				c.Progress(ep, step, loss)
			}
		}
	}
	return n, nil
}

// Evaluate returns, for images (n×C×size×size bytes: C planes of
// size×size per image), the predicted classes and the n×FeatureDim
// features (row-major float64).
func (n *Net) Evaluate(images []byte, count int) (pred []int, feats []float64) {
	d := max(n.Channels, 1) * n.Size * n.Size
	const batch = 256
	x := make([]float32, batch*d)
	pred = make([]int, count)
	feats = make([]float64, count*FeatureDim)
	for lo := 0; lo < count; lo += batch {
		b := min(batch, count-lo)
		pixels(x[:b*d], images[lo*d:(lo+b)*d])
		logits := n.forward(x[:b*d], b, false)
		for i := 0; i < b; i++ {
			best := 0
			for k := 1; k < Classes; k++ {
				if logits[i*Classes+k] > logits[i*Classes+best] {
					best = k
				}
			}
			pred[lo+i] = best
			for j := 0; j < FeatureDim; j++ {
				feats[(lo+i)*FeatureDim+j] = float64(n.feat[i*FeatureDim+j])
			}
		}
	}
	return pred, feats
}

// Accuracy returns the fraction of ds classified correctly.
func (n *Net) Accuracy(ds *imagedata.Dataset) float64 {
	pred, _ := n.Evaluate(ds.Pixels, ds.N)
	ok := 0
	for i, p := range pred {
		if p == int(ds.Labels[i]) {
			ok++
		}
	}
	return float64(ok) / float64(ds.N)
}

// Save writes the weights as safetensors (with the image size in the
// metadata, and the channels when there are more than one, so that a
// 1-channel classifier's file is as before); it returns the write error,
// if any.
func (n *Net) Save(path string) error {
	meta := map[string]string{"classifier_size": fmt.Sprint(n.Size)}
	if n.Channels > 1 {
		meta["classifier_channels"] = fmt.Sprint(n.Channels)
	}
	return nn.SaveParams(path, n.Params(), meta)
}

// ErrShape is wrapped by LoadChannels' error for a file saved for another
// image size or channel count.
var ErrShape = errors.New("classifier: the weights are for other images")

// Load reads a classifier saved by Save for 1-channel size×size images
// (LoadChannels).
func Load(path string, size int) (*Net, error) { return LoadChannels(path, 1, size) }

// LoadChannels reads a classifier saved by Save for size×size images of
// channels planes. It returns an error for an invalid size or channel
// count, an unreadable or malformed file, weights that do not match the
// architecture, or a file saved for another image size or channel count
// (wrapping ErrShape, with the shape it was saved for).
func LoadChannels(path string, channels, size int) (*Net, error) {
	n, err := NewChannels(channels, size, 0)
	if err != nil {
		return nil, err
	}
	meta, err := nn.LoadParams(path, n.Params()) // the metadata also when the weights do not fit
	stored := cmp.Or(meta["classifier_channels"], "1")
	if meta != nil && (meta["classifier_size"] != fmt.Sprint(size) || stored != fmt.Sprint(channels)) {
		return nil, fmt.Errorf("%w: %s takes %s-channel %s×%s images, not %d-channel %d×%d", ErrShape, path, stored, meta["classifier_size"], meta["classifier_size"], channels, size, size)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}
