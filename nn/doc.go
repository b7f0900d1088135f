// Package nn is a small float32 neural-network engine for score-based
// diffusion models: explicit forward and backward passes, Adam/AdamW, EMA,
// safetensors checkpoints and two reference score networks (a toy MLP and a
// small U-Net for C×28×28 images).
//
// # Model interface
//
// The SDE, sampler and training code depend only on Model:
//
//	type Model interface {
//		Forward(input, t []float32, batch int, train bool) []float32
//		Backward(gradOut []float32, wantInputGrad bool) []float32
//		InputVJP(input, t []float32, batch int, g []float32) []float32
//		Params() []*Param
//		InDim() int
//		OutDim() int
//		Spec() Spec
//	}
//
// Forward evaluates the network on a batch: input is batch×InDim row-major
// (images as batch×C×H×W flattened), t holds one time per row, and the
// returned batch×OutDim slice is owned by the model and valid until the next
// call. Backward takes dL/dOutput for the last Forward, accumulates (+=)
// parameter gradients into Param.Grad and, if asked, returns dL/dInput.
// InputVJP evaluates the network in inference mode (no dropout) and returns
// gᵀ ∂Out/∂Input without touching parameter gradients, as Hutchinson
// divergence estimates need. A Model is not safe for concurrent use; build one
// per goroutine from its Spec and copy the parameters if needed.
//
// # Layout and buffers
//
// Layers cache what their backward pass needs and own their output and
// gradient buffers, which are reused between steps; after the first step
// with a given batch size the only heap allocations are the small closures
// handed to worker goroutines (a few KB per step). Inside the U-Net feature
// maps are stored channel-major (C×B×H×W, see Layer) so that a convolution
// is a GEMM over many samples at once; the model converts at its boundary.
// Convolutions run im2col + GEMM over chunks of the batch sized to stay in
// cache, each goroutine taking whole chunks, and the input gradient of
// 'same' 3×3 convolutions is a second convolution with the flipped kernel
// (no col2im). All matrix products go through gemm.Sgemm (parallel inside)
// or, where the engine runs independent products side by side (convolution
// chunks, attention per sample), gemm.SgemmSerial on each goroutine.
// Elementwise and normalisation work is split over GOMAXPROCS goroutines
// when large enough; SiLU, sigmoid and the Adam update use AVX2 kernels on
// amd64 CPUs that have it (portable Go otherwise).
//
// # Determinism
//
// Weights are initialised like PyTorch's defaults (Kaiming-uniform with
// a = √5 for Linear and Conv2d weights, U(±1/√fan_in) biases) from a
// math/rand/v2 PCG stream seeded by the model's Spec; dropout masks come from
// a second seeded stream. Results are deterministic given the seed and the
// sequence of calls.
//
// # Files
//
// SaveModel writes the parameters as a safetensors file (see package
// nn/safetensors) whose metadata holds the JSON Spec; LoadModel rebuilds the
// model from that Spec and loads the weights, validating names and shapes.
package nn
