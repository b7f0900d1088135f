package nn

import (
	"fmt"
)

// UNetConfig describes the small image U-Net score network for
// InChannels×Size×Size inputs.
type UNetConfig struct {
	InChannels  int   `json:"in_channels"`
	OutChannels int   `json:"out_channels"`
	Size        int   `json:"size"`     // H = W; divisible by 2^(levels−1)
	Channels    []int `json:"channels"` // per resolution level, e.g. [32 64 128]
	NumRes      int   `json:"num_res"`  // residual blocks per level
	Groups      int   `json:"groups"`   // GroupNorm groups (divides every width)
	// Attention adds self-attention after every residual block of the
	// lowest resolution (down and up) and in the middle block.
	Attention bool    `json:"attention"`
	Dropout   float64 `json:"dropout"`
	TimeDim   int     `json:"time_dim"`
	Embedding string  `json:"embedding"`
	LogTime   bool    `json:"log_time"`
	TimeScale float64 `json:"time_scale"`
	Seed      uint64  `json:"seed"`
}

// DefaultUNetConfig returns the reference 28×28 U-Net: channels 32/64/128,
// two residual blocks per level, 8 groups, attention at 7×7, dropout 0.1,
// 128-d sinusoidal embedding of 1000·t.
func DefaultUNetConfig(inCh, outCh int) UNetConfig {
	return UNetConfig{InChannels: inCh, OutChannels: outCh, Size: 28, Channels: []int{32, 64, 128},
		NumRes: 2, Groups: 8, Attention: true, Dropout: 0.1, TimeDim: 128,
		Embedding: EmbedSinusoidal, TimeScale: 1000, Seed: 1}
}

// UNetChannelsFor returns the default U-Net widths for Size×Size images,
// one per resolution level: 32 at full resolution, doubling at each level
// below it, with as many levels (at most three) as the size allows. Each of
// the L−1 stride-2 downsamplings halves the map exactly, so NewUNet needs
// Size divisible by 2^(L−1): 28 → [32 64 128] (lowest level 7×7, the
// reference 28×28 network of DefaultUNetConfig), 14 → [32 64] (lowest 7×7),
// 32 → [32 64 128] (lowest 8×8), an odd size → [32]. It returns nil when
// size < 1. The widths are all divisible by DefaultUNetConfig's 8 groups.
func UNetChannelsFor(size int) []int {
	if size < 1 {
		return nil
	}
	ch := []int{32}
	for len(ch) < 3 && size%(1<<len(ch)) == 0 {
		ch = append(ch, 2*ch[len(ch)-1])
	}
	return ch
}

// UNet implements Model for images; inputs and outputs are batch×C×H×W.
//
// Layout: conv_in; per level NumRes ResBlocks (+ attention at the lowest
// level), its output kept as the level's skip, then a stride-2 3×3 conv;
// middle ResBlock–Attention–ResBlock; per level (lowest first) the skip is
// concatenated on channels, NumRes ResBlocks (+ attention), then nearest ×2
// up-sampling and a 3×3 conv; finally GroupNorm–SiLU–conv_out. The time
// embedding goes through Linear–SiLU–Linear–SiLU and is added per channel in
// every ResBlock.
type UNet struct {
	cfg    UNetConfig
	emb    *TimeEmbedding
	t1, t2 *Linear
	ops    []*unetOp
	res    []*ResBlock
	params []*Param

	batch         int
	xin, out, dIn []float32
	dSt, gbuf     []float32
	skips         []skipRec
	noAccum       bool
}

type unetOp struct {
	l    Layer
	push int // > 0: save the current map as skip push-1
	cat  int // > 0: concatenate skip cat-1 after the current channels
	c1   int
	buf  []float32
}

type skipRec struct {
	x       []float32
	c, h, w int
	dx      []float32 // gradient arriving from the concatenation
}

