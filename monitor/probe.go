package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jobpulse/jobpulse/monitor/sample"
	"github.com/jobpulse/jobpulse/monitor/watchconfig"
)

// Collector names of the pipeline watchers, which run in the probe.
const (
	// LedgerCollector is the ledger watcher's collector name.
	LedgerCollector = "pipeline_ledger"
	// FunctionsCollector is the Cloud Functions watcher's collector name.
	FunctionsCollector = "cloud_functions"
)

const (
	// probeGrace is added to the largest watcher timeout to make the probe's: the
	// process also has to start, load the SQL files and print.
	probeGrace = 5 * time.Second
	// staleAfter × pipeline.interval is how old the probe's results may get.
	staleAfter = 3
	// maxProbeStdout bounds what the agent reads of the probe's report; a real one is a
	// few KiB.
	maxProbeStdout = 1 << 20
	// maxProbeStderr is how much of the probe's stderr the agent keeps, and
	// maxStderrInError how much of it goes into an error message.
	maxProbeStderr   = 4 << 10
	maxStderrInError = 400
)

// ProbeCommand is the probe's command line for c: pipeline.command followed by the
// flags of `jobpulse monitor-probe` generated from the pipeline and functions sections.
// since is the agent's start, from which a source that never worked counts its age. It
// is nil when neither a ledger nor a functions project is configured: then the agent
// starts no probe.
func (c Config) ProbeCommand(since time.Time) []string {
	if c.Pipeline.Warehouse == "" && c.Functions.Project == "" {
		return nil
	}
	argv := append([]string(nil), c.Pipeline.Command...)
	// --flag=value: a value that starts with "-" stays a value.
	flag := func(name, value string) { argv = append(argv, "--"+name+"="+value) }
	if l := c.Pipeline.Ledger; c.Pipeline.Warehouse != "" {
		flag("ledger", c.Pipeline.Warehouse)
		if l.Sources != nil {
			flag("sources", strings.Join(l.Sources, ","))
		}
		flag("window", orDefault(l.Window, watchconfig.DefaultWindow).String())
		flag("ledger-timeout", orDefault(l.Timeout, watchconfig.DefaultLedgerTimeout).String())
		flag("since", since.UTC().Format(time.RFC3339Nano))
	}
	if f := c.Functions; f.Project != "" {
		flag("functions-project", f.Project)
		flag("functions-region", f.Region)
		if f.Functions != nil {
			flag("functions", strings.Join(f.Functions, ","))
		}
		flag("functions-timeout", orDefault(f.Timeout, watchconfig.DefaultFunctionsTimeout).String())
	}
	return argv
}

// probeTimeout bounds one probe process: the largest configured watcher timeout, since
// the probe runs its watchers concurrently, plus probeGrace.
func (c Config) probeTimeout() time.Duration {
	var d time.Duration
	if c.Pipeline.Warehouse != "" {
		d = max(d, orDefault(c.Pipeline.Ledger.Timeout, watchconfig.DefaultLedgerTimeout))
	}
	if c.Functions.Project != "" {
		d = max(d, orDefault(c.Functions.Timeout, watchconfig.DefaultFunctionsTimeout))
	}
	return d + probeGrace
}

// probe runs the pipeline probe, a child process that runs the pipeline watchers once
// and prints their results as JSON, at most once per interval, and keeps its results
// for the ticks in between. Each configured watcher is a collector of its own
// (probeCollector), so a locked ledger does not hide the functions' samples.
//
// A probe runs in a goroutine of its own. The collectors of the tick that starts it wait
// for it up to wait; the ticks after that take the cached results at once, so a slow
// or hung probe delays no tick by more than wait, and none after the first.
type probe struct {
	argv     []string // argv[0] unresolved
	name     string   // pipeline.command, for messages
	watchers []string // the collectors it reports, in order
	timeout  time.Duration
	wait     time.Duration
	interval time.Duration
	environ  func() []string // read at every start
	hideEnv  string          // the webhook's variable, which the probe does not get
	now      func() time.Time
	log      *slog.Logger
	// lookPath and executable find a bare command name (exec.LookPath, os.Executable).
	lookPath   func(string) (string, error)
	executable func() (string, error)

	ctx    context.Context // ends every probe when the agent closes
	cancel context.CancelFunc
	runs   sync.WaitGroup

	mu       sync.Mutex
	started  time.Time // the last probe's start; zero before the first
	running  *probeRun // nil when no probe runs
	results  []sample.Result
	resultAt time.Time // when the cached results' probe started: what they describe
}

// probeRun is one probe process.
type probeRun struct {
	done     chan struct{} // closed when the results are in the cache
	patience chan struct{} // closed once callers should stop waiting for it
}

