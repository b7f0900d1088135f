package imagedata

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// IDX is a decoded IDX file of unsigned bytes.
type IDX struct {
	Dims []int  // e.g. [60000 28 28] or [60000]
	Data []byte // row-major, product(Dims) bytes
}

// maxIDXBytes bounds the payload a header may declare (the MNIST training
// images are 47 MB); a corrupt header cannot make the reader allocate more.
const maxIDXBytes = 1 << 30

// ReadIDX decodes an IDX file of type unsigned byte from r, which may be
// gzip-compressed. limit bounds the payload size the header may declare
// (0 means 1 GiB). Truncated data, unknown magic numbers, other element
// types and absurd dimensions are reported as errors starting with
// "imagedata: IDX: ".
func ReadIDX(r io.Reader, limit int64) (*IDX, error) {
	idx, err := readIDX(r, limit)
	if err != nil {
		return nil, fmt.Errorf("imagedata: IDX: %w", err)
	}
	return idx, nil
}

// readIDX is ReadIDX with errors for the caller to prefix.
func readIDX(r io.Reader, limit int64) (*IDX, error) {
	if limit <= 0 || limit > maxIDXBytes {
		limit = maxIDXBytes
	}
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip header: %w", err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, fmt.Errorf("reading magic number: %w (file empty or truncated)", noEOF(err))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("magic number % x: not an IDX file (want 00 00 08 nn)", magic)
	}
	if magic[2] != 0x08 {
		return nil, fmt.Errorf("element type 0x%02x unsupported (want 0x08, unsigned byte)", magic[2])
	}
	nd := int(magic[3])
	if nd < 1 || nd > 4 {
		return nil, fmt.Errorf("%d dimensions, want 1 to 4", nd)
	}
	dims := make([]int, nd)
	size := int64(1)
	for i := range dims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("reading dimension %d: %w (header truncated)", i, noEOF(err))
		}
		if d == 0 {
			return nil, fmt.Errorf("dimension %d is 0", i)
		}
		size *= int64(d)
		if size > limit {
			return nil, fmt.Errorf("header declares more than %d bytes of data: corrupt or not an image file", limit)
		}
		dims[i] = int(d)
	}
	data := make([]byte, size)
	if n, err := io.ReadFull(br, data); err != nil {
		return nil, fmt.Errorf("header declares %d data bytes but only %d follow: file truncated", size, n)
	}
	return &IDX{Dims: dims, Data: data}, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadIDXFile reads an IDX file from disk; an uncompressed file may not
// declare more data than it holds. Errors are those of opening the file and
// of ReadIDX, starting with "imagedata: " (the path named).
func ReadIDXFile(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("imagedata: %w", err)
	}
	defer f.Close()
	limit := int64(0)
	if st, err := f.Stat(); err == nil {
		var head [2]byte
		if n, _ := f.ReadAt(head[:], 0); n == 2 && !(head[0] == 0x1f && head[1] == 0x8b) {
			limit = st.Size()
		}
	}
	idx, err := readIDX(f, limit)
	if err != nil {
		return nil, fmt.Errorf("imagedata: IDX file %s: %w", path, err)
	}
	return idx, nil
}
