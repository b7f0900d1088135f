package train

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// curve appends rows to loss.csv: step, loss, ema_loss, lr, grad_norm,
// elapsed_s. On resume, rows after the resumed step (written after the last
// checkpoint of an interrupted run) are dropped so the file stays
// consistent with the trajectory.
type curve struct {
	f *os.File
	w *bufio.Writer
}

const curveHeader = "step,loss,ema_loss,lr,grad_norm,elapsed_s"

func openCurve(path string, fromStep int64) (*curve, error) {
	var keep []string
	if raw, err := os.ReadFile(path); err == nil && fromStep > 0 {
		for i, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
			if i == 0 {
				continue
			}
			f := strings.SplitN(line, ",", 2)
			s, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil || len(f) < 2 || !strings.Contains(f[1], ",") {
				break // a torn last line from a crash
			}
			if s > fromStep {
				break
			}
			keep = append(keep, line)
		}
	}
	content := curveHeader + "\n"
	for _, l := range keep {
		content += l + "\n"
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return nil, fmt.Errorf("train: loss curve: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("train: loss curve: %w", err)
	}
	return &curve{f: f, w: bufio.NewWriter(f)}, nil
}

func (c *curve) Add(step int64, loss, ema, lr, gnorm, elapsed float64) error {
	_, err := fmt.Fprintf(c.w, "%d,%.8g,%.8g,%.6g,%.6g,%.3f\n", step, loss, ema, lr, gnorm, elapsed)
	return err
}

func (c *curve) Sync() error {
	if err := c.w.Flush(); err != nil {
		return err
	}
	return c.f.Sync()
}

func (c *curve) Close() error {
	c.w.Flush()
	return c.f.Close()
}

// ReadCurve reads loss.csv back as columns step, loss and ema_loss.
func ReadCurve(path string) (steps, loss, ema []float64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("train: %s: %w", path, err)
	}
	for i, row := range rows {
		if i == 0 || len(row) < 3 {
			continue
		}
		s, e1 := strconv.ParseFloat(row[0], 64)
		l, e2 := strconv.ParseFloat(row[1], 64)
		e, e3 := strconv.ParseFloat(row[2], 64)
		if e1 != nil || e2 != nil || e3 != nil {
			return nil, nil, nil, fmt.Errorf("train: %s: line %d is not numeric", path, i+1)
		}
		steps, loss, ema = append(steps, s), append(loss, l), append(ema, e)
	}
	return steps, loss, ema, nil
}