// newProbe returns the probe for cfg, or nil when no pipeline watcher is configured.
// wait is how long the tick that starts a probe waits for it.
func newProbe(cfg Config, deps Deps, wait time.Duration) *probe {
	argv := cfg.ProbeCommand(deps.Now())
	if argv == nil {
		return nil
	}
	var watchers []string
	if cfg.Pipeline.Warehouse != "" {
		watchers = append(watchers, LedgerCollector)
	}
	if cfg.Functions.Project != "" {
		watchers = append(watchers, FunctionsCollector)
	}
	name := strings.Join(cfg.Pipeline.Command, " ")
	ctx, cancel := context.WithCancel(context.Background())
	return &probe{
		argv: argv, name: name, watchers: watchers,
		timeout: cfg.probeTimeout(), wait: wait, interval: cfg.Pipeline.Interval,
		environ: deps.Environ, hideEnv: cfg.Slack.WebhookURLEnv, now: deps.Now, log: deps.Logger.With("probe", name),
		lookPath: exec.LookPath, executable: os.Executable, ctx: ctx, cancel: cancel,
	}
}

// childEnv is env without the webhook's variable: the probe has no business with it.
func childEnv(env []string, webhookEnv string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if !strings.HasPrefix(kv, webhookEnv+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// close kills a running probe and waits for its goroutine.
func (p *probe) close() error {
	p.cancel()
	p.runs.Wait()
	return nil
}

// collectors are the probe's watchers as collectors.
func (p *probe) collectors() []Collector {
	out := make([]Collector, len(p.watchers))
	for i, w := range p.watchers {
		out[i] = probeCollector{p: p, name: w}
	}
	return out
}

// probeCollector is one watcher of the probe.
type probeCollector struct {
	p    *probe
	name string
}

func (c probeCollector) Name() string { return c.name }

// Collect starts a probe if one is due and none runs, waits for the probe the tick
// started (up to the probe's patience), and returns the watcher's cached result.
func (c probeCollector) Collect(ctx context.Context) sample.Result {
	if run := c.p.startIfDue(); run != nil {
		select {
		case <-run.done:
		case <-run.patience:
		case <-ctx.Done():
		}
	}
	return c.p.cached(c.name)
}

// startIfDue starts a probe when none runs and the last one started at least an
// interval ago. It returns the running probe while callers may still wait for it (the
// one just started, to the tick's other collectors too), else nil.
func (p *probe) startIfDue() *probeRun {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.running == nil && p.ctx.Err() == nil && (p.started.IsZero() || now.Sub(p.started) >= p.interval) {
		run := &probeRun{done: make(chan struct{}), patience: make(chan struct{})}
		p.running, p.started = run, now
		stop := time.AfterFunc(p.wait, func() { close(run.patience) })
		p.runs.Add(1)
		go func() {
			defer p.runs.Done()
			results := p.exec(now)
			stop.Stop()
			p.mu.Lock()
			p.results, p.resultAt, p.running = results, now, nil
			p.mu.Unlock()
			close(run.done)
		}()
	}
	if run := p.running; run != nil {
		select {
		case <-run.patience:
			return nil
		default:
			return run
		}
	}
	return nil
}

// cached is the watcher's result from the last probe: no data before the first probe
// finished, an error once the results are older than staleAfter intervals.
func (p *probe) cached(name string) sample.Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.results == nil {
		return sample.Result{Collector: name, NoData: true}
	}
	if age, limit := p.now().Sub(p.resultAt), staleAfter*p.interval; age > limit {
		return sample.Result{Collector: name, Err: fmt.Errorf(
			"probe results are stale: the last ones are %s old, more than %d × pipeline.interval = %s; is `%s` hanging? (see docs/runbooks/collector-failed.md)",
			age.Round(time.Second), staleAfter, limit, p.name)}
	}
	for _, r := range p.results {
		if r.Collector == name {
			return r
		}
	}
	return sample.Result{Collector: name, Err: fmt.Errorf("the probe did not report %s", name)}
}

// exec runs one probe process and returns one result per watcher, in order: what the
// probe reported, or the same error for each when the probe itself failed.
func (p *probe) exec(start time.Time) []sample.Result {
	fail := func(err error) []sample.Result {
		out := make([]sample.Result, len(p.watchers))
		for i, w := range p.watchers {
			out[i] = sample.Result{Collector: w, Duration: p.now().Sub(start), Err: err}
		}
		return out
	}
	name := p.name
	path, err := resolveCommand(p.argv[0], p.lookPath, p.executable)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, p.argv[1:]...)
	cmd.Env = childEnv(p.environ(), p.hideEnv)
	stdout, stderr := &capWriter{max: maxProbeStdout}, &capWriter{max: maxProbeStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A grandchild holding the pipes open must not keep us waiting past the kill.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fail(fmt.Errorf("probe `%s`: no answer within %s; it was killed%s", name, p.timeout, stderrNote(stderr)))
	case p.ctx.Err() != nil:
		return fail(fmt.Errorf("probe `%s`: stopped with the agent", name))
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fail(fmt.Errorf("probe `%s` failed (%s)%s", name, ee.ProcessState, stderrNote(stderr)))
		}
		return fail(fmt.Errorf("start the probe `%s` (%s): %w (install jobpulse beside jobpulse-monitor, see docs/monitor.md, or set pipeline.command)", name, path, err))
	case stdout.over:
		return fail(fmt.Errorf("probe `%s` printed more than %d bytes: that is not its report; is pipeline.command the jobpulse CLI?", name, maxProbeStdout))
	}
	results, err := decodeReport(stdout.buf, p.watchers)
	if err != nil {
		return fail(fmt.Errorf("probe `%s`: %w; is pipeline.command `jobpulse monitor-probe` of the same release as the agent?%s", name, err, stderrNote(stderr)))
	}
	p.log.Debug("probe ran", "duration", p.now().Sub(start).String())
	return results
}

