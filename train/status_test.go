package train

import (
	"strings"
	"testing"
	"time"
)

// The progress line names step, loss and ETA, and skipped steps only when
// there are some.
func TestStatusString(t *testing.T) {
	s := Status{Step: 5, Steps: 10, Loss: 1.5, EMALoss: 1.25, ETA: 90 * time.Second}
	got := s.String()
	if !strings.HasPrefix(got, "step 5/10  loss 1.5000  ema-loss 1.2500") || !strings.HasSuffix(got, "ETA 1m30s") || strings.Contains(got, "skipped") {
		t.Errorf("line %q", got)
	}
	s.Skipped = 2
	if got := s.String(); !strings.HasSuffix(got, "ETA 1m30s  skipped 2") {
		t.Errorf("with skipped steps: %q", got)
	}
}
