// Package faulthook holds the fault-injection points of this module's
// fault tests. It is internal: only this module's packages (and their
// tests) can set a hook, so no public API exposes a mutable global. Every
// hook is nil in normal runs.
package faulthook

import "sync/atomic"

// beforeRename is called by checkpoint.Save with the temporary directory
// after all files of a checkpoint are written and synced and before it is
// renamed into place.
var beforeRename atomic.Pointer[func(tmpDir string)]

// SetBeforeRename installs f (nil: none) as the hook checkpoint.Save calls
// between writing a checkpoint and renaming it into place; fault tests use
// it to kill a process mid-save. It returns the previous hook.
func SetBeforeRename(f func(tmpDir string)) (prev func(tmpDir string)) {
	var p *func(string)
	if f != nil {
		p = &f
	}
	if old := beforeRename.Swap(p); old != nil {
		return *old
	}
	return nil
}

// BeforeRename calls the installed hook, if any, with tmpDir.
func BeforeRename(tmpDir string) {
	if f := beforeRename.Load(); f != nil {
		(*f)(tmpDir)
	}
}
