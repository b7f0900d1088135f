//go:build !amd64 || noasm

package nn

func gnStatsSIMD([]float32, float32, *[16]float32) bool                           { return false }
func gnAffineSIMD(_, _ []float32, _, _ float32) bool                              { return false }
func mulInPlaceSIMD(_, _ []float32) bool                                          { return false }
func gnBackSIMD(_, _, _, _ []float32, _ *[4]float32, _ *[16]float32, _ bool) bool { return false }
func gnDxSIMD(_, _ []float32, _ *[8]float32) bool                                 { return false }
