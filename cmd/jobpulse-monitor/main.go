// Command jobpulse-monitor is the monitor agent: it watches the machine it runs on and
// the jobpulse pipeline, and tells Slack when something goes wrong and when it recovers.
// See docs/monitor.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // the agent failed, or check found alerts that would fire
	exitUsage  = 2 // bad usage or configuration
)

func main() {
	if os.Getenv("GOMAXPROCS") == "" {
		// The agent's work is a few hundred microseconds of system calls per tick. With
		// a P per core the runtime wakes idle Ps and threads to share it out, and that
		// scheduling cost about a third of the agent's CPU; blocking calls (a hung
		// statfs, a probe) still run beside the others on threads of their own.
		runtime.GOMAXPROCS(1)
	}
	if os.Getenv("GOGC") == "" {
		// The agent's live heap is a few hundred KiB; with Go's default the heap may grow
		// to 4 MiB of garbage between collections, a quarter of the agent's memory. A
		// collection of so small a heap costs tens of microseconds.
		debug.SetGCPercent(25)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// realMain runs the command line and maps errors to exit codes.
func realMain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	err := newRootCmd(getenv, stdout, stderr).execute(ctx, args, stdout, stderr)
	var ue *usageError
	var fe *firingError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &fe):
		return exitFailed // check printed what would fire
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "jobpulse-monitor: %v\n", err)
		if ue.hint != "" {
			fmt.Fprintln(stderr, ue.hint)
		}
		return exitUsage
	}
	fmt.Fprintf(stderr, "jobpulse-monitor: %v\n", err)
	return exitFailed
}

// usageError is a problem with the command line or the configuration (exit 2).
type usageError struct {
	err  error
	hint string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// firingError is check's verdict that some rule would fire (exit 1, nothing more to say).
type firingError struct{ n int }

func (e *firingError) Error() string { return fmt.Sprintf("%d alert(s) would fire", e.n) }
