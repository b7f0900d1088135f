package dataset

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"phasespace/internal/atomicfile"
)

// MaxCSVRows bounds the samples ReadCSV and ReadNPY accept (10 million rows).
const MaxCSVRows = 10_000_000

// WriteCSV writes n×d samples x to path, one per line, comma-separated, with
// full float64 precision (strconv 'g', −1), atomically: on failure no partial
// file is left and an existing file keeps its content.
func WriteCSV(path string, x []float64, d int) error {
	return WriteTable(path, nil, x, d)
}

// WriteTable writes n×d values x to path as WriteCSV does, after a header
// row of d column names when header is not nil.
func WriteTable(path string, header []string, x []float64, d int) error {
	if d < 1 || len(x)%d != 0 || header != nil && len(header) != d {
		return fmt.Errorf("dataset: %d values are not rows of %d columns (header of %d)", len(x), d, len(header))
	}
	err := atomicfile.WriteFunc(path, func(w io.Writer) error {
		if header != nil {
			cw := csv.NewWriter(w)
			cw.Write(header)
			if cw.Flush(); cw.Error() != nil {
				return cw.Error()
			}
		}
		return WriteCSVRows(w, x, d)
	})
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

// WriteCSVRows writes the n×d samples x to w as WriteCSV formats them, so
// that rows written in consecutive calls give the bytes of one WriteCSV of
// all rows. Errors: d < 1 or len(x) not a multiple of d, and w's errors.
func WriteCSVRows(w io.Writer, x []float64, d int) error {
	if d < 1 || len(x)%d != 0 {
		return fmt.Errorf("dataset: %d values are not rows of %d columns", len(x), d)
	}
	buf := make([]byte, 0, 64)
	for i := 0; i < len(x)/d; i++ {
		buf = buf[:0]
		for j := 0; j < d; j++ {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, x[i*d+j], 'g', -1, 64)
		}
		buf = append(buf, '\n')
		if _, err := w.Write(buf); err != nil {
			return err
		}
	}
	return nil
}

// ReadCSV reads samples written by WriteCSV, or any CSV (encoding/csv:
// quoted fields allowed, blank lines and lines starting with # skipped) of
// finite numbers with a constant number of columns. A first row that is not
// numeric is taken as a header. It returns the rows (row-major) and the
// number of columns. Errors name the file and the line as a text editor
// counts it (path:line:), what was wrong and what is valid: a non-numeric
// cell, NaN or ±Inf, a row with another number of columns, an empty or a
// header-only file, more than MaxCSVRows rows.
func ReadCSV(path string) ([]float64, int, error) {
	x, d, _, err := readCSV(path)
	return x, d, err
}

// readCSV is ReadCSV that also returns the header row's column names (nil
// when the file has none).
func readCSV(path string) (_ []float64, _ int, names []string, _ error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord, r.ReuseRecord, r.Comment = -1, true, '#'
	var out []float64
	d, header := 0, 0 // header: the header row's columns (0: none)
	for rec := 0; ; rec++ {
		fields, err := r.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, nil, fmt.Errorf("dataset: %s:%d: %v: want comma-separated numbers", path, pe.StartLine, pe.Err)
		} else if err != nil {
			return nil, 0, nil, fmt.Errorf("dataset: %s: %w", path, err)
		}
		line, _ := r.FieldPos(0)
		row, bad := make([]float64, len(fields)), -1
		for j, s := range fields {
			if row[j], err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
				bad = j
				break
			}
		}
		switch {
		case bad >= 0 && rec == 0:
			header = len(fields)
			for _, s := range fields {
				names = append(names, strings.TrimSpace(s))
			}
			continue
		case bad >= 0:
			return nil, 0, nil, fmt.Errorf("dataset: %s:%d: column %d is %q, not a number: want %d comma-separated numbers per row", path, line, bad+1, fields[bad], max(d, len(fields)))
		case d == 0 && header > 0 && len(row) != header:
			return nil, 0, nil, fmt.Errorf("dataset: %s:%d: %d columns, the header row has %d: every row needs the same number", path, line, len(row), header)
		case d == 0:
			d = len(row)
		case len(row) != d:
			return nil, 0, nil, fmt.Errorf("dataset: %s:%d: %d columns, earlier rows have %d: every row needs the same number", path, line, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, nil, fmt.Errorf("dataset: %s:%d: column %d is %v: samples must be finite numbers", path, line, j+1, v)
			}
		}
		out = append(out, row...)
		if len(out)/d > MaxCSVRows {
			return nil, 0, nil, fmt.Errorf("dataset: %s: more than %d samples", path, MaxCSVRows)
		}
	}
	switch {
	case len(out) == 0 && header > 0:
		return nil, 0, nil, fmt.Errorf("dataset: %s: a header row and no samples: want at least one row of numbers", path)
	case len(out) == 0:
		return nil, 0, nil, fmt.Errorf("dataset: %s: empty file, no samples: want rows of comma-separated numbers", path)
	}
	return out, d, names, nil
}
