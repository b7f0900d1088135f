package nn

// Layer is a building block on channel-major (C×B×H×W) feature maps, as the
// U-Net uses them (Conv2d, GroupNorm, Attention, ResBlock, Upsample2x).
// Forward caches what Backward needs and returns the output (owned by the
// layer) and its spatial size; Backward takes dL/dy for the last Forward,
// accumulates parameter gradients when accum is set and returns dL/dx
// (owned by the layer) when needDx is set, else nil.
type Layer interface {
	Forward(x []float32, b, h, w int, train bool) (y []float32, oh, ow int)
	Backward(dy []float32, needDx, accum bool) []float32
	OutChannels() int
	Params() []*Param
}
