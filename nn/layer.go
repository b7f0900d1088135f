package nn

// layer is a U-Net building block on channel-major (C×B×H×W) feature maps.
// forward caches what backward needs; backward takes dL/dy for the last
// forward, accumulates parameter gradients when accum is set and returns
// dL/dx (owned by the layer) when needDx is set.
type layer interface {
	forward(x []float32, b, h, w int, train bool) (y []float32, oh, ow int)
	backward(dy []float32, needDx, accum bool) []float32
	outC() int
	params() []*Param
}
