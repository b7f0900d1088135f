package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"phasespace/dataset"
	"phasespace/imagedata"
)

// TestDocumentedCommandsRun runs every command that README.md and
// docs/*.md show in their shell code blocks, so that a documented example
// that no longer works is a failing test.
//
// Extraction: every line of a fenced code block whose info string is empty,
// sh, bash, shell or console, with backslash continuations joined and shell
// comments removed. Leading VAR=value assignments are set for the command,
// except GOMAXPROCS, and a `taskset -c CPUS` wrapper is dropped (an
// in-process run cannot pin a core or change GOMAXPROCS, and neither
// changes results). A line whose program is `phasespace` or `go run
// ./cmd/phasespace` is a command; a line whose program is a script of the
// repository (a path ending in .sh) is checked, not run: the script must
// exist, be executable and read every variable the line assigns. (The
// scripts build binaries, pin cores, install packages or run the test suite
// itself; bench/imagebench.sh's single-process form is a README command,
// which runs.) Every other line (program output, Go code) is ignored.
//
// Running: the commands of one document run in order, in-process through
// run (the entry point of main), in one temporary directory, so that later
// commands find the checkpoints and files that earlier ones wrote. The
// directory starts with a copy of the point files (.csv, .npy) and images
// (.png, .jpg, .jpeg) under the repository's examples/, at the same
// relative paths.
//
// The scale-down rule, the same for every command: each flag below that
// the subcommand defines is set from its documented value, or from its
// default when the command omits it:
//
//	--steps, --warmup          divided by 1000, rounded up (20000 → 20)
//	--time-budget, --budget    divided by 1000 (15m → 900ms)
//	--n ≤ 10, --nfe ≤ 20, --batch ≤ 16, --epochs ≤ 1, --bpd-n ≤ 2,
//	--floor-n ≤ 100, --iw ≤ 4 (a 0, which --nfe uses for "the
//	checkpoint's", counts as no bound)
//	--rtol, --atol ≥ 1e-2; in --samplers each NFE ≤ 20 and each ODE rtol
//	≥ 1e-2, duplicates dropped
//
// A flag that the command omitted and the rule adds is dropped again when
// the command rejects it as not applying (--rtol with an SDE sampler).
// MNIST (Fashion-MNIST) is cut to its first 512 training and 256 test
// images, served through PHASESPACE_MNIST_DIR (PHASESPACE_FASHION_DIR), for
// --data and for the data command's --name (an export to a PNG folder). A
// command that reads an image set that is not installed is skipped with the
// reason, and so is every later command that names its output; in -short
// mode every image command is skipped that way.
func TestDocumentedCommandsRun(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{"README.md"}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range more {
		docs = append(docs, filepath.Join("docs", filepath.Base(m)))
	}
	images := &cutImageSets{root: t.TempDir(), dirs: map[string]string{}, missing: map[string]string{}}
	defaults := map[string]map[string]string{}
	for _, doc := range docs {
		cmds, err := extractDocCommands(filepath.Join(root, doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		if len(cmds) == 0 {
			continue
		}
		t.Run(doc, func(t *testing.T) {
			t.Chdir(t.TempDir())
			copyExampleData(t, root)
			skippedOut := map[string]string{}
			ran, skipped := 0, 0
			for _, c := range cmds {
				where := fmt.Sprintf("%s:%d: %s", doc, c.line, c.text)
				if c.script != "" {
					if err := checkDocScript(root, c); err != nil {
						t.Errorf("%s: %v", where, err)
					} else {
						t.Logf("%s: script checked, not run", where)
					}
					continue
				}
				sub := c.args[0]
				defs, ok := defaults[sub]
				if !ok {
					if defs, err = flagDefaults(sub); err != nil {
						t.Fatalf("%s: %v", where, err)
					}
					defaults[sub] = defs
				}
				args, added := scaleDown(c.args, defs)
				if reason := skipReason(t, args, defs, images, skippedOut); reason != "" {
					if out := argValue(args, "out"); out != "" {
						skippedOut[out] = reason
					}
					t.Logf("%s: skipped: %s", where, reason)
					skipped++
					continue
				}
				restore := setEnv(c.env)
				t0 := time.Now()
				code, stdout, stderr := runCapturedErr(args)
				for code == 2 {
					// A flag the rule added may not apply to this
					// command's mode (--rtol with an SDE sampler):
					// drop it and run again.
					i := slices.IndexFunc(added, func(a string) bool { return mentionsFlag(stderr, a) })
					if i < 0 {
						break
					}
					args = slices.DeleteFunc(args, func(a string) bool { return strings.HasPrefix(a, added[i]+"=") })
					added = slices.Delete(added, i, i+1)
					code, stdout, stderr = runCapturedErr(args)
				}
				restore()
				if code != 0 {
					t.Fatalf("%s\nran as: phasespace %s\nexit status %d\nstdout:\n%s\nstderr (end):\n%s", where, strings.Join(args, " "), code, tail(stdout, 2000), tail(stderr, 4000))
				}
				t.Logf("%s: ok in %.1f s as: phasespace %s", where, time.Since(t0).Seconds(), strings.Join(args, " "))
				ran++
			}
			if ran == 0 && skipped > 0 {
				t.Skipf("all %d phasespace commands of %s skipped (reasons logged above)", skipped, doc)
			}
		})
	}
}

// copyExampleData copies the point files and images under root/examples
// into the current directory, at the same relative paths.
func copyExampleData(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(root, "examples"), func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !dataset.IsPoints(p) && !slices.Contains(imagedata.FolderFormats, strings.ToLower(filepath.Ext(p))) {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		body, err := os.ReadFile(p)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(rel), 0o755)
		}
		if err == nil {
			err = os.WriteFile(rel, body, 0o644)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// docCommand is one command line of a document's code block.
type docCommand struct {
	line   int      // line of the document where it starts
	text   string   // as written, continuations joined
	env    []string // NAME=value assignments before the program
	script string   // the script's path when the program is a .sh file
	args   []string // after `phasespace` (or after the script)
}

var (
	docFence  = regexp.MustCompile("^\\s*(```+|~~~+)\\s*([A-Za-z]*)")
	envAssign = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
)

// extractDocCommands returns the phasespace commands and script invocations
// of the shell code blocks of the Markdown file at path, in order.
func extractDocCommands(path string) ([]docCommand, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []docCommand
	fence, shell := "", false
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if m := docFence.FindStringSubmatch(lines[i]); m != nil {
			if fence == "" {
				fence = m[1]
				shell = slices.Contains([]string{"", "sh", "bash", "shell", "console"}, m[2])
			} else if strings.HasPrefix(m[1], fence) && m[2] == "" {
				fence = ""
			}
			continue
		}
		if fence == "" || !shell {
			continue
		}
		start, text := i+1, strings.TrimSpace(lines[i])
		for strings.HasSuffix(text, `\`) && i+1 < len(lines) {
			i++
			text = strings.TrimSuffix(text, `\`) + " " + strings.TrimSpace(lines[i])
		}
		words, err := shellWords(strings.TrimPrefix(text, "$ "))
		if err != nil {
			if strings.Contains(text, "phasespace") || strings.Contains(text, ".sh") {
				return nil, fmt.Errorf("line %d: %v", start, err)
			}
			continue // program output, not a command
		}
		c := docCommand{line: start, text: text}
		for len(words) > 0 && envAssign.MatchString(words[0]) {
			c.env, words = append(c.env, words[0]), words[1:]
		}
		if len(words) >= 3 && words[0] == "taskset" && words[1] == "-c" {
			words = words[3:]
		}
		switch {
		case len(words) >= 2 && words[0] == "phasespace":
			c.args = words[1:]
		case len(words) >= 4 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/phasespace":
			c.args = words[3:]
		case len(words) >= 1 && strings.HasSuffix(words[0], ".sh"):
			c.script, c.args = words[0], words[1:]
		default:
			continue
		}
		out = append(out, c)
	}
	if fence != "" {
		return nil, fmt.Errorf("code block opened with %s not closed", fence)
	}
	return out, nil
}

// shellWords splits a command line into words as a POSIX shell does for
// the subset the documents use: blanks separate words, single and double
// quotes group, a backslash escapes the next character, and a # that
// starts a word begins a comment.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case ch == '#' && !inWord:
			return words, nil
		case ch == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case ch == '\'' || ch == '"':
			j := strings.IndexByte(s[i+1:], ch)
			if j < 0 {
				return nil, fmt.Errorf("unclosed %c quote in %q", ch, s)
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// checkDocScript checks a documented script invocation without running
// it: the script exists, is executable and reads every variable assigned.
func checkDocScript(root string, c docCommand) error {
	p := filepath.Join(root, filepath.FromSlash(c.script))
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("script: %v", err)
	}
	if st.Mode()&0o111 == 0 {
		return fmt.Errorf("script %s is not executable", c.script)
	}
	body, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	for _, e := range c.env {
		name, _, _ := strings.Cut(e, "=")
		if !bytes.Contains(body, []byte("$"+name)) && !bytes.Contains(body, []byte("${"+name)) {
			return fmt.Errorf("script %s does not read %s", c.script, name)
		}
	}
	return nil
}

// flagDefaults returns the flags of a subcommand with their default
// values, as its -h output lists them.
func flagDefaults(sub string) (map[string]string, error) {
	code, _, help := runCapturedErr([]string{sub, "-h"})
	if code != 0 {
		return nil, fmt.Errorf("phasespace %s -h: exit status %d: %s", sub, code, tail(help, 500))
	}
	defs := map[string]string{}
	name := ""
	flagLine := regexp.MustCompile(`^  -(\S+)`)
	defLine := regexp.MustCompile(`\(default (.+)\)$`)
	sc := bufio.NewScanner(strings.NewReader(help))
	for sc.Scan() {
		if m := flagLine.FindStringSubmatch(sc.Text()); m != nil {
			name = m[1]
			defs[name] = ""
		}
		if m := defLine.FindStringSubmatch(sc.Text()); m != nil && name != "" {
			v := m[1]
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			defs[name] = v
		}
	}
	if len(defs) == 0 {
		return nil, fmt.Errorf("phasespace %s -h lists no flags:\n%s", sub, help)
	}
	return defs, nil
}

// scaleRule is the scale-down rule of TestDocumentedCommandsRun: for each
// flag, the value a test run uses given the documented one (or the default).
var scaleRule = map[string]func(string) (string, error){
	"steps":       func(v string) (string, error) { return thousandthInt(v, 1) },
	"warmup":      func(v string) (string, error) { return thousandthInt(v, 0) },
	"time-budget": thousandthDuration,
	"budget":      thousandthDuration,
	"n":           capInt(10),
	"nfe":         capInt(20),
	"batch":       capInt(16),
	"epochs":      capInt(1),
	"bpd-n":       capInt(2),
	"floor-n":     capInt(100),
	"iw":          capInt(4),
	"rtol":        floorFloat(1e-2),
	"atol":        floorFloat(1e-2),
	"samplers":    scaleSamplerList,
}

func thousandthInt(v string, least int64) (string, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(max((n+999)/1000, least), 10), nil
}

func thousandthDuration(v string) (string, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return "", err
	}
	return (d / 1000).String(), nil
}

func capInt(most int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", err
		}
		if n == 0 || n > most {
			n = most
		}
		return strconv.Itoa(n), nil
	}
}

func floorFloat(least float64) func(string) (string, error) {
	return func(v string) (string, error) {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", err
		}
		return strconv.FormatFloat(math.Max(x, least), 'g', -1, 64), nil
	}
}

// scaleSamplerList applies the --nfe and --rtol rules to each entry of a
// sampler:NFE / ode:RTOL list and drops the entries that become duplicates.
func scaleSamplerList(v string) (string, error) {
	var items []string
	for _, item := range strings.Split(v, ",") {
		name, arg, ok := strings.Cut(item, ":")
		if !ok {
			return "", fmt.Errorf("--samplers entry %q is not sampler:value", item)
		}
		f := capInt(20)
		if name == "ode" {
			f = floorFloat(1e-2)
		}
		a, err := f(arg)
		if err != nil {
			return "", err
		}
		if !slices.Contains(items, name+":"+a) {
			items = append(items, name+":"+a)
		}
	}
	return strings.Join(items, ","), nil
}

// scaleDown applies scaleRule to args, a subcommand and its flags, given
// the subcommand's flag defaults. added lists the flags (as "--name") that
// the command omitted and the rule sets.
func scaleDown(args []string, defs map[string]string) (scaled, added []string) {
	out := []string{args[0]}
	given := map[string]string{}
	for i := 1; i < len(args); i++ {
		name, val, hasVal := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if _, ok := scaleRule[name]; !ok || !strings.HasPrefix(args[i], "-") {
			out = append(out, args[i])
			continue
		}
		if !hasVal && i+1 < len(args) {
			i++
			val = args[i]
		}
		given[name] = val
	}
	names := make([]string, 0, len(scaleRule))
	for name := range scaleRule {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		def, defined := defs[name]
		v, ok := given[name]
		if !defined {
			if ok { // not a flag of this command: keep it for its error
				out = append(out, "--"+name+"="+v)
			}
			continue
		}
		if !ok {
			v = def
		}
		s, err := scaleRule[name](v)
		if err != nil { // keep the documented value: the command reports it
			s = v
		}
		if ok || s != def {
			out = append(out, "--"+name+"="+s)
		}
		if !ok && s != def {
			added = append(added, "--"+name)
		}
	}
	return out, added
}

// flagValue returns the value of --name in args ("" when absent).
func argValue(args []string, name string) string {
	for i, a := range args {
		n, v, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || n != name {
			continue
		}
		if hasVal {
			return v
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// skipReason says why a command cannot run here: it reads an image set
// that is not installed (or -short is set), or a file that a skipped
// command would have written. Otherwise it prepares the image set the
// command reads, if any.
func skipReason(t *testing.T, args []string, defs map[string]string, images *cutImageSets, skippedOut map[string]string) string {
	for _, a := range args[1:] {
		for out, r := range skippedOut {
			if a == out || strings.HasSuffix(a, "="+out) {
				return "needs " + out + ", whose command was skipped: " + r
			}
		}
	}
	data := argValue(args, "data")
	if _, ok := defs["data"]; ok && data == "" {
		data = defs["data"]
	}
	if args[0] == "data" { // `phasespace data --name fashion-mnist` exports an image set
		data = argValue(args, "name")
	}
	if data != "mnist" && data != "fashion-mnist" {
		return ""
	}
	if testing.Short() {
		return "image commands do not run in -short mode"
	}
	return images.use(t, data)
}

// cutImageSets serves the first 512 training and 256 test images of MNIST
// and Fashion-MNIST, written as IDX files, through PHASESPACE_MNIST_DIR
// and PHASESPACE_FASHION_DIR.
type cutImageSets struct {
	root    string            // directory that holds the cuts
	dirs    map[string]string // set name → directory of the cut
	missing map[string]string // set name → why it is not installed
}

// use points the set's variable at its cut, writing the cut on first use,
// and returns why the set is unavailable ("" when it is available).
func (c *cutImageSets) use(t *testing.T, name string) string {
	env := map[string]string{"mnist": "PHASESPACE_MNIST_DIR", "fashion-mnist": "PHASESPACE_FASHION_DIR"}[name]
	if r, ok := c.missing[name]; ok {
		return r
	}
	dir, ok := c.dirs[name]
	if !ok {
		dir = filepath.Join(c.root, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, split := range []struct {
			name, prefix string
			n            int
		}{{"train", "train", 512}, {"test", "t10k", 256}} {
			ds, err := imagedata.Load(name, split.name)
			if err != nil {
				c.missing[name] = fmt.Sprintf("%s is not installed (%v)", name, err)
				return c.missing[name]
			}
			ds = ds.Subset(split.n)
			writeIDX(t, filepath.Join(dir, split.prefix+"-images-idx3-ubyte"), []uint32{uint32(ds.N), uint32(ds.H), uint32(ds.W)}, ds.Pixels)
			writeIDX(t, filepath.Join(dir, split.prefix+"-labels-idx1-ubyte"), []uint32{uint32(ds.N)}, ds.Labels)
		}
		c.dirs[name] = dir
	}
	t.Setenv(env, dir)
	return ""
}

// mentionsFlag reports whether text names flag ("--n", not as the start of
// "--nfe").
func mentionsFlag(text, flag string) bool {
	for i := strings.Index(text, flag); i >= 0; {
		end := i + len(flag)
		if end == len(text) || !strings.ContainsRune("abcdefghijklmnopqrstuvwxyz0123456789-", rune(text[end])) {
			return true
		}
		j := strings.Index(text[end:], flag)
		if j < 0 {
			return false
		}
		i = end + j
	}
	return false
}

// setEnv sets the NAME=value assignments other than GOMAXPROCS and returns
// the function that restores the previous environment.
func setEnv(assignments []string) (restore func()) {
	var undo []func()
	for _, a := range assignments {
		name, v, _ := strings.Cut(a, "=")
		if name == "GOMAXPROCS" {
			continue
		}
		if old, ok := os.LookupEnv(name); ok {
			undo = append(undo, func() { os.Setenv(name, old) })
		} else {
			undo = append(undo, func() { os.Unsetenv(name) })
		}
		os.Setenv(name, v)
	}
	return func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
}

// runCapturedErr runs the CLI in-process with os.Stderr (where commands
// write progress and warnings) captured.
func runCapturedErr(args []string) (code int, stdout, stderr string) {
	f, err := os.CreateTemp("", "phasespace-stderr-*")
	if err != nil {
		return 1, "", err.Error()
	}
	defer os.Remove(f.Name())
	defer f.Close()
	saved := os.Stderr
	os.Stderr = f
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	os.Stderr = saved
	captured, _ := os.ReadFile(f.Name())
	return code, out.String(), errb.String() + string(captured)
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// The extractor joins continuations, drops comments, variable assignments
// and taskset, keeps `go run ./cmd/phasespace`, and ignores Go code and
// program output; the rule scales the documented 14×14 MNIST command.
func TestDocCommandExtractionAndScaleRule(t *testing.T) {
	md := "text `phasespace kernel` inline\n" +
		"```go\nphasespace train --out no\n```\n" +
		"```sh\n" +
		"# phasespace data --name moons\n" +
		"GOMAXPROCS=1 taskset -c 0 phasespace train --data \"8gaussians\" \\\n    --steps 20000 --out 'a b'   # comment --n 5\n" +
		"model  engine   ms/step\n" +
		"go run ./cmd/phasespace demo\n" +
		"REPS=3 bench/engine.sh  # = go run ./x\n" +
		"```\n"
	p := filepath.Join(t.TempDir(), "x.md")
	if err := os.WriteFile(p, []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	cmds, err := extractDocCommands(p)
	if err != nil {
		t.Fatal(err)
	}
	want := []docCommand{
		{line: 7, env: []string{"GOMAXPROCS=1"}, args: []string{"train", "--data", "8gaussians", "--steps", "20000", "--out", "a b"}},
		{line: 10, args: []string{"demo"}},
		{line: 11, env: []string{"REPS=3"}, script: "bench/engine.sh", args: []string{}},
	}
	if len(cmds) != len(want) {
		t.Fatalf("got %d commands %+v, want %d", len(cmds), cmds, len(want))
	}
	for i, w := range want {
		c := cmds[i]
		if c.line != w.line || c.script != w.script || !slices.Equal(c.env, w.env) || !slices.Equal(c.args, w.args) {
			t.Errorf("command %d = %+v, want %+v", i, c, w)
		}
	}
	defs := map[string]string{"steps": "20000", "batch": "512", "time-budget": "0s", "out": "", "data": "8gaussians", "downsample": "false"}
	got, added := scaleDown([]string{"train", "--data", "mnist", "--downsample", "--steps", "2000", "--out", "mnist14"}, defs)
	if w := []string{"train", "--data", "mnist", "--downsample", "--out", "mnist14", "--batch=16", "--steps=2"}; !slices.Equal(got, w) {
		t.Errorf("scaled to %q, want %q", got, w)
	}
	if !slices.Equal(added, []string{"--batch"}) {
		t.Errorf("added %q, want [--batch]", added)
	}
	for _, c := range []struct {
		text, flag string
		want       bool
	}{{"--rtol applies to --sampler ode only", "--rtol", true}, {"--nfe = 0: want >= 2", "--n", false}, {"x --nfe and --n", "--n", true}, {"--n=3", "--n", true}} {
		if got := mentionsFlag(c.text, c.flag); got != c.want {
			t.Errorf("mentionsFlag(%q, %q) = %v", c.text, c.flag, got)
		}
	}
	if s, _ := scaleSamplerList("sscs:50,sscs:100,em:10,ode:1e-3,ode:1e-5"); s != "sscs:20,em:10,ode:0.01" {
		t.Errorf("--samplers scaled to %q", s)
	}
}
