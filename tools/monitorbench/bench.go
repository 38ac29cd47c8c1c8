package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// subject is one process under measurement.
type subject struct {
	name    string // shown in the report: jobpulse-monitor or node_exporter
	version string
	binary  string
	args    []string
	env     []string
	// metricsURL is scraped once per tick, as Prometheus would.
	metricsURL string
	// logPath receives the process's stdout and stderr.
	logPath string
	// timerSlack, when positive, is the timer slack the process starts with.
	timerSlack time.Duration
}

// running is a started subject.
type running struct {
	subject
	cmd    *exec.Cmd
	log    *os.File
	exited chan struct{} // closed when the process has exited
	err    error         // the Wait error, valid once exited is closed
}

// start runs s as a child process (never through systemd or a shell, so the pid sampled
// is the pid of the program itself).
func start(s subject) (*running, error) {
	log, err := os.Create(s.logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: create log: %w", s.name, err)
	}
	cmd := exec.Command(s.binary, s.args...)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = log, log
	if err := startWithTimerSlack(cmd, s.timerSlack); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s: %w", s.name, err)
	}
	r := &running{subject: s, cmd: cmd, log: log, exited: make(chan struct{})}
	go func() {
		r.err = cmd.Wait()
		close(r.exited)
	}()
	return r, nil
}

// startWithTimerSlack starts cmd with the timer slack slack (none: the harness's own),
// as systemd's TimerSlackNSec= does: a process inherits the slack of the thread that
// forks it, and each thread it makes inherits it in turn, the Go runtime's sysmon
// included, which is made before main and polls every 20 µs while the process is busy.
func startWithTimerSlack(cmd *exec.Cmd, slack time.Duration) error {
	if slack <= 0 {
		return cmd.Start()
	}
	// The slack is per thread: set it on this one, fork from it, and put it back.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	old, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		return fmt.Errorf("read the timer slack: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(slack.Nanoseconds()), 0, 0, 0); err != nil {
		return fmt.Errorf("set the timer slack to %s: %w", slack, err)
	}
	startErr := cmd.Start()
	if err := unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(old), 0, 0, 0); err != nil {
		// Keep the thread to this goroutine, so no other runs with the child's slack.
		runtime.LockOSThread()
	}
	return startErr
}

// pid is the process id sampled in /proc.
func (r *running) pid() int { return r.cmd.Process.Pid }

// hasExited reports whether the process is gone.
func (r *running) hasExited() bool {
	select {
	case <-r.exited:
		return true
	default:
		return false
	}
}

// stop ends the process: SIGTERM, then SIGKILL after grace.
func (r *running) stop(grace time.Duration) {
	defer r.log.Close()
	if r.hasExited() {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.exited:
	case <-time.After(grace):
		_ = r.cmd.Process.Kill()
		<-r.exited
	}
}

// exitError says how the process ended and shows the end of its log, so a crash or a
// config error of the agent is visible without opening the temp dir.
func (r *running) exitError() error {
	<-r.exited
	tail := logTail(r.logPath, 2000)
	return fmt.Errorf("%s exited early (%v); end of its output:\n%s", r.name, r.err, tail)
}

// logTail returns at most n bytes of the end of the file at path.
func logTail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(no output: " + err.Error() + ")"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(fi.Size()-n, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	return strings.TrimRight(string(b), "\n")
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}

// scrape fetches url and reads the whole body, as a Prometheus server would, and returns
// the body's size.
func scrape(ctx context.Context, client *http.Client, url string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("scrape %s: %w", url, err)
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return n, fmt.Errorf("scrape %s: read body: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return n, fmt.Errorf("scrape %s: status %s", url, resp.Status)
	}
	return n, nil
}

// measurement is the outcome for one subject.
type measurement struct {
	name, version string
	first, last   usage
	ticks         int
	// scrapes and scrapeErrors count the measured scrapes (not the warm-up one).
	scrapes, scrapeErrors int
	scrapeBytes           int64 // size of the last successful scrape
}

