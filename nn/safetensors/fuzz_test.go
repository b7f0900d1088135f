package safetensors

import (
	"bytes"
	"testing"
)

// FuzzRead: arbitrary bytes never panic or allocate beyond what the input
// could hold; an accepted file's tensors fit their declared shapes.
func FuzzRead(f *testing.F) {
	var good bytes.Buffer
	Write(&good, []Tensor{{Name: "w", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}}, map[string]string{"k": "v"})
	f.Add(good.Bytes())
	f.Add([]byte{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Add([]byte(`{"w":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4]}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := Read(bytes.NewReader(in), int64(len(in)))
		if err != nil {
			return
		}
		for _, ts := range file.Tensors {
			n := 1
			for _, s := range ts.Shape {
				n *= s
			}
			if n != len(ts.Data) || 4*len(ts.Data) > len(in) {
				t.Fatalf("tensor %q: shape %v with %d values from %d input bytes", ts.Name, ts.Shape, len(ts.Data), len(in))
			}
		}
	})
}
