package monitor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v4/disk"

	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/notify/slacktest"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/duckdb"
	"github.com/jobpulse/jobpulse/monitor"
	"github.com/jobpulse/jobpulse/monitor/alert"
	"github.com/jobpulse/jobpulse/monitor/host"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// start is the fake clock's first reading.
var start = time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)

// clock is a fake clock; sleeping advances it, so the Slack outbox's pacing runs at once
// and leaves its marks on the fake webhook's time stamps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: start} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// syncBuffer is a log sink safe for the agent's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixturePaths are monitor/host's fixture tree of /proc and /sys; the host's root
// filesystem is "/hostfs", which fixtureStatfs answers for.
func fixturePaths(t testing.TB) host.Paths {
	t.Helper()
	abs := func(rel string) string {
		p, err := filepath.Abs(rel)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	return host.Paths{ProcPath: abs("host/testdata/fixtures/proc"), SysPath: abs("host/testdata/fixtures/sys"), RootFS: "/hostfs"}
}

// fixtureStatfs answers statfs for the mounts of the fixture mount table: /data is 95%
// full.
func fixtureStatfs(path string) (disk.UsageStat, error) {
	const gib = 1 << 30
	switch path {
	case "/hostfs":
		return disk.UsageStat{Total: 100 * gib, Used: 60 * gib, Free: 35 * gib, InodesTotal: 6_553_600, InodesFree: 5_242_880}, nil
	case "/hostfs/boot/efi":
		return disk.UsageStat{Total: 512 << 20, Used: 128 << 20, Free: 384 << 20}, nil
	case "/hostfs/data":
		return disk.UsageStat{Total: 1000 * gib, Used: 950 * gib, Free: 50 * gib, InodesTotal: 1_000_000, InodesFree: 500_000}, nil
	case "/hostfs/media/usb":
		return disk.UsageStat{Total: 64 * gib, Free: 64 * gib}, nil
	}
	return disk.UsageStat{}, fmt.Errorf("fixture has no filesystem at %s", path)
}

// rules picks default rules by name.
func rules(t testing.TB, names ...string) alert.Config {
	t.Helper()
	var c alert.Config
	for _, r := range alert.DefaultRules() {
		if slices.Contains(names, r.Name) {
			c.Rules = append(c.Rules, r)
		}
	}
	if len(c.Rules) != len(names) {
		t.Fatalf("rules %v: found only %d", names, len(c.Rules))
	}
	return c
}

// env is one agent's world: the fixture host, a DuckDB ledger, the test binary as the
// probe, a fake Slack, a clock.
type env struct {
	clock  *clock
	slack  *slacktest.Server
	ledger string // the DuckDB file
	logs   *syncBuffer
	cfg    monitor.Config
	deps   monitor.Deps
	// probeCount is the file the probe helper appends a line to at every start.
	probeCount string

	mu        sync.Mutex
	probeMode string // the helper's mode at the next probe start
	probeJSON string // what the canned helper prints
}

// setProbe makes the next probes run the helper in mode (see probeHelper), printing
// cannedJSON in mode canned.
func (e *env) setProbe(mode, cannedJSON string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.probeMode, e.probeJSON = mode, cannedJSON
}

// environ is the probe's environment as the agent gets it: the helper's settings, and
// the webhook, which the agent must not pass on.
func (e *env) environ() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append(os.Environ(), probeModeEnv+"="+e.probeMode, probeJSONEnv+"="+e.probeJSON,
		probeCountEnv+"="+e.probeCount, monitor.DefaultWebhookURLEnv+"="+e.slack.URL)
}