// NewUNet builds the U-Net with PyTorch-default initialisation.
func NewUNet(cfg UNetConfig) (*UNet, error) {
	L := len(cfg.Channels)
	if cfg.InChannels < 1 || cfg.OutChannels < 1 || L < 1 || cfg.NumRes < 1 || cfg.Groups < 1 ||
		cfg.Size < 1 || cfg.Size%(1<<(L-1)) != 0 || cfg.Dropout < 0 || cfg.Dropout >= 1 {
		return nil, fmt.Errorf("nn: invalid U-Net config %+v", cfg)
	}
	for _, c := range cfg.Channels {
		if c%cfg.Groups != 0 {
			return nil, fmt.Errorf("nn: U-Net width %d not divisible by %d groups", c, cfg.Groups)
		}
	}
	r := newRand(cfg.Seed, 2)
	rd := newRand(cfg.Seed, 3)
	scratch := new([]float32)
	u := &UNet{cfg: cfg}
	var err error
	if u.emb, err = NewTimeEmbedding("temb", cfg.Embedding, cfg.TimeDim, cfg.LogTime, cfg.TimeScale, r); err != nil {
		return nil, err
	}
	td := cfg.TimeDim
	u.t1 = NewLinear("time.0", td, td, true, r)
	u.t2 = NewLinear("time.1", td, td, true, r)
	u.params = append(u.params, u.emb.Params()...)
	u.params = append(u.params, u.t1.Params()...)
	u.params = append(u.params, u.t2.Params()...)
	add := func(l Layer) { u.ops = append(u.ops, &unetOp{l: l}); u.params = append(u.params, l.Params()...) }
	addRes := func(name string, cin, cout int) {
		rb := NewResBlock(name, cin, cout, td, cfg.Groups, cfg.Dropout, r, rd, scratch)
		u.res = append(u.res, rb)
		add(rb)
	}
	ch := cfg.Channels
	add(NewConv2d("conv_in", cfg.InChannels, ch[0], 3, 1, 1, r, scratch))
	cur := ch[0]
	for i := 0; i < L; i++ {
		for j := 0; j < cfg.NumRes; j++ {
			addRes(fmt.Sprintf("down.%d.res.%d", i, j), cur, ch[i])
			cur = ch[i]
			if cfg.Attention && i == L-1 {
				add(NewAttention(fmt.Sprintf("down.%d.attn.%d", i, j), cur, cfg.Groups, r, scratch))
			}
		}
		u.ops = append(u.ops, &unetOp{push: i + 1})
		if i < L-1 {
			add(NewConv2d(fmt.Sprintf("down.%d.downsample", i), cur, cur, 3, 2, 1, r, scratch))
		}
	}
	addRes("mid.res.0", cur, cur)
	if cfg.Attention {
		add(NewAttention("mid.attn", cur, cfg.Groups, r, scratch))
	}
	addRes("mid.res.1", cur, cur)
	for i := L - 1; i >= 0; i-- {
		u.ops = append(u.ops, &unetOp{cat: i + 1})
		cur += ch[i]
		for j := 0; j < cfg.NumRes; j++ {
			addRes(fmt.Sprintf("up.%d.res.%d", i, j), cur, ch[i])
			cur = ch[i]
			if cfg.Attention && i == L-1 {
				add(NewAttention(fmt.Sprintf("up.%d.attn.%d", i, j), cur, cfg.Groups, r, scratch))
			}
		}
		if i > 0 {
			add(&Upsample2x{})
			add(NewConv2d(fmt.Sprintf("up.%d.upsample", i), cur, cur, 3, 1, 1, r, scratch))
		}
	}
	add(NewGroupNorm("out.norm", cur, cfg.Groups, true))
	add(NewConv2d("out.conv", cur, cfg.OutChannels, 3, 1, 1, r, scratch))
	u.skips = make([]skipRec, L)
	return u, nil
}

// InDim returns InChannels·Size².
func (u *UNet) InDim() int { return u.cfg.InChannels * u.cfg.Size * u.cfg.Size }

// OutDim returns OutChannels·Size².
func (u *UNet) OutDim() int { return u.cfg.OutChannels * u.cfg.Size * u.cfg.Size }

// Params returns all parameters in construction order.
func (u *UNet) Params() []*Param { return u.params }

// Spec returns the architecture description.
func (u *UNet) Spec() Spec {
	c := u.cfg
	c.Channels = append([]int(nil), c.Channels...)
	return Spec{Kind: "unet", UNet: &c}
}

