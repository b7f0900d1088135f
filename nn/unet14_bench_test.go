package nn

import "testing"

// BenchmarkUNet14Forward is one score evaluation of the 14×14 U-Net that
// `phasespace sample` runs in bench/e2e.sh's sample-unet row (2 → 1
// channels, widths 32/64, batch 256, inference): the network's part of one
// SSCS function evaluation.
func BenchmarkUNet14Forward(b *testing.B) {
	cfg := DefaultUNetConfig(2, 1)
	cfg.Size, cfg.Channels = 14, UNetChannelsFor(14)
	m, err := NewUNet(cfg)
	if err != nil {
		b.Fatal(err)
	}
	const batch = 256
	x := make([]float32, batch*m.InDim())
	t := make([]float32, batch)
	for i := range x {
		x[i] = float32(i%17)/17 - 0.5
	}
	for i := range t {
		t[i] = 0.3
	}
	m.Forward(x, t, batch, false)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Forward(x, t, batch, false)
	}
}