// probeStarts counts the probe's starts so far.
func (e *env) probeStarts(t testing.TB) int {
	t.Helper()
	data, err := os.ReadFile(e.probeCount)
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

func newEnv(t *testing.T, alerts alert.Config) *env {
	t.Helper()
	e := &env{clock: newClock(), logs: &syncBuffer{}, probeMode: "ledger"}
	e.slack = slacktest.New(t, slacktest.WithClock(e.clock.Now))
	e.ledger = filepath.Join(t.TempDir(), "warehouse.duckdb")
	e.probeCount = filepath.Join(t.TempDir(), "probe-starts")
	ensureLedger(t, e.ledger)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cfg := monitor.Default()
	cfg.Listen = "127.0.0.1:0"
	cfg.StateDir = filepath.Join(t.TempDir(), "state")
	cfg.Hostname = "vm-1"
	cfg.RunbookBaseURL = "https://github.com/jobpulse/jobpulse/blob/main"
	cfg.Host = host.Config{Paths: fixturePaths(t)}
	cfg.Pipeline.Warehouse = "duckdb://" + e.ledger
	cfg.Pipeline.Command = []string{self}
	// The probe runs every tick unless a test says otherwise, so a run added to the
	// ledger shows at the next tick.
	cfg.Pipeline.Interval = cfg.Interval
	cfg.Alerts = alerts
	e.cfg = cfg
	e.deps = monitor.Deps{
		Now:    e.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Getenv: func(k string) string {
			if k == monitor.DefaultWebhookURLEnv {
				return e.slack.URL
			}
			return ""
		},
		Host:    host.Deps{Statfs: fixtureStatfs},
		Environ: e.environ,
		SlackOptions: []notify.Option{
			notify.WithHTTPClient(e.slack.Client()),
			notify.WithClock(e.clock.Now, e.clock.Sleep),
			notify.WithJitter(func(d time.Duration) time.Duration { return d }),
		},
	}
	return e
}

func (e *env) agent(t *testing.T) *monitor.Agent {
	t.Helper()
	a, err := monitor.New(context.Background(), e.cfg, e.deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// run is one meta.pipeline_runs row, finished at the clock's time.
type run struct {
	id, source, status, step, err string
}

// ensureLedger creates the ledger tables with the meta models' own statements in a
// fresh DuckDB file, as the pipeline does.
func ensureLedger(t testing.TB, path string) {
	t.Helper()
	withLedger(t, path, func(context.Context, warehouse.Warehouse, *models.Project) {})
}

// addRuns appends runs to the ledger with the models' INSERT, every column a parameter.
func (e *env) addRuns(t testing.TB, runs ...run) {
	t.Helper()
	at := e.clock.Now()
	withLedger(t, e.ledger, func(ctx context.Context, wh warehouse.Warehouse, p *models.Project) {
		m := p.Model(warehouse.Table{Dataset: "meta", Name: "pipeline_runs"})
		for _, r := range runs {
			values := map[string]any{
				"run_id": r.id, "source": r.source, "status": r.status, "step_failed": r.step, "error": r.err,
				"started_at": at.Add(-time.Minute), "finished_at": at, "duration_ms": int64(60000), "recorded_at": at,
			}
			var params []warehouse.Param
			for _, c := range m.Config.Columns {
				v, ok := values[c.Name]
				if !ok || v == "" {
					v = warehouse.Null{Type: c.Type}
				}
				params = append(params, warehouse.Param{Name: c.Name, Value: v})
			}
			if _, err := wh.Exec(ctx, m.Insert(wh), params, warehouse.Options{}); err != nil {
				t.Fatalf("insert run %s: %v", r.id, err)
			}
		}
	})
}

// withLedger opens the DuckDB file for writing (as the pipeline would; the agent only
// reads it between ticks), ensures the ledger tables and calls f.
func withLedger(t testing.TB, path string, f func(context.Context, warehouse.Warehouse, *models.Project)) {
	t.Helper()
	ctx := context.Background()
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		t.Fatal(err)
	}
	wh, err := duckdb.Open(ctx, duckdb.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Close()
	if err := wh.EnsureDatasets(ctx); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pipeline_runs", "check_results"} {
		m := project.Model(warehouse.Table{Dataset: "meta", Name: name})
		stmts, err := m.Statements(wh)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range stmts {
			if _, err := wh.Exec(ctx, q, nil, warehouse.Options{}); err != nil {
				t.Fatalf("create meta.%s: %v", name, err)
			}
		}
	}
	f(ctx, wh, project)
}
