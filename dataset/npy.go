package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
)

// ReadNPY reads a NumPy .npy file of float32 or float64 values (either byte
// order, C or Fortran order) of shape (n, d), or (n,) read as n×1, with
// codeberg.org/sbinet/npyio. It returns the rows (row-major, float64) and d.
// Errors name the file and what is valid: another dtype, a shape of another
// rank, no rows, a file shorter than its header says, and a NaN or ±Inf
// value (naming its row, 1-based, and column).
func ReadNPY(path string) ([]float64, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("dataset: %w", err)
	}
	data, err := checkNPYFrame(f, st.Size())
	if err != nil {
		return nil, 0, fmt.Errorf("dataset: %s: not a NumPy .npy file (%v)", path, err)
	}
	r, err := newNPYReader(f)
	if err != nil {
		return nil, 0, fmt.Errorf("dataset: %s: not a NumPy .npy file (%v)", path, err)
	}
	h := r.Header.Descr
	h.Type = strings.Trim(h.Type, `'"`)
	size := map[string]int64{"<f4": 4, ">f4": 4, "=f4": 4, "<f8": 8, ">f8": 8, "=f8": 8}[h.Type]
	if size == 0 {
		return nil, 0, fmt.Errorf("dataset: %s: dtype %q: want float32 or float64 (<f4, <f8)", path, h.Type)
	}
	if len(h.Shape) < 1 || len(h.Shape) > 2 {
		return nil, 0, fmt.Errorf("dataset: %s: shape %v: want (n, d) points or (n,) values", path, h.Shape)
	}
	n, d := int64(h.Shape[0]), int64(1)
	if len(h.Shape) == 2 {
		d = int64(h.Shape[1])
	}
	switch {
	case n < 1 || d < 1:
		return nil, 0, fmt.Errorf("dataset: %s: shape %v: no samples, want n >= 1 rows of d >= 1 values", path, h.Shape)
	case n > MaxCSVRows:
		return nil, 0, fmt.Errorf("dataset: %s: %d rows: more than %d samples", path, n, MaxCSVRows)
	case d > data || n*d*size > data:
		return nil, 0, fmt.Errorf("dataset: %s: shape %v of %s needs %d bytes of data, the file has %d: truncated", path, h.Shape, h.Type, n*d*size, data)
	}
	x := make([]float64, n*d)
	if size == 4 {
		x32 := make([]float32, n*d)
		err = r.Read(&x32)
		for i, v := range x32 {
			x[i] = float64(v)
		}
	} else {
		err = r.Read(&x)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("dataset: %s: reading %d values of %s: %v", path, n*d, h.Type, err)
	}
	if h.Fortran && d > 1 { // column-major on disk
		y := slices.Clone(x)
		for j := int64(0); j < d; j++ {
			for i := int64(0); i < n; i++ {
				x[i*d+j] = y[j*n+i]
			}
		}
	}
	if i := slices.IndexFunc(x, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }); i >= 0 {
		return nil, 0, fmt.Errorf("dataset: %s: row %d, column %d is %v: samples must be finite numbers", path, int64(i)/d+1, int64(i)%d+1, x[i])
	}
	return x, int(d), nil
}

// checkNPYFrame checks the magic, the version and that the header length
// fits the file and the header ends in a newline (npyio allocates the
// header's length and panics on a header without one), then rewinds f. It
// returns the number of bytes after the header.
func checkNPYFrame(f *os.File, size int64) (int64, error) {
	var pre [12]byte
	n, _ := io.ReadFull(f, pre[:])
	if n < 10 || string(pre[:6]) != "\x93NUMPY" {
		return 0, errors.New("no NumPy magic")
	}
	start, hlen := int64(10), int64(binary.LittleEndian.Uint16(pre[8:10]))
	switch pre[6] {
	case 1:
	case 2, 3:
		start, hlen = 12, int64(binary.LittleEndian.Uint32(pre[8:12]))
	default:
		return 0, fmt.Errorf("format version %d.%d", pre[6], pre[7])
	}
	if hlen < 1 || start+hlen > size {
		return 0, fmt.Errorf("header of %d bytes in a file of %d", hlen, size)
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, start+hlen-1); err != nil || last[0] != '\n' {
		return 0, errors.New("header does not end in a newline")
	}
	_, err := f.Seek(0, io.SeekStart)
	return size - start - hlen, err
}

// newNPYReader reads the header with npyio, turning a panic on a malformed
// header into an error.
func newNPYReader(f io.Reader) (r *npy.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			r, err = nil, fmt.Errorf("malformed header: %v", p)
		}
	}()
	return npy.NewReader(f)
}

// IsPoints reports whether name selects a point-cloud file: a name ending
// in .csv or .npy (any case).
func IsPoints(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".npy")
}

// ReadPoints reads a point-cloud file: ReadNPY for .npy, ReadCSV
// otherwise. Every error is a *FileError.
func ReadPoints(path string) ([]float64, int, error) {
	x, d, _, err := ReadPointsNamed(path)
	return x, d, err
}

// ReadPointsNamed is ReadPoints that also returns the column names of a
// CSV file's header row (nil for a CSV without one and for NPY).
func ReadPointsNamed(path string) (x []float64, d int, names []string, err error) {
	if strings.HasSuffix(strings.ToLower(path), ".npy") {
		x, d, err = ReadNPY(path)
	} else {
		x, d, names, err = readCSV(path)
	}
	if err != nil {
		return nil, 0, nil, &FileError{Path: path, Err: err}
	}
	return x, d, names, nil
}

// FileError is an error of a data file that cannot be read or whose
// content is invalid (as opposed to a setting that does not fit the data).
type FileError struct {
	Path string
	Err  error // its message names the file
}

func (e *FileError) Error() string { return e.Err.Error() }

// FilePath returns the file's path.
func (e *FileError) FilePath() string { return e.Path }
func (e *FileError) Unwrap() error    { return e.Err }
