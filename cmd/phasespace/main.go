// Command phasespace trains, samples and evaluates score-based generative
// models with phase-space diffusions (CLD, PSLD) and the VP-SDE baseline.
//
// Each subcommand lives in its own file and registers itself in init with
// register; each parses its own flag set. Usage errors exit with status 2,
// runtime failures with status 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"phasespace/internal/flagrule"
)

// command is one subcommand: its one-line summary and its entry point. run
// receives the arguments after the subcommand name and writes to stdout.
type command struct {
	summary string
	run     func(args []string, stdout io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string, stdout io.Writer) error) {
	if _, dup := commands[name]; dup {
		panic("phasespace: command registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

// usageError marks errors caused by what the user typed (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error (exit status 2) with a formatted message.
func usagef(format string, a ...any) error {
	return usageError{fmt.Errorf(format, a...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "phasespace: unknown command %q (valid: %s)\n", args[0], strings.Join(commandNames(), ", "))
		return 2
	}
	err := cmd.run(args[1:], stdout)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(stderr, "phasespace %s: %v\n", args[0], flagrule.NameFile(lastFlagSet, err))
	if errors.As(err, new(usageError)) {
		return 2
	}
	return 1
}

// commandNames returns the commands in alphabetical order.
func commandNames() []string { return slices.Sorted(maps.Keys(commands)) }

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: phasespace <command> [flags]   (phasespace <command> -h for a command's flags)")
	fmt.Fprintln(w, "\ncommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
}

// newFlagSet returns a flag set for a subcommand whose parse errors become
// usage errors and whose messages go to stderr.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("phasespace "+name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	if lastFlagSet = fs; flagSetMade != nil {
		flagSetMade(fs)
	}
	return fs
}

// flagSetMade, set by tests, sees every command's flag set as it is made;
// lastFlagSet is the latest, whose file flags run names in errors.
var flagSetMade, lastFlagSet = (func(*flag.FlagSet))(nil), (*flag.FlagSet)(nil)

// parseFlags parses args with fs, turning flag-package errors into usage
// errors. A parse error is printed once (by run), with a pointer to -h
// rather than the whole flag list; -h prints the list.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(out, "Usage of %s:\n", fs.Name())
		fs.PrintDefaults()
		return err
	case err != nil:
		return usagef("%v (%s -h lists the flags)", err, fs.Name())
	case fs.NArg() > 0 && fs.Name() != "phasespace merge": // merge's arguments are the shard directories
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
