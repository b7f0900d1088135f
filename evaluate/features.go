package evaluate

import (
	"fmt"
	"strings"

	"phasespace/classifier"
	"phasespace/featuremetrics"
	"phasespace/imagedata"
)

// FeatureMetric names one feature-space metric of images.
type FeatureMetric int

const (
	FD      FeatureMetric = iota + 1 // Fréchet distance of classifier features (not Inception FID)
	KID                              // kernel distance, mean and spread over subsets
	PR                               // improved precision and recall (k = 3)
	Classes                          // KL of predicted-class histograms
)

var featureMetricNames = []string{FD: "fd", KID: "kid", PR: "pr", Classes: "classes"}

// String returns "fd", "kid", "pr" or "classes".
func (m FeatureMetric) String() string {
	if m >= FD && m <= Classes {
		return featureMetricNames[m]
	}
	return fmt.Sprintf("FeatureMetric(%d)", int(m))
}

// ParseFeatureMetric maps "fd", "kid", "pr" and "classes" to a FeatureMetric.
func ParseFeatureMetric(s string) (FeatureMetric, error) {
	for m := FD; m <= Classes; m++ {
		if featureMetricNames[m] == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("evaluate: feature metric %q: valid are %s", s, strings.Join(featureMetricNames[1:], ", "))
}

// Embedded is a set of images in the classifier's feature space.
type Embedded struct {
	Features featuremetrics.Features // n×classifier.FeatureDim
	Pred     []int                   // predicted classes
}

// Embed passes the first n images (n×size×size bytes) through the
// classifier.
func Embed(net *classifier.Net, pixels []byte, n int) Embedded {
	pred, feat := net.Evaluate(pixels, n)
	return Embedded{Features: featuremetrics.Features{N: n, D: classifier.FeatureDim, Data: feat}, Pred: pred}
}

// FeatureScores are feature metrics of one image set against a reference
// set; fields of metrics not computed are zero.
type FeatureScores struct {
	FD                float64
	KID, KIDSD        float64 // mean and standard deviation over 100 subsets of min(1000, n)
	Precision, Recall float64
	ClassKL           float64
	Starved           int // reference classes with no generated image
}

// Score computes the requested metrics (nil: all) of gen against ref with
// the seed of KID's subsets. Precision and recall need more than 3 images
// and are skipped otherwise.
func Score(gen, ref Embedded, want []FeatureMetric, seed uint64) (FeatureScores, error) {
	var s FeatureScores
	var err error
	if want == nil {
		want = []FeatureMetric{FD, KID, PR, Classes}
	}
	for _, m := range want {
		switch m {
		case FD:
			s.FD, err = featuremetrics.FD(gen.Features, ref.Features)
		case KID:
			s.KID, s.KIDSD, err = featuremetrics.KID(gen.Features, ref.Features, 100, min(1000, gen.Features.N), seed)
		case PR:
			if gen.Features.N > 3 {
				s.Precision, s.Recall, err = featuremetrics.PrecisionRecall(ref.Features, gen.Features, 3)
			}
		case Classes:
			s.ClassKL, s.Starved = featuremetrics.ClassHistogramKL(gen.Pred, ref.Pred, classifier.Classes)
		default:
			return s, fmt.Errorf("evaluate: unknown feature metric %v", m)
		}
		if err != nil {
			return s, fmt.Errorf("evaluate: %v: %w", m, err)
		}
	}
	return s, nil
}

// FeatureConfig configures Features. Zero fields mean the defaults named.
type FeatureConfig struct {
	Metrics []FeatureMetric // nil: FD, KID, PR, Classes
	Seed    uint64          // KID's subsets
}

// FeatureResult holds generated-versus-test scores beside the floor:
// the first N training images against the same N test images.
type FeatureResult struct {
	N            int
	Value, Floor FeatureScores
	Metrics      []FeatureMetric // the metrics computed
}

// Features compares n generated images (n×C×H×W bytes, C planes per
// image, see imagedata.ToPixels) with the first n test images in the
// classifier's feature space, n at most test.N, and gives the floor of
// the first n training images against the same test images. The
// classifier must take the test images' channels and size.
func Features(net *classifier.Net, gen []byte, test, train *imagedata.Dataset, c FeatureConfig) (*FeatureResult, error) {
	px := test.Dim()
	if len(gen) == 0 || len(gen)%px != 0 {
		return nil, fmt.Errorf("evaluate: %d generated pixels: want n×%d×%d×%d", len(gen), test.Channels(), test.H, test.W)
	}
	if net.Channels != test.Channels() || net.Size != test.H || test.H != test.W {
		return nil, fmt.Errorf("evaluate: the classifier takes %d-channel %d×%d images, the test images are %d-channel %d×%d", net.Channels, net.Size, net.Size, test.Channels(), test.W, test.H)
	}
	n := len(gen) / px
	if n > test.N || n > train.N {
		return nil, fmt.Errorf("evaluate: %d generated images, but only %d test and %d training images for the comparison", n, test.N, train.N)
	}
	return featuresOf(net, Embed(net, gen, n), test, train, c)
}

// featuresOf is Features of the generated images' embedding g (g.Features.N
// images): the classifier embeds each image on its own, so the embedding of
// a set's rows is the rows of its embedding, and merged shards give the
// single run's g exactly.
func featuresOf(net *classifier.Net, g Embedded, test, train *imagedata.Dataset, c FeatureConfig) (*FeatureResult, error) {
	n := g.Features.N
	if n > test.N || n > train.N {
		return nil, fmt.Errorf("evaluate: %d generated images, but only %d test and %d training images for the comparison", n, test.N, train.N)
	}
	want := c.Metrics
	if want == nil {
		want = []FeatureMetric{FD, KID, PR, Classes}
	}
	t, r := Embed(net, test.Pixels, n), Embed(net, train.Pixels, n)
	v, err := Score(g, t, want, c.Seed)
	if err != nil {
		return nil, err
	}
	f, err := Score(r, t, want, c.Seed)
	if err != nil {
		return nil, err
	}
	return &FeatureResult{N: n, Value: v, Floor: f, Metrics: append([]FeatureMetric(nil), want...)}, nil
}

// Fields returns the layout of `phasespace eval --json` under "features"
// (without its "sampler" entry, which is the caller's).
func (r *FeatureResult) Fields() map[string]any {
	out, floor := map[string]any{"n": r.N}, map[string]any{}
	for _, m := range r.Metrics {
		switch m {
		case FD:
			out["fd"], floor["fd"] = r.Value.FD, r.Floor.FD
		case KID:
			out["kid"], out["kid_sd"] = r.Value.KID, r.Value.KIDSD
			floor["kid"], floor["kid_sd"] = r.Floor.KID, r.Floor.KIDSD
		case PR:
			if r.N > 3 {
				out["precision"], out["recall"] = r.Value.Precision, r.Value.Recall
				floor["precision"], floor["recall"] = r.Floor.Precision, r.Floor.Recall
			}
		case Classes:
			out["class_kl"], out["starved_classes"] = r.Value.ClassKL, r.Value.Starved
			floor["class_kl"], floor["starved_classes"] = r.Floor.ClassKL, r.Floor.Starved
		}
	}
	out["floor"] = floor
	return out
}
