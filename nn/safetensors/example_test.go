package safetensors_test

import (
	"bytes"
	"fmt"

	"phasespace/nn/safetensors"
)

// Write a tensor with metadata and read it back.
func Example() {
	var buf bytes.Buffer
	err := safetensors.Write(&buf, []safetensors.Tensor{{Name: "w", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}, map[string]string{"note": "example"})
	if err != nil {
		panic(err)
	}
	f, err := safetensors.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		panic(err)
	}
	w, _ := f.Tensor("w")
	fmt.Println(w.Shape, w.Data, f.Metadata["note"])
	// Output: [2 2] [1 2 3 4] example
}
