// Package monitor is the jobpulse-monitor agent: every interval it runs the host
// collectors, takes the pipeline watchers' results from the probe (a `jobpulse
// monitor-probe` child process it starts on a slower cadence), evaluates the alert rules
// on what they saw and delivers the alerts to Slack through a durable outbox, and it
// serves /metrics and /healthz.
//
// The agent links no warehouse and no Google Cloud client: those cost more memory than
// everything else together, so they live in the probe, which holds them only while it
// runs. A test keeps them out of the agent's import graph.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/monitor/alert"
	"github.com/jobpulse/jobpulse/monitor/host"
	"github.com/jobpulse/jobpulse/monitor/sample"
)

const (
	// ShutdownTimeout is how long a stopping agent keeps delivering; what is left then
	// stays in the outbox for the next start.
	ShutdownTimeout = 5 * time.Second
	// StateFile is the alert state's file name in the state directory.
	StateFile = "alert-state.json"
	// OutboxDir is the Slack outbox's directory in the state directory.
	OutboxDir = "outbox"
	// AgentCollector is the collector name of the samples the agent adds about the
	// collectors themselves: collector_success and collector_duration_seconds.
	AgentCollector = "agent"
)

// Sample names the agent adds to every tick, one series per collector.
const (
	// MetricCollectorSuccess is collector_success{collector}: 1 if the collector worked
	// (with or without data), 0 if it failed or timed out.
	MetricCollectorSuccess = "collector_success"
	// MetricCollectorDuration is collector_duration_seconds{collector}.
	MetricCollectorDuration = "collector_duration_seconds"
)

// Collector is one source of samples: a host collector or a pipeline watcher's results
// from the probe.
type Collector interface {
	Name() string
	Collect(ctx context.Context) sample.Result
}

var (
	_ Collector = (host.Collector)(nil)
	_ Collector = probeCollector{}
)

// alertNotifier delivers one alert message: notify.Slack or notify.Console.
type alertNotifier interface {
	NotifyAlert(ctx context.Context, a notify.Alert) error
}

// outbox is the part of notify.Slack beyond delivering one message.
type outbox interface {
	Flush(ctx context.Context) error
	Stats(ctx context.Context) (notify.OutboxStats, error)
}

// Deps are the agent's outside dependencies. Zero fields get the real thing.
type Deps struct {
	// Now is the clock of ticks, alert state, /healthz and every collector.
	Now func() time.Time
	// NewTicker returns the channel that paces the ticks and a function that stops it
	// (default: a time.Ticker).
	NewTicker func(d time.Duration) (<-chan time.Time, func())
	// Logger receives the agent's logs; nil discards.
	Logger *slog.Logger
	// Getenv reads the webhook URL's variable (default os.Getenv).
	Getenv func(string) string
	// Stdout receives the alerts when no webhook is configured (default os.Stdout).
	Stdout io.Writer
	// Host are the host collectors' dependencies; its Now and Logger default to the
	// agent's.
	Host host.Deps
	// SlackOptions are added after the agent's own notify options (tests pass an HTTP
	// client and a clock).
	SlackOptions []notify.Option
	// Environ is the environment the probe starts with, less the webhook's variable
	// (default os.Environ). Credentials for BigQuery and Cloud Functions reach the
	// probe this way (GOOGLE_APPLICATION_CREDENTIALS, or none on a VM).
	Environ func() []string
}

func (d Deps) withDefaults() Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.NewTicker == nil {
		d.NewTicker = func(dur time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(dur)
			return t.C, t.Stop
		}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Getenv == nil {
		d.Getenv = os.Getenv
	}
	if d.Stdout == nil {
		d.Stdout = os.Stdout
	}
	if d.Environ == nil {
		d.Environ = os.Environ
	}
	if d.Host.Now == nil {
		d.Host.Now = d.Now
	}
	if d.Host.Logger == nil {
		d.Host.Logger = d.Logger
	}
	return d
}

// Agent is the monitor agent. Run runs it; Tick and Deliver are its two halves, for
// tests and for callers that pace it themselves.
type Agent struct {
	cfg       Config
	now       func() time.Time
	newTicker func(time.Duration) (<-chan time.Time, func())
	log       *slog.Logger
	hostname  string
	runners   []*runner
	closers   []func() error
	engine    *alert.Engine
	notifier  alertNotifier
	outbox    outbox // nil without Slack
	started   time.Time
	metrics   *metrics

	mu           sync.Mutex // guards the last tick's view
	ticks        uint64     // ticks finished, so /metrics knows when its cache is stale
	last         []sample.Result
	lastTickEnd  time.Time
	tickDuration time.Duration
	firing       int

	qmu   sync.Mutex // guards queue
	queue []alert.Event
	wake  chan struct{} // has a value when the delivery goroutine has work
}

