package model

import "testing"

// ResumeError.Adopt sets every changed setting to its stored value when none
// was given, and sets nothing when one was.
func TestResumeErrorAdopt(t *testing.T) {
	e := &ResumeError{Changes: []Change{{"param", "R", "L"}, {"lr", "0.002", "0.001"}}}
	set := map[string]string{}
	put := func(s, v string) error { set[s] = v; return nil }
	if !e.Adopt(func(string) bool { return false }, put) || set["param"] != "R" || set["lr"] != "0.002" || len(set) != 2 {
		t.Errorf("none given: adopted %v", set)
	}
	set = map[string]string{}
	if e.Adopt(func(s string) bool { return s == "lr" }, put) || len(set) != 0 {
		t.Errorf("lr given: adopted %v, want nothing", set)
	}
	if (&ResumeError{}).Adopt(func(string) bool { return false }, put) {
		t.Error("no changes: adopted")
	}
}
