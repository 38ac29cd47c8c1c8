package watch_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
)

// holdLockEnv makes the test binary a helper process that holds a DuckDB file open for
// writing, as a running pipeline does. DuckDB's file lock is per process (a second open
// in the same process is refused for another reason, "different configuration"), so
// only another process shows the real lock conflict.
const holdLockEnv = "JOBPULSE_WATCH_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if path := os.Getenv(holdLockEnv); path != "" {
		os.Exit(holdLock(path))
	}
	os.Exit(m.Run())
}

// holdLock opens path read-write, says "locked" on stdout and keeps the file open until
// stdin closes.
func holdLock(path string) int {
	wh, err := duckdb.Open(context.Background(), duckdb.Config{Path: path})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := wh.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// lockHolder is a helper process holding a DuckDB file open for writing.
type lockHolder struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *bytes.Buffer
	done   bool
}

// holdWriteLock starts a helper process that opens path for writing and returns once
// it holds the lock (it says so on stdout: no sleeping, no polling).
func holdWriteLock(t *testing.T, path string) *lockHolder {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), holdLockEnv+"="+path)
	h := &lockHolder{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = h.stderr
	var err error
	if h.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.release(t) })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "locked" {
		h.release(t)
		t.Fatalf("lock helper did not take the lock: %q, %v\n%s", line, err, h.stderr)
	}
	return h
}

// release makes the helper close the file and exit.
func (h *lockHolder) release(t *testing.T) {
	t.Helper()
	if h.done {
		return
	}
	h.done = true
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Errorf("lock helper: %v\n%s", err, h.stderr)
	}
}