// New builds the agent for cfg: its host collectors, the probe of the pipeline watchers,
// the alert engine with its state file in cfg.StateDir, and Slack delivery through the
// outbox there (or the console when the webhook variable is unset). Close stops a
// running probe. ctx is not kept.
func New(ctx context.Context, cfg Config, deps Deps) (*Agent, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("check monitor config: %w", err)
	}
	deps = deps.withDefaults()
	a := &Agent{
		cfg: cfg, now: deps.Now, newTicker: deps.NewTicker, log: deps.Logger, hostname: cfg.Hostname,
		wake: make(chan struct{}, 1),
	}
	if a.hostname == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("read the hostname: %w (set hostname in the config)", err)
		}
		a.hostname = h
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("create state directory: %w (set state_dir to a directory the agent may write)", err)
	}
	runners, closers, err := buildRunners(cfg, deps, cfg.CollectorTimeout)
	if err != nil {
		return nil, err
	}
	a.runners, a.closers = runners, closers
	a.engine, err = alert.NewEngine(cfg.Alerts.Rules, alert.NewFileState(filepath.Join(cfg.StateDir, StateFile)), deps.Now, deps.Logger)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("start the alert engine: %w", err)
	}
	renderer := notify.Renderer{RunbookBaseURL: cfg.RunbookBaseURL}
	if url := deps.Getenv(cfg.Slack.WebhookURLEnv); url != "" {
		store, err := lake.NewLocal(filepath.Join(cfg.StateDir, OutboxDir))
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("open the Slack outbox: %w", err)
		}
		opts := append([]notify.Option{
			notify.WithLogger(deps.Logger), notify.WithRenderer(renderer), notify.WithOutboxPrefix(""),
			notify.WithMaxPending(cfg.Slack.MaxPending),
		}, deps.SlackOptions...)
		slack := notify.NewSlack(url, store, opts...)
		a.notifier, a.outbox = slack, slack
		a.log.Info("alerts go to Slack", "webhook_env", cfg.Slack.WebhookURLEnv, "outbox", store.URL(""))
	} else {
		a.notifier = notify.NewConsole(deps.Stdout, notify.WithRenderer(renderer))
		a.log.Warn(fmt.Sprintf("NO SLACK WEBHOOK: %s is not set, so alerts are printed to stdout and nobody is paged; "+
			"set it (systemd: in /etc/jobpulse-monitor/env) to deliver them to Slack", cfg.Slack.WebhookURLEnv),
			"webhook_env", cfg.Slack.WebhookURLEnv)
	}
	a.started = a.now()
	a.metrics = newMetrics(a)
	return a, nil
}

// buildRunners creates the host collectors and, when a pipeline watcher is configured,
// the probe's collectors, each with its timeout. probeWait is how long the tick that
// starts a probe waits for its results.
func buildRunners(cfg Config, deps Deps, probeWait time.Duration) ([]*runner, []func() error, error) {
	hosts, err := host.New(cfg.Host, deps.Host)
	if err != nil {
		return nil, nil, fmt.Errorf("build host collectors: %w", err)
	}
	var runners []*runner
	for _, c := range hosts {
		runners = append(runners, newRunner(c, cfg.CollectorTimeout, deps.Now))
	}
	var closers []func() error
	if p := newProbe(cfg, deps, probeWait); p != nil {
		for _, c := range p.collectors() {
			// The collector returns by probeWait; the runner's timeout is only a backstop.
			runners = append(runners, newRunner(c, probeWait+time.Second, deps.Now))
		}
		closers = append(closers, p.close)
	}
	closers = append(closers, func() error {
		for _, r := range runners {
			r.stop()
		}
		return nil
	})
	return runners, closers, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Close stops a running probe and waits for it, and ends the collectors' workers (a
// call still running finishes in the background). The agent must not tick after it.
func (a *Agent) Close() error {
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// Run serves /metrics and /healthz on the configured address and ticks every interval
// (the first at once) until ctx is done; then it delivers what it can within
// ShutdownTimeout (the rest stays in the outbox) and returns. Delivery runs in a
// goroutine of its own, so a slow or unreachable Slack never delays a tick.
func (a *Agent) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen for /metrics: %w (is another agent running? set listen to a free address)", err)
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	a.log.Info("monitor agent started", "listen", ln.Addr().String(), "interval", a.cfg.Interval.String(),
		"collectors", len(a.runners), "rules", len(a.cfg.Alerts.Rules), "state_dir", a.cfg.StateDir)

	// Delivery outlives ctx by up to ShutdownTimeout: cancelling it makes the messages
	// still in hand go to the outbox without waiting for Slack.
	dctx, dcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer dcancel()
	quit, done := make(chan struct{}), make(chan struct{})
	go a.deliveryLoop(dctx, quit, done)

	ticks, stop := a.newTicker(a.cfg.Interval)
	a.Tick(ctx)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-serveErr:
			stop()
			close(quit)
			<-done
			return fmt.Errorf("serve /metrics: %w", err)
		case <-ticks:
			a.Tick(ctx)
		}
	}
	stop()
	a.log.Info("monitor agent stopping: delivering queued alerts", "timeout", ShutdownTimeout.String())
	timer := time.AfterFunc(ShutdownTimeout, dcancel)
	close(quit)
	<-done
	timer.Stop()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	a.log.Info("monitor agent stopped")
	return nil
}

