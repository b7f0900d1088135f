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

// A run description without the image fields (written before they were
// recorded) is one channel of side √Dim; image-size is a setting a resumed
// run cannot change.
func TestImageShapeAndResume(t *testing.T) {
	if c, s := (Meta{Dim: 196}).ImageShape(); c != 1 || s != 14 {
		t.Errorf("old record: %d×%d, want 1×14", c, s)
	}
	if c, s := (Meta{Dim: 192, Channels: 3, Side: 8}).ImageShape(); c != 3 || s != 8 {
		t.Errorf("RGB record: %d×%d, want 3×8", c, s)
	}
	ch := ResumeChanges(Meta{ImageSize: 14}, Meta{ImageSize: 16})
	if len(ch) != 1 || ch[0].String() != "image-size: stored 14, given 16" {
		t.Errorf("changes %v", ch)
	}
}
