package imagedata

import (
	"bytes"
	"testing"
)

// FuzzReadIDX: no input may panic, and a successful decode is consistent
// with its header and never larger than the input could justify.
func FuzzReadIDX(f *testing.F) {
	f.Add(makeIDX([]uint32{2, 2, 2}, make([]byte, 8)))
	f.Add(gz(makeIDX([]uint32{3}, []byte{1, 2, 3})))
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		idx, err := ReadIDX(bytes.NewReader(in), 1<<20)
		if err != nil {
			return
		}
		size := 1
		for _, d := range idx.Dims {
			if d <= 0 {
				t.Fatalf("accepted dimension %d", d)
			}
			size *= d
		}
		if size != len(idx.Data) || size > 1<<20 {
			t.Fatalf("dims %v but %d data bytes", idx.Dims, len(idx.Data))
		}
	})
}
