package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

func encode(t *testing.T, ts []Tensor, md map[string]string) []byte {
	var b bytes.Buffer
	if err := Write(&b, ts, md); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	ts := []Tensor{
		{Name: "b", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, float32(math.Inf(-1))}},
		{Name: "a", Shape: []int{1}, Data: []float32{-0.5}},
		{Name: "s", Shape: []int{}, Data: []float32{7}},
		{Name: "e", Shape: []int{0, 4}, Data: nil},
	}
	raw := encode(t, ts, map[string]string{"k": "v"})
	n := binary.LittleEndian.Uint64(raw)
	if n%8 != 0 || raw[8] != '{' {
		t.Fatalf("header length %d not 8-aligned or not JSON", n)
	}
	f, err := Read(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["k"] != "v" || len(f.Tensors) != 4 {
		t.Fatalf("metadata %v, %d tensors", f.Metadata, len(f.Tensors))
	}
	for _, want := range ts {
		got, ok := f.Tensor(want.Name)
		if !ok || len(got.Shape) != len(want.Shape) || len(got.Data) != len(want.Data) {
			t.Fatalf("tensor %s: got %+v", want.Name, got)
		}
		for i := range want.Data {
			if got.Data[i] != want.Data[i] {
				t.Errorf("%s[%d] = %v, want %v", want.Name, i, got.Data[i], want.Data[i])
			}
		}
	}
}

// TestKnownBytes checks the exact layout against a hand-built file.
func TestKnownBytes(t *testing.T) {
	raw := encode(t, []Tensor{{Name: "x", Shape: []int{2}, Data: []float32{1, -2}}}, nil)
	hdr := `{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	for len(hdr)%8 != 0 {
		hdr += " "
	}
	want := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	want = append(want, hdr...)
	want = binary.LittleEndian.AppendUint32(want, math.Float32bits(1))
	want = binary.LittleEndian.AppendUint32(want, math.Float32bits(-2))
	if !bytes.Equal(raw, want) {
		t.Errorf("encoding\n%q\nwant\n%q", raw, want)
	}
}

func TestCorrupt(t *testing.T) {
	good := encode(t, []Tensor{{Name: "x", Shape: []int{2}, Data: []float32{1, 2}}, {Name: "y", Shape: []int{1}, Data: []float32{3}}}, nil)
	hdrLen := int(binary.LittleEndian.Uint64(good))
	withHeader := func(h string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		b = append(b, h...)
		return append(b, make([]byte, data)...)
	}
	huge := binary.LittleEndian.AppendUint64(nil, 1<<62)
	cases := map[string]struct {
		raw  []byte
		want string
	}{
		"short":          {good[:5], "shorter"},
		"huge header":    {huge, "exceeds limit"},
		"header > file":  {good[:8+hdrLen-1], "exceeds file size"},
		"truncated data": {good[:len(good)-4], "offsets"},
		"not json":       {withHeader("[1,2]   ", 0), "not a JSON object"},
		"bad json":       {withHeader(`{"x":`, 0), "parse header"},
		"dtype":          {withHeader(`{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, 2), "only F32"},
		"shape/offsets":  {withHeader(`{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8), "needs 12 bytes"},
		"huge shape":     {withHeader(`{"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, 8), "larger than the file"},
		"negative":       {withHeader(`{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}`, 8), "negative"},
		"overlap":        {withHeader(`{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "overlap"},
		"trailing":       {withHeader(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "cover 4 data bytes"},
		"metadata":       {withHeader(`{"__metadata__":{"a":1}}`, 0), "__metadata__"},
	}
	for name, c := range cases {
		_, err := Read(bytes.NewReader(c.raw), int64(len(c.raw)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", name, err, c.want)
		}
	}
	if _, err := ReadFile("/nonexistent/x.safetensors"); err == nil {
		t.Error("missing file accepted")
	}
	if err := Write(&bytes.Buffer{}, []Tensor{{Name: "x", Shape: []int{2}, Data: []float32{1}}}, nil); err == nil {
		t.Error("shape/data mismatch accepted by Write")
	}
}