func (a *Agent) deliveryLoop(ctx context.Context, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-a.wake:
			_ = a.Deliver(ctx)
		case <-quit:
			_ = a.Deliver(ctx)
			return
		}
	}
}

// Tick runs every collector and watcher concurrently, each within its timeout, adds
// the collector_success and collector_duration_seconds samples, evaluates the alert
// rules and queues the events for delivery, which it wakes. It returns the events.
func (a *Agent) Tick(ctx context.Context) []alert.Event {
	if ctx.Err() != nil {
		// Stopping: starting collectors (and a probe) now would only leave goroutines
		// behind that outlive Run.
		return nil
	}
	start := a.now()
	results := collect(ctx, a.runners)
	if ctx.Err() != nil {
		// Collectors cut short by a shutdown failed for no reason of theirs: their
		// results would only start collector_failed alerts.
		return nil
	}
	events := a.engine.Evaluate(results)
	firing := 0
	for _, in := range a.engine.Active() {
		if in.State == alert.StateFiring {
			firing++
		}
	}
	end := a.now()
	a.mu.Lock()
	a.ticks++
	a.last, a.lastTickEnd, a.tickDuration, a.firing = results, end, end.Sub(start), firing
	a.mu.Unlock()
	// Log a collector's failure when it starts and its recovery, not every tick: the
	// collector_failed alert and the metrics carry the rest.
	for i, r := range a.runners {
		switch err := results[i].Err; {
		case err != nil && !r.failing:
			a.log.Warn("collector failed", "collector", r.name, "err", err)
		case err == nil && r.failing:
			a.log.Info("collector works again", "collector", r.name)
		}
		r.failing = results[i].Err != nil
	}
	for _, e := range events {
		a.log.Info("alert "+string(e.Status), "alert", e.Rule, "status", e.Status, "severity", e.Severity,
			"fingerprint", e.Fingerprint, "summary", e.Summary)
	}
	a.qmu.Lock()
	a.queue = append(a.queue, events...)
	a.qmu.Unlock()
	// Wake the delivery goroutine every tick, events or not: it also flushes what the
	// outbox still holds from a time Slack was unreachable.
	select {
	case a.wake <- struct{}{}:
	default:
	}
	return events
}

// collect runs every runner concurrently and appends the agent's own samples about
// them as one more Result. The runners' workers do the collecting, so a tick starts no
// goroutine.
func collect(ctx context.Context, runners []*runner) []sample.Result {
	results := make([]sample.Result, len(runners)+1)
	calls := make([]call, len(runners))
	for i, r := range runners {
		calls[i] = r.start(ctx)
	}
	for i, r := range runners {
		results[i] = r.finish(calls[i])
	}
	own := make([]sample.Sample, 0, 2*len(runners))
	for i, r := range runners {
		ok := 0.0
		if results[i].OK() {
			ok = 1
		}
		own = append(own,
			sample.Sample{Name: MetricCollectorSuccess, Labels: r.labels, Value: ok},
			sample.Sample{Name: MetricCollectorDuration, Labels: r.labels, Value: results[i].Duration.Seconds()})
	}
	results[len(runners)] = sample.Result{Collector: AgentCollector, Samples: own}
	return results
}

