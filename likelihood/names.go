package likelihood

import "fmt"

// String returns "exact" or "hutchinson".
func (d Divergence) String() string {
	switch d {
	case Exact:
		return "exact"
	case Hutchinson:
		return "hutchinson"
	}
	return fmt.Sprintf("Divergence(%d)", int(d))
}

// ParseDivergence maps "exact" and "hutchinson" to a Divergence; any
// other string is an error that lists the valid names.
func ParseDivergence(s string) (Divergence, error) {
	switch s {
	case "exact":
		return Exact, nil
	case "hutchinson":
		return Hutchinson, nil
	}
	return 0, fmt.Errorf("likelihood: divergence %q: valid are exact, hutchinson", s)
}

// String returns "rademacher" or "gaussian".
func (p Probe) String() string {
	switch p {
	case Rademacher:
		return "rademacher"
	case Gaussian:
		return "gaussian"
	}
	return fmt.Sprintf("Probe(%d)", int(p))
}

// ParseProbe maps "rademacher" and "gaussian" to a Probe; any other
// string is an error that lists the valid names.
func ParseProbe(s string) (Probe, error) {
	switch s {
	case "rademacher":
		return Rademacher, nil
	case "gaussian":
		return Gaussian, nil
	}
	return 0, fmt.Errorf("likelihood: probe %q: valid are rademacher, gaussian", s)
}
