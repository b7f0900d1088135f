package faulthook

import "testing"

func TestSetBeforeRenameInstallsAndRestores(t *testing.T) {
	BeforeRename("nothing installed") // must not panic
	var got []string
	if prev := SetBeforeRename(func(d string) { got = append(got, d) }); prev != nil {
		t.Fatal("a hook was installed before the test")
	}
	BeforeRename("a")
	prev := SetBeforeRename(nil)
	BeforeRename("b")
	if len(got) != 1 || got[0] != "a" {
		t.Fatalf("hook saw %q, want [a]", got)
	}
	if prev == nil {
		t.Fatal("SetBeforeRename(nil) did not return the installed hook")
	}
	prev("c")
	if len(got) != 2 || got[1] != "c" {
		t.Fatalf("returned hook is not the installed one: saw %q", got)
	}
}
