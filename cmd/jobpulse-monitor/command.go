package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// command is one command of the command line: its help, its flags, and either what it
// runs or the subcommands it groups. It is built on the standard library's flag package
// rather than cobra because every package the agent links costs it resident memory (the
// mapped pages of its binary), and cobra with pflag and text/template is a lot of pages for
// a command line this small.
type command struct {
	name  string
	short string // one line, listed in the parent's help
	long  string // the help's text; short when empty
	args  string // what follows the command on its usage line; "[flags]" when empty
	flags *flag.FlagSet

	// run runs the command with the arguments its flags left. Nil: the command only
	// groups subcommands, and one is required.
	run func(ctx context.Context, c *command, args []string) error
	// takesArgs lets run receive positional arguments (help's topic); for every other
	// command an argument is a usage error.
	takesArgs bool

	parent *command
	subs   []*command
}

// newCommand returns a command with an empty flag set that reports its errors only
// through Parse's error, so that realMain prints each of them once.
func newCommand(name, short, long string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &command{name: name, short: short, long: long, flags: fs}
}

// add makes subs the subcommands of c, listed in its help in this order.
func (c *command) add(subs ...*command) {
	for _, s := range subs {
		s.parent = c
		c.subs = append(c.subs, s)
	}
}

// Name is the command's name, e.g. "run".
func (c *command) Name() string { return c.name }

// CommandPath is the command's full name, e.g. "jobpulse-monitor config example".
func (c *command) CommandPath() string {
	if c.parent == nil {
		return c.name
	}
	return c.parent.CommandPath() + " " + c.name
}

// Flags is the command's flag set.
func (c *command) Flags() *flag.FlagSet { return c.flags }

// ParseFlags parses args into the command's flags; -h and --help give flag.ErrHelp.
func (c *command) ParseFlags(args []string) error { return c.flags.Parse(args) }

// Find returns the command that args name and the arguments left for its flags, with the
// command names taken out. Names may follow flags, as they could under cobra
// ("--config FILE check"), so the walk steps over each flag and the value it takes. The
// error names the first argument that is neither a flag nor a subcommand.
func (c *command) Find(args []string) (*command, []string, error) {
	cur, rest := c, slices.Clone(args)
	for !cur.takesArgs {
		i := firstArg(cur.flags, rest)
		if i < 0 {
			break
		}
		sub := cur.sub(rest[i])
		if sub == nil {
			return cur, rest, cur.strayArg(rest[i])
		}
		rest = slices.Delete(rest, i, i+1)
		cur = sub
	}
	return cur, rest, nil
}

// firstArg is the index of the first argument in args that is not a flag or a flag's
// value, as fs.Parse would see it, or -1. It stops at "--": what follows is never a
// command name.
func firstArg(fs *flag.FlagSet, args []string) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return -1
		}
		if len(a) < 2 || a[0] != '-' {
			return i
		}
		name := strings.TrimPrefix(a[1:], "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil && !isBoolFlag(f) {
			i++ // the next argument is this flag's value
		}
	}
	return -1
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func (c *command) sub(name string) *command {
	for _, s := range c.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (c *command) strayArg(arg string) error {
	return c.usageError(fmt.Errorf("unknown command or argument %q for %q", arg, c.CommandPath()))
}

// usageError wraps err with the hint to read c's help.
func (c *command) usageError(err error) error {
	return &usageError{err: err, hint: fmt.Sprintf("Run '%s --help' for usage.", c.CommandPath())}
}

// execute runs the command args name. Help goes to stdout when asked for and to stderr
// when a subcommand is missing.
func (c *command) execute(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd, rest, findErr := c.Find(args)
	// Flags first, as under cobra: "run --bogus extra" is about the flag.
	if err := cmd.ParseFlags(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			cmd.writeHelp(stdout)
			return nil
		}
		return cmd.usageError(err)
	}
	if findErr != nil {
		return findErr
	}
	if !cmd.takesArgs && cmd.flags.NArg() > 0 { // what followed "--"
		return cmd.strayArg(cmd.flags.Arg(0))
	}
	if cmd.run == nil {
		cmd.writeHelp(stderr)
		names := make([]string, len(cmd.subs))
		for i, s := range cmd.subs {
			names[i] = s.name
		}
		return &usageError{err: fmt.Errorf("a subcommand is required: %s", strings.Join(names, ", "))}
	}
	return cmd.run(ctx, cmd, cmd.flags.Args())
}

// writeHelp writes the command's text, usage, subcommands and flags with their defaults.
func (c *command) writeHelp(w io.Writer) {
	text := c.long
	if text == "" {
		text = c.short
	}
	path := c.CommandPath()
	fmt.Fprintf(w, "%s\n\nUsage:\n", text)
	if c.run != nil {
		args := c.args
		if args == "" {
			args = "[flags]"
		}
		fmt.Fprintf(w, "  %s %s\n", path, args)
	}
	if len(c.subs) > 0 {
		fmt.Fprintf(w, "  %s <command> [flags]\n\nCommands:\n", path)
		width := 0
		for _, s := range c.subs {
			width = max(width, len(s.name))
		}
		for _, s := range c.subs {
			fmt.Fprintf(w, "  %-*s  %s\n", width, s.name, s.short)
		}
	}
	fmt.Fprintf(w, "\nFlags:\n")
	writeFlags(w, c.flags)
	if len(c.subs) > 0 {
		fmt.Fprintf(w, "\nRun '%s <command> --help' for more information about a command.\n", path)
	}
}

// writeFlags lists fs's flags in the --name form the documentation uses, which
// flag.PrintDefaults does not, and the -h/--help that the flag package handles itself.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	type row struct{ name, usage string }
	var rows []row
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		name := "    --" + f.Name
		if typ != "" {
			name += " " + typ
		}
		if f.DefValue != "" {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		rows = append(rows, row{name, usage})
	})
	rows = append(rows, row{"-h, --help", "show this help"})
	width := 0
	for _, r := range rows {
		width = max(width, len(r.name))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s   %s\n", width, r.name, r.usage)
	}
}

// durationFlag is a time.Duration flag whose parse error keeps time.ParseDuration's
// message, which flag.Duration replaces with a bare "parse error". Zero reads as unset,
// so the help shows no "0s" default.
type durationFlag struct{ d *time.Duration }

func (f durationFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}
