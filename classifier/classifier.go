// Package classifier is the project's own image classifier for 28×28 (or
// 14×14) single-channel images such as MNIST and Fashion-MNIST, or for
// square C-channel images of any size 8..256 (an RGB image folder with
// class subfolders) when trained on them. Its
// penultimate 128-d activations are the feature space in which generated
// images are compared with real ones (FD, KID, precision/recall): standard
// Inception features are not available offline, so those numbers are
// reported as FD/KID of this classifier, never as FID.
//
// Architecture: conv 3×3 (C→32) → GroupNorm+SiLU → conv 3×3 stride 2
// (32→64) → GroupNorm+SiLU → conv 3×3 stride 2 (64→64) → GroupNorm+SiLU →
// flatten → Linear+SiLU (→128, the features) → Linear (→10), trained with
// softmax cross-entropy and Adam from a fixed seed.
package classifier

import (
	"fmt"
	"math"
	"math/rand/v2"

	"phasespace/nn"
)

// Net is the classifier. It is not safe for concurrent use.
type Net struct {
	Size     int // images are Size×Size
	Channels int // of C planes (1: grayscale)
	convs    []*nn.Conv2d
	norms    []*nn.GroupNorm
	fc1, fc2 *nn.Linear
	scratch  []float32

	b, side      int
	flat, dflat  []float32
	xin          []float32 // the input batch channel-major (C > 1)
	feat, logits []float32
}

// Classes is the number of output classes.
const Classes = 10

// FeatureDim is the width of the feature layer.
const FeatureDim = 128

// MaxChannels is the most image channels NewChannels takes.
const MaxChannels = 4

// New builds the classifier for 1-channel size×size images with weights
// from seed. It returns an error for a size outside 8..256.
func New(size int, seed uint64) (*Net, error) { return NewChannels(1, size, seed) }

// NewChannels builds the classifier for size×size images of channels
// planes with weights from seed; for one channel it is New, weight for
// weight. It returns an error for a size outside 8..256 or channels
// outside 1..MaxChannels.
func NewChannels(channels, size int, seed uint64) (*Net, error) {
	if size < 8 || size > 256 {
		return nil, fmt.Errorf("classifier: image size %d, want 8..256 (28 or 14)", size)
	}
	if channels < 1 || channels > MaxChannels {
		return nil, fmt.Errorf("classifier: %d image channels, want 1..%d (1 gray, 3 RGB)", channels, MaxChannels)
	}
	r := rand.New(rand.NewPCG(seed, 0xc1a55))
	n := &Net{Size: size, Channels: channels}
	ch := []int{channels, 32, 64, 64}
	strides := []int{1, 2, 2}
	for i := 0; i < 3; i++ {
		n.convs = append(n.convs, nn.NewConv2d(fmt.Sprintf("conv%d", i), ch[i], ch[i+1], 3, strides[i], 1, r, &n.scratch))
		n.norms = append(n.norms, nn.NewGroupNorm(fmt.Sprintf("norm%d", i), ch[i+1], 8, true))
	}
	n.side = size
	for _, s := range strides {
		n.side = (n.side+2-3)/s + 1 // 3×3 convolution with padding 1
	}
	n.fc1 = nn.NewLinear("fc1", 64*n.side*n.side, FeatureDim, true, r)
	n.fc2 = nn.NewLinear("fc2", FeatureDim, Classes, false, r)
	return n, nil
}

// Params returns the parameters in a fixed order.
func (n *Net) Params() []*nn.Param {
	var ps []*nn.Param
	for i := range n.convs {
		ps = append(ps, n.convs[i].Params()...)
		ps = append(ps, n.norms[i].Params()...)
	}
	ps = append(ps, n.fc1.Params()...)
	return append(ps, n.fc2.Params()...)
}

// forward maps a batch of images (b×C×size×size, values in [0, 1]) to
// logits; features are kept in n.feat.
func (n *Net) forward(x []float32, b int, train bool) []float32 {
	n.b = b
	h, w := n.Size, n.Size
	y := x
	if c, hw := n.Channels, h*w; c > 1 { // B×C×H×W → C×B×H×W, the convolutions' layout
		n.xin = grow(n.xin, b*c*hw)
		for bi := 0; bi < b; bi++ {
			for ci := 0; ci < c; ci++ {
				copy(n.xin[(ci*b+bi)*hw:(ci*b+bi+1)*hw], x[(bi*c+ci)*hw:(bi*c+ci+1)*hw])
			}
		}
		y = n.xin
	}
	for i := range n.convs {
		y, h, w = n.convs[i].Forward(y, b, h, w, train)
		y, h, w = n.norms[i].Forward(y, b, h, w, train)
	}
	// Channel-major C×B×H×W → B×(C·H·W).
	c, hw := 64, h*w
	n.flat = grow(n.flat, b*c*hw)
	for ci := 0; ci < c; ci++ {
		for bi := 0; bi < b; bi++ {
			copy(n.flat[bi*c*hw+ci*hw:bi*c*hw+(ci+1)*hw], y[(ci*b+bi)*hw:(ci*b+bi+1)*hw])
		}
	}
	n.feat = n.fc1.Forward(n.flat, b)
	n.logits = n.fc2.Forward(n.feat, b)
	return n.logits
}

func (n *Net) backward(dlogits []float32) {
	dfeat := n.fc2.Backward(dlogits, true, true)
	dflat := n.fc1.Backward(dfeat, true, true)
	b, c, hw := n.b, 64, n.side*n.side
	n.dflat = grow(n.dflat, b*c*hw)
	for ci := 0; ci < c; ci++ {
		for bi := 0; bi < b; bi++ {
			copy(n.dflat[(ci*b+bi)*hw:(ci*b+bi+1)*hw], dflat[bi*c*hw+ci*hw:bi*c*hw+(ci+1)*hw])
		}
	}
	dy := n.dflat
	for i := len(n.convs) - 1; i >= 0; i-- {
		dy = n.norms[i].Backward(dy, true, true)
		dy = n.convs[i].Backward(dy, i > 0, true)
	}
}

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// crossEntropy returns the mean loss and writes ∂loss/∂logits into grad.
func crossEntropy(logits []float32, labels []byte, grad []float32) float64 {
	b := len(labels)
	loss := 0.0
	for i := 0; i < b; i++ {
		row := logits[i*Classes : (i+1)*Classes]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(float64(v - mx))
		}
		lse := float64(mx) + math.Log(s)
		loss += lse - float64(row[labels[i]])
		for k, v := range row {
			p := math.Exp(float64(v) - lse)
			if k == int(labels[i]) {
				p--
			}
			grad[i*Classes+k] = float32(p / float64(b))
		}
	}
	return loss / float64(b)
}

// pixels converts bytes to [0, 1].
func pixels(dst []float32, src []byte) {
	for i, p := range src {
		dst[i] = float32(p) / 255
	}
}