// bench runs the measurement loop over started subjects.
type bench struct {
	proc     procFS
	client   *http.Client
	interval time.Duration
	ticks    int
	// readyTimeout bounds the wait for the first successful scrape of each subject.
	readyTimeout time.Duration
	// sleep waits for d or until ctx ends; tests make it instant.
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	logger *slog.Logger
}

// sleepCtx is the real bench.sleep.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// run waits until every subject serves /metrics, scrapes each once as the warm-up tick,
// samples /proc, then scrapes every interval for b.ticks ticks and samples again.
func (b *bench) run(ctx context.Context, subjects []*running) ([]measurement, error) {
	for _, s := range subjects {
		if err := b.waitReady(ctx, s); err != nil {
			return nil, err
		}
	}
	// Warm-up: the first tick of either program allocates its caches and the first
	// scrape builds the registry's output buffers; that start-up cost is not per tick.
	if err := b.sleep(ctx, b.interval); err != nil {
		return nil, fmt.Errorf("warm up: %w", err)
	}
	ms := make([]measurement, len(subjects))
	for i, s := range subjects {
		if _, err := scrape(ctx, b.client, s.metricsURL); err != nil {
			b.logger.Warn("warm-up scrape failed", "process", s.name, "err", err)
		}
		u, err := b.sample(s)
		if err != nil {
			return nil, err
		}
		ms[i] = measurement{name: s.name, version: s.version, first: u, ticks: b.ticks}
	}
	next := b.now()
	for tick := 1; tick <= b.ticks; tick++ {
		// Scheduling from the start rather than after each scrape keeps the ticks on a
		// fixed grid, as the agent's own ticker and a Prometheus server are.
		next = next.Add(b.interval)
		if err := b.sleep(ctx, next.Sub(b.now())); err != nil {
			return nil, fmt.Errorf("tick %d of %d: %w", tick, b.ticks, err)
		}
		for i, s := range subjects {
			if s.hasExited() {
				return nil, s.exitError()
			}
			n, err := scrape(ctx, b.client, s.metricsURL)
			ms[i].scrapes++
			if err != nil {
				ms[i].scrapeErrors++
				b.logger.Warn("scrape failed", "process", s.name, "tick", tick, "err", err)
				continue
			}
			ms[i].scrapeBytes = n
		}
		b.logger.Debug("tick", "tick", tick, "of", b.ticks)
	}
	for i, s := range subjects {
		u, err := b.sample(s)
		if err != nil {
			return nil, err
		}
		ms[i].last = u
	}
	return ms, nil
}

// sample reads s's usage, or says that it exited.
func (b *bench) sample(s *running) (usage, error) {
	if s.hasExited() {
		return usage{}, s.exitError()
	}
	u, err := b.proc.usage(s.pid())
	if err != nil {
		return usage{}, fmt.Errorf("sample %s: %w", s.name, err)
	}
	return u, nil
}

// waitReady polls s's /metrics until it answers 200, the process exits, or readyTimeout.
func (b *bench) waitReady(ctx context.Context, s *running) error {
	deadline := b.now().Add(b.readyTimeout)
	for {
		if s.hasExited() {
			return s.exitError()
		}
		_, err := scrape(ctx, b.client, s.metricsURL)
		if err == nil {
			return nil
		}
		if !b.now().Before(deadline) {
			return fmt.Errorf("wait for %s to serve %s: no answer within %s (%w); its log is %s",
				s.name, s.metricsURL, b.readyTimeout, err, s.logPath)
		}
		if err := b.sleep(ctx, 100*time.Millisecond); err != nil {
			return fmt.Errorf("wait for %s: %w", s.name, err)
		}
	}
}

// logPathIn names a subject's log file in dir.
func logPathIn(dir, name string) string { return filepath.Join(dir, name+".log") }
