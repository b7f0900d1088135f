package experiment

import "fmt"

// ConfigError is a field of ImageBenchConfig or GridConfig that is out of
// range, reported before any work: Field is the field's name (Out, Budget,
// Steps, N, BPDN, TrainThreads, Data, …) and Err what was wrong and what is
// valid.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return "experiment: " + e.Field + " " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// FieldError returns the field and what was wrong with it.
func (e *ConfigError) FieldError() (string, error) { return e.Field, e.Err }

func configErr(field, format string, a ...any) error {
	return &ConfigError{Field: field, Err: fmt.Errorf(format, a...)}
}