// resolveCommand finds the probe's binary: a name with a slash as it is, a bare name in
// PATH, or else beside the agent's own binary (both are installed together).
func resolveCommand(name string, lookPath func(string) (string, error), executable func() (string, error)) (string, error) {
	if strings.ContainsRune(name, '/') {
		return name, nil
	}
	if path, err := lookPath(name); err == nil {
		return path, nil
	}
	exe, err := executable()
	if err != nil {
		return "", fmt.Errorf("probe command %q is not in PATH, and the agent's own directory is unknown (%v): set pipeline.command to the probe's absolute path", name, err)
	}
	beside := filepath.Join(filepath.Dir(exe), name)
	if st, err := os.Stat(beside); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return beside, nil
	}
	return "", fmt.Errorf("probe command %q is neither in PATH nor at %s: install jobpulse there (docs/monitor.md) or set pipeline.command to its path", name, beside)
}

// wireReport is the JSON `jobpulse monitor-probe` prints (monitor/watch.Report; not
// imported, since that package links the warehouses and the Cloud client).
type wireReport struct {
	Results []struct {
		Collector       string  `json:"collector"`
		DurationSeconds float64 `json:"duration_seconds"`
		Error           string  `json:"error"`
		NoData          bool    `json:"no_data"`
		Samples         []struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
			Value  float64           `json:"value"`
		} `json:"samples"`
	} `json:"results"`
}

// decodeReport parses the probe's stdout into one result per watcher, in order.
func decodeReport(data []byte, watchers []string) ([]sample.Result, error) {
	var w wireReport
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&w); err != nil {
		return nil, fmt.Errorf("its output is not a report: %w (starts %q)", err, cut(strings.TrimSpace(string(data)), 60))
	}
	byName := map[string]sample.Result{}
	for _, r := range w.Results {
		res := sample.Result{Collector: r.Collector, NoData: r.NoData,
			Duration: time.Duration(r.DurationSeconds * float64(time.Second))}
		if r.Error != "" {
			res.Err = errors.New(redact(r.Error))
		}
		for _, s := range r.Samples {
			if s.Name == "" {
				return nil, fmt.Errorf("its report has a sample without a name from %s", r.Collector)
			}
			res.Samples = append(res.Samples, sample.Sample{Name: s.Name, Labels: s.Labels, Value: s.Value})
		}
		byName[r.Collector] = res
	}
	out := make([]sample.Result, len(watchers))
	for i, name := range watchers {
		res, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("its report has no result for %s", name)
		}
		out[i] = res
	}
	return out, nil
}

// stderrNote is the start of what the probe said on stderr, for an error message.
func stderrNote(w *capWriter) string {
	s := strings.Join(strings.Fields(redact(string(w.buf))), " ")
	if s == "" {
		return ""
	}
	return ": stderr: " + cut(s, maxStderrInError)
}

// urlQuery matches a URL's query string: where API keys travel.
var urlQuery = regexp.MustCompile(`(?i)(https?://[^\s?#"'<>]+)\?[^\s#"'<>]*`)

// redact removes URL query strings from text that goes into errors and logs.
func redact(s string) string { return urlQuery.ReplaceAllString(s, "$1?[redacted]") }

// cut shortens s to n runes.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// capWriter keeps the first max bytes written to it and notes whether there was more.
// It never fails a write, so the child does not die of a broken pipe.
type capWriter struct {
	max  int
	buf  []byte
	over bool
}

func (w *capWriter) Write(b []byte) (int, error) {
	if room := w.max - len(w.buf); room < len(b) {
		w.buf = append(w.buf, b[:max(room, 0)]...)
		w.over = true
		return len(b), nil
	}
	w.buf = append(w.buf, b...)
	return len(b), nil
}