// transposeBC copies a B×C×HW array into C×B×HW (call with b and c swapped
// for the inverse).
func transposeBC(dst, src []float32, b, c, hw int) {
	for bb := 0; bb < b; bb++ {
		for cc := 0; cc < c; cc++ {
			copy(dst[(cc*b+bb)*hw:(cc*b+bb+1)*hw], src[(bb*c+cc)*hw:(bb*c+cc+1)*hw])
		}
	}
}

// Forward evaluates the U-Net on batch images (batch×C×H×W).
func (u *UNet) Forward(input, t []float32, batch int, train bool) []float32 {
	s := u.cfg.Size
	hw := s * s
	if len(input) < batch*u.InDim() || len(t) < batch {
		panic(fmt.Sprintf("nn: UNet.Forward: input %d or t %d too short for batch %d", len(input), len(t), batch))
	}
	u.batch = batch
	e := u.emb.Forward(t, batch)
	st := u.t2.Forward(u.t1.Forward(e, batch), batch)
	for _, rb := range u.res {
		rb.St = st
	}
	u.xin = grow(u.xin, batch*u.InDim())
	transposeBC(u.xin, input, batch, u.cfg.InChannels, hw)
	x, c, h, w := u.xin, u.cfg.InChannels, s, s
	for _, op := range u.ops {
		switch {
		case op.l != nil:
			x, h, w = op.l.Forward(x, batch, h, w, train)
			c = op.l.OutChannels()
		case op.push > 0:
			u.skips[op.push-1] = skipRec{x: x, c: c, h: h, w: w}
		default:
			sk := u.skips[op.cat-1]
			n := batch * h * w
			op.c1 = c
			op.buf = grow(op.buf, (c+sk.c)*n)
			copy(op.buf, x[:c*n])
			copy(op.buf[c*n:], sk.x[:sk.c*n])
			x, c = op.buf, c+sk.c
		}
	}
	u.out = grow(u.out, batch*u.OutDim())
	transposeBC(u.out, x, u.cfg.OutChannels, batch, hw)
	return u.out
}

// Backward back-propagates gradOut (batch×C×H×W) through the last Forward.
func (u *UNet) Backward(gradOut []float32, wantInputGrad bool) []float32 {
	b, s := u.batch, u.cfg.Size
	hw := s * s
	accum := !u.noAccum
	td := u.cfg.TimeDim
	u.dSt = grow(u.dSt, b*td)
	clear(u.dSt)
	for _, rb := range u.res {
		rb.DSt = nil
		if accum {
			rb.DSt = u.dSt
		}
	}
	u.dIn = grow(u.dIn, b*u.InDim())
	g := u.gradBuf(b * u.OutDim())
	transposeBC(g, gradOut, b, u.cfg.OutChannels, hw)
	for k := len(u.ops) - 1; k >= 0; k-- {
		op := u.ops[k]
		switch {
		case op.l != nil:
			g = op.l.Backward(g, k > 0 || wantInputGrad, accum)
		case op.cat > 0:
			sk := &u.skips[op.cat-1]
			n := b * sk.h * sk.w
			sk.dx = g[op.c1*n : (op.c1+sk.c)*n]
			g = g[:op.c1*n]
		default:
			sk := &u.skips[op.push-1]
			op.buf = grow(op.buf, len(sk.dx))
			for i, v := range sk.dx {
				op.buf[i] = g[i] + v
			}
			g = op.buf
		}
	}
	if accum {
		u.t1.Backward(u.t2.Backward(u.dSt, true, true), false, true)
	}
	if !wantInputGrad {
		return nil
	}
	transposeBC(u.dIn, g, u.cfg.InChannels, b, hw)
	return u.dIn
}

func (u *UNet) gradBuf(n int) []float32 {
	u.gbuf = grow(u.gbuf, n)
	return u.gbuf
}

// InputVJP returns gᵀ ∂Out/∂Input at (input, t) in inference mode, without
// parameter gradients.
func (u *UNet) InputVJP(input, t []float32, batch int, g []float32) []float32 {
	u.Forward(input, t, batch, false)
	u.noAccum = true
	defer func() { u.noAccum = false }()
	return u.Backward(g, true)
}

var _ Model = (*UNet)(nil)
var _ Model = (*MLP)(nil)
