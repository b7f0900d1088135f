// Package safetensors reads and writes float32 tensors in the safetensors
// format: an 8-byte little-endian header length N, N bytes of JSON mapping
// each tensor name to {"dtype","shape","data_offsets"} (plus an optional
// "__metadata__" string map), then the raw little-endian tensor data. Files
// are written as the reference implementation lays them out (header padded
// with spaces to a multiple of 8, tensor data contiguous in header order);
// bench/torch_ref.py --check reads them with the reference loader's checks.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// MaxHeaderSize bounds the JSON header (as the reference implementation's
// 100 MB limit) so that corrupt files cannot cause huge allocations.
const MaxHeaderSize = 100 << 20

// Tensor is a named float32 tensor.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

type entry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Write encodes tensors (in the given order) and metadata to w.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off int64
	for _, t := range tensors {
		if t.Name == "" || t.Name == "__metadata__" {
			return fmt.Errorf("safetensors: invalid tensor name %q", t.Name)
		}
		if _, dup := header[t.Name]; dup {
			return fmt.Errorf("safetensors: duplicate tensor name %q", t.Name)
		}
		n := 1
		for _, s := range t.Shape {
			n *= s
		}
		if n != len(t.Data) {
			return fmt.Errorf("safetensors: tensor %q has shape %v but %d values", t.Name, t.Shape, len(t.Data))
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		end := off + 4*int64(n)
		header[t.Name] = entry{DType: "F32", Shape: shape, DataOffsets: [2]int64{off, end}}
		off = end
	}
	h, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("safetensors: encode header: %w", err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	var pre [8]byte
	binary.LittleEndian.PutUint64(pre[:], uint64(len(h)))
	bw := &errWriter{w: w}
	bw.write(pre[:])
	bw.write(h)
	buf := make([]byte, 0, 1<<16)
	for _, t := range tensors {
		for _, v := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				bw.write(buf)
				buf = buf[:0]
			}
		}
	}
	bw.write(buf)
	return bw.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(b []byte) {
	if e.err == nil && len(b) > 0 {
		_, e.err = e.w.Write(b)
	}
}

// WriteFile writes tensors to path atomically (temporary file, then rename).
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	tmp := f.Name()
	err = f.Chmod(0o644)
	if err == nil {
		err = Write(f, tensors, metadata)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("safetensors: write %s: %w", path, err)
	}
	return nil
}

// File is a decoded safetensors file.
type File struct {
	Metadata map[string]string
	Tensors  []Tensor // in data-offset order
}

// Tensor returns the tensor called name.
func (f *File) Tensor(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Read decodes a safetensors stream of the given total size, validating the
// header against size before allocating anything proportional to it.
func Read(r io.ReaderAt, size int64) (*File, error) {
	if size < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is shorter than the 8-byte header length", size)
	}
	var pre [8]byte
	if _, err := r.ReadAt(pre[:], 0); err != nil {
		return nil, fmt.Errorf("safetensors: read header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(pre[:])
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header length %d exceeds limit %d", n, MaxHeaderSize)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("safetensors: header length %d exceeds file size %d", n, size)
	}
	h := make([]byte, n)
	if _, err := r.ReadAt(h, 8); err != nil {
		return nil, fmt.Errorf("safetensors: read header: %w", err)
	}
	h = bytes.TrimRight(h, " ")
	if len(h) == 0 || h[0] != '{' {
		return nil, errors.New("safetensors: header is not a JSON object")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(h, &raw); err != nil {
		return nil, fmt.Errorf("safetensors: parse header: %w", err)
	}
	f := &File{}
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &f.Metadata); err != nil {
			return nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %w", err)
		}
		delete(raw, "__metadata__")
	}
	dataStart := 8 + int64(n)
	dataLen := size - dataStart
	type item struct {
		name string
		e    entry
	}
	items := make([]item, 0, len(raw))
	for name, msg := range raw {
		var e entry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: bad header entry: %w", name, err)
		}
		if e.DType != "F32" {
			return nil, fmt.Errorf("safetensors: tensor %q has dtype %q; only F32 is supported", name, e.DType)
		}
		count := int64(1)
		for _, s := range e.Shape {
			if s < 0 || (s > 0 && count > dataLen/int64(s)) {
				return nil, fmt.Errorf("safetensors: tensor %q: shape %v is negative or larger than the file", name, e.Shape)
			}
			count *= int64(s)
		}
		b, en := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || en < b || en > dataLen {
			return nil, fmt.Errorf("safetensors: tensor %q: data offsets [%d, %d] outside the %d data bytes", name, b, en, dataLen)
		}
		if en-b != 4*count {
			return nil, fmt.Errorf("safetensors: tensor %q: shape %v needs %d bytes but offsets span %d", name, e.Shape, 4*count, en-b)
		}
		items = append(items, item{name, e})
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i].e.DataOffsets, items[j].e.DataOffsets
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		return a[1] < b[1]
	})
	var prev int64
	for _, it := range items {
		if it.e.DataOffsets[0] != prev {
			return nil, fmt.Errorf("safetensors: tensor %q starts at %d, expected %d (overlap or hole in data)", it.name, it.e.DataOffsets[0], prev)
		}
		prev = it.e.DataOffsets[1]
	}
	if prev != dataLen {
		return nil, fmt.Errorf("safetensors: tensors cover %d data bytes but the file has %d", prev, dataLen)
	}
	buf := make([]byte, dataLen)
	if _, err := r.ReadAt(buf, dataStart); err != nil && !(errors.Is(err, io.EOF) && dataLen == 0) {
		return nil, fmt.Errorf("safetensors: read data: %w", err)
	}
	for _, it := range items {
		b := buf[it.e.DataOffsets[0]:it.e.DataOffsets[1]]
		d := make([]float32, len(b)/4)
		for i := range d {
			d[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		shape := it.e.Shape
		if shape == nil {
			shape = []int{}
		}
		f.Tensors = append(f.Tensors, Tensor{Name: it.name, Shape: shape, Data: d})
	}
	return f, nil
}

// ReadFile reads and validates the safetensors file at path.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	f, err := Read(fh, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return f, nil
}