// Deliver hands the queued events to the notifier, oldest first, then flushes the
// outbox. Once one message could not be delivered, the rest of the batch only goes
// into the outbox (the notifier gets a cancelled context): Slack is unreachable and
// each attempt would wait out its retries. The next Deliver flushes them. The
// delivery goroutine calls it on every tick; it is exported for tests and tools that
// drive the agent tick by tick.
func (a *Agent) Deliver(ctx context.Context) error {
	a.qmu.Lock()
	events := a.queue
	a.queue = nil
	a.qmu.Unlock()
	var errs []error
	dctx := ctx
	for _, e := range events {
		err := a.notifier.NotifyAlert(dctx, e.Alert(a.hostname))
		switch {
		case err == nil:
			continue
		case errors.Is(err, notify.ErrOutboxFull):
			a.log.Error("ALERT NOT DELIVERED: the outbox is full and Slack unreachable; the message is dropped (see docs/runbooks/slack-undelivered.md)",
				"alert", e.Rule, "status", e.Status, "fingerprint", e.Fingerprint, "summary", e.Summary, "err", err)
		default:
			a.log.Warn("alert not delivered yet; it waits in the outbox", "alert", e.Rule, "status", e.Status,
				"fingerprint", e.Fingerprint, "err", err)
		}
		errs = append(errs, err)
		if dctx == ctx {
			var cancel context.CancelFunc
			dctx, cancel = context.WithCancel(ctx)
			cancel()
		}
	}
	if a.outbox != nil && len(errs) == 0 {
		if err := a.outbox.Flush(ctx); err != nil {
			a.log.Warn("slack outbox not flushed; retrying next tick", "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runner runs one collector with a timeout, in a worker goroutine that lives as long
// as the runner: a goroutine per collector per tick would grow a fresh stack through
// the collector's calls every tick, which cost more CPU than some collectors do. A
// collector that overstays its timeout is reported as failed and not called again
// until its call returns, so a stuck one holds only its worker.
type runner struct {
	c       Collector
	name    string
	timeout time.Duration
	labels  map[string]string // {collector: name}, shared by its samples every tick
	now     func() time.Time
	busy    atomic.Bool
	since   atomic.Int64 // when the running call started, Unix nanoseconds
	failing bool         // the last tick's call failed; only the tick loop uses it

	calls   chan call      // to the worker; closed by stop
	results chan seqResult // from the worker; holds at most one result
	seq     uint64         // the last call's number; only the tick loop uses it
	done    chan struct{}  // closed when the worker has returned
}

// call is one request to a runner's worker; a call with a zero seq was skipped.
type call struct {
	ctx    context.Context
	cancel context.CancelFunc
	seq    uint64
	start  time.Time
}

// seqResult is a worker's answer to the call numbered seq.
type seqResult struct {
	seq uint64
	res sample.Result
}

func newRunner(c Collector, timeout time.Duration, now func() time.Time) *runner {
	r := &runner{
		c: c, name: c.Name(), timeout: timeout, labels: map[string]string{"collector": c.Name()}, now: now,
		calls: make(chan call, 1), results: make(chan seqResult, 1), done: make(chan struct{}),
	}
	go r.work()
	return r
}

func (r *runner) work() {
	defer close(r.done)
	for c := range r.calls {
		res := r.c.Collect(c.ctx)
		// The result goes in before the runner is free, so the next call finds it (and
		// drops it, if its caller gave up on it) instead of racing it.
		r.results <- seqResult{seq: c.seq, res: res}
		r.busy.Store(false)
	}
}

// stop ends the worker once its current call, if any, returns; it does not wait.
func (r *runner) stop() { close(r.calls) }

// start hands the collector this tick's call, unless the previous call still runs.
func (r *runner) start(ctx context.Context) call {
	now := r.now()
	if !r.busy.CompareAndSwap(false, true) {
		return call{start: now}
	}
	r.seq++
	r.since.Store(now.UnixNano())
	c := call{seq: r.seq, start: now}
	c.ctx, c.cancel = context.WithTimeout(ctx, r.timeout)
	r.calls <- c
	return c
}

// finish waits for c's result until its timeout.
func (r *runner) finish(c call) sample.Result {
	if c.seq == 0 {
		return sample.Result{Collector: r.name, Err: fmt.Errorf("collect %s: skipped: the call started at %s has not returned yet",
			r.name, time.Unix(0, r.since.Load()).UTC().Format(time.RFC3339))}
	}
	defer c.cancel()
	res, ok := r.receive(c)
	if !ok {
		return sample.Result{Collector: r.name, Duration: r.now().Sub(c.start),
			Err: fmt.Errorf("collect %s: no answer within %s: %w", r.name, r.timeout, context.Cause(c.ctx))}
	}
	if res.Collector == "" {
		res.Collector = r.name
	}
	if res.Duration == 0 {
		res.Duration = r.now().Sub(c.start)
	}
	return res
}

// receive returns c's result, dropping a late one of an earlier call that timed out.
// An answer that is already there wins over a deadline that has passed too.
func (r *runner) receive(c call) (sample.Result, bool) {
	for {
		var got seqResult
		select {
		case got = <-r.results:
		default:
			select {
			case got = <-r.results:
			case <-c.ctx.Done():
				return sample.Result{}, false
			}
		}
		if got.seq == c.seq {
			return got.res, true
		}
	}
}
