package dataset

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"phasespace/internal/atomicfile"
)

// MaxCSVRows bounds the samples ReadCSV accepts (10 million rows).
const MaxCSVRows = 10_000_000

// WriteCSV writes n×d samples x to path, one per line, comma-separated, with
// full float64 precision (strconv 'g', −1), atomically: on failure no partial
// file is left and an existing file keeps its content.
func WriteCSV(path string, x []float64, d int) error {
	if d < 1 || len(x)%d != 0 {
		return fmt.Errorf("dataset: %d values are not rows of %d columns", len(x), d)
	}
	if err := atomicfile.WriteFunc(path, func(w io.Writer) error { return WriteCSVRows(w, x, d) }); err != nil {
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

// ReadCSV reads samples written by WriteCSV, or any CSV of finite numbers
// with a constant number of columns (a first line that is not numeric is
// taken as a header; blank lines are skipped). It returns the rows
// (row-major) and the number of columns. Errors name the file, the line and
// the problem.
func ReadCSV(path string) ([]float64, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("dataset: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var out []float64
	d, line := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		row := make([]float64, len(fields))
		bad := -1
		for j, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				bad = j
				break
			}
			row[j] = v
		}
		if bad >= 0 {
			if len(out) == 0 && d == 0 && line == 1 {
				continue // header
			}
			return nil, 0, fmt.Errorf("dataset: %s:%d: column %d is %q, not a number", path, line, bad+1, fields[bad])
		}
		if d == 0 {
			d = len(row)
		} else if len(row) != d {
			return nil, 0, fmt.Errorf("dataset: %s:%d: %d columns, earlier lines have %d", path, line, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("dataset: %s:%d: column %d is %v: samples must be finite", path, line, j+1, v)
			}
		}
		out = append(out, row...)
		if len(out)/d > MaxCSVRows {
			return nil, 0, fmt.Errorf("dataset: %s: more than %d samples", path, MaxCSVRows)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("dataset: %s:%d: %w", path, line+1, err)
	}
	if len(out) == 0 {
		return nil, 0, fmt.Errorf("dataset: %s: no samples", path)
	}
	return out, d, nil
}
