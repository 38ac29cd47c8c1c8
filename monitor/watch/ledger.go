package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/googleapi"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
	"github.com/jobpulse/jobpulse/monitor/sample"
	"github.com/jobpulse/jobpulse/monitor/watchconfig"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// LedgerConfig configures the ledger watcher (see watchconfig.Ledger).
type LedgerConfig = watchconfig.Ledger

// ledgerQuery is sql/queries/monitor_pipeline_state.sql.
const ledgerQuery = "monitor_pipeline_state"

// statusFailed is the ledger status of a failed run (internal/pipeline.OutcomeFailed;
// not imported, to keep the pipeline's sources and notifiers out of the monitor).
const statusFailed = "failed"

// Opener opens the warehouse that holds the ledger. The ledger watcher opens it at every
// tick and closes it before returning, so that a DuckDB file is held only for a moment.
type Opener func(ctx context.Context) (warehouse.Warehouse, error)

// Ledger watches the run ledger (meta.pipeline_runs and meta.check_results) through the
// warehouse interface, so it reads DuckDB and BigQuery alike.
//
// Per source it reports:
//   - pipeline_last_success_age_seconds{source}
//   - pipeline_last_run_failed{source,run_id,step,error}: run_id, step and error name
//     the newest failed run of the source (empty if the ledger holds none), and the
//     value says whether that run is still the newest. The labels therefore change only
//     when another run fails: one series per source at a time, and a later success turns
//     the same series to 0, which is what resolves its alert. error is the first line
//     of the run's error, at most MaxReasonLen runes, URL query strings removed.
//   - pipeline_last_run_timestamp_seconds{source,status} (sources that ran)
//   - pipeline_failed_error_checks{source}
//
// A locked DuckDB file (a pipeline is writing), a missing database file or missing
// ledger tables (the pipeline never ran) are NoData, not failures: the reason is logged.
type Ledger struct {
	cfg     LedgerConfig
	open    Opener
	project *models.Project
	now     func() time.Time
	started time.Time
	log     *slog.Logger

	mu sync.Mutex
	// noData is the previous tick's NoData reason, "" if it had data: a reason is
	// logged at Info when it appears, not at every tick.
	noData string
	// stale holds the sources that were past the window at the previous tick.
	stale map[string]bool
}

// NewLedger returns a ledger watcher reading the warehouse that open returns. now is the
// clock (time.Now); the watcher's start is cfg.Since, or else the clock's first reading.
func NewLedger(cfg LedgerConfig, open Opener, now func() time.Time, logger *slog.Logger) (*Ledger, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("ledger watcher config: %w", err)
	}
	if open == nil || now == nil {
		return nil, errors.New("ledger watcher: open and now are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		return nil, fmt.Errorf("ledger watcher: load sql/: %w", err)
	}
	// Fail at start, not at the first tick, if the query is missing or does not render.
	if _, err := project.Query(ledgerQuery, models.StaticTarget{D: warehouse.DuckDB}); err != nil {
		return nil, fmt.Errorf("ledger watcher: %w", err)
	}
	started := cfg.Since
	if started.IsZero() {
		started = now()
	}
	return &Ledger{
		cfg:     cfg.WithDefaults(),
		open:    open,
		project: project,
		now:     now,
		started: started,
		log:     logger.With("collector", "pipeline_ledger"),
		stale:   map[string]bool{},
	}, nil
}

// Name implements the monitor's collector interface.
func (l *Ledger) Name() string { return "pipeline_ledger" }

// Collect reads the ledger once.
func (l *Ledger) Collect(ctx context.Context) sample.Result {
	start := l.now()
	res := l.collect(ctx, start)
	res.Collector = l.Name()
	res.Duration = l.now().Sub(start)
	return res
}

func (l *Ledger) collect(ctx context.Context, now time.Time) sample.Result {
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	defer cancel()
	wh, err := l.open(ctx)
	switch {
	case errors.Is(err, warehouse.ErrLocked):
		return l.noDataResult("the ledger is locked by another process (a running pipeline); reading it next tick", err)
	case errors.Is(err, fs.ErrNotExist):
		return l.noDataResult("no ledger database yet: the pipeline has not run here", err)
	case err != nil:
		return sample.Result{Err: fmt.Errorf("open the ledger: %w", err)}
	}
	defer func() {
		if err := wh.Close(); err != nil {
			l.log.Warn("close the ledger", "err", err)
		}
	}()
	q, err := l.project.Query(ledgerQuery, wh)
	if err != nil {
		return sample.Result{Err: fmt.Errorf("render %s: %w", ledgerQuery, err)}
	}
	params := []warehouse.Param{
		{Name: "failed_status", Value: statusFailed},
		{Name: "working_statuses", Value: []string{lake.OutcomeSuccess, lake.OutcomeNoNewPostings}},
		{Name: "error_severity", Value: models.SeverityError},
		{Name: "pass_status", Value: models.StatusPass},
	}
	rows, _, err := wh.Query(ctx, q, params, warehouse.Options{Step: ledgerQuery})
	if err != nil {
		if missingTable(err) {
			return l.noDataResult("the ledger tables do not exist yet: the pipeline has not run", err)
		}
		return sample.Result{Err: fmt.Errorf("read the ledger: %w", err)}
	}
	states, err := parseSourceStates(rows)
	if err != nil {
		return sample.Result{Err: fmt.Errorf("read the ledger: %w", err)}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.noData != "" {
		l.log.Info("the ledger is readable again")
		l.noData = ""
	}
	return sample.Result{Samples: l.samples(states, now)}
}

// noDataResult reports a tick without data; the reason is logged at Info when it
// changes and at Debug otherwise, so a long pipeline run does not flood the log.
func (l *Ledger) noDataResult(reason string, err error) sample.Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	level := slog.LevelDebug
	if reason != l.noData {
		level = slog.LevelInfo
	}
	l.noData = reason
	l.log.Log(context.Background(), level, "no ledger data this tick", "reason", reason, "err", err)
	return sample.Result{NoData: true}
}

// sourceState is one row of monitor_pipeline_state.sql.
type sourceState struct {
	source          string
	runID, status   string
	startedAt       time.Time
	finishedAt      time.Time // zero if NULL
	lastSuccessAt   time.Time // zero if the source never worked
	failedChecks    int64
	failedRunID     string
	failedStep      string
	failedError     string
	newestRunFailed bool
}

func parseSourceStates(rows *warehouse.Rows) ([]sourceState, error) {
	col := map[string]int{}
	for i, c := range rows.Columns {
		col[strings.ToLower(c)] = i
	}
	for _, c := range []string{"source", "run_id", "status", "started_at", "finished_at", "last_success_at", "failed_error_checks", "failed_run_id", "failed_step", "failed_error"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s returned no column %s", ledgerQuery, c)
		}
	}
	out := make([]sourceState, 0, len(rows.Values))
	for _, v := range rows.Values {
		s := sourceState{
			source:        str(v[col["source"]]),
			runID:         str(v[col["run_id"]]),
			status:        str(v[col["status"]]),
			startedAt:     ts(v[col["started_at"]]),
			finishedAt:    ts(v[col["finished_at"]]),
			lastSuccessAt: ts(v[col["last_success_at"]]),
			failedRunID:   str(v[col["failed_run_id"]]),
			failedStep:    str(v[col["failed_step"]]),
			failedError:   str(v[col["failed_error"]]),
		}
		n, ok := v[col["failed_error_checks"]].(int64)
		if !ok {
			return nil, fmt.Errorf("%s: failed_error_checks of %s is %T, want an integer", ledgerQuery, s.source, v[col["failed_error_checks"]])
		}
		s.failedChecks = n
		if s.source == "" {
			continue // a row without a source names no series
		}
		s.newestRunFailed = s.status == statusFailed
		out = append(out, s)
	}
	return out, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func ts(v any) time.Time {
	t, _ := v.(time.Time)
	return t
}

// samples turns the ledger's rows into samples, adding the configured sources that
// have no run yet. l.mu is held.
func (l *Ledger) samples(states []sourceState, now time.Time) []sample.Sample {
	bySource := map[string]sourceState{}
	for _, s := range states {
		bySource[s.source] = s
	}
	for _, src := range l.cfg.Sources {
		if _, ok := bySource[src]; !ok {
			bySource[src] = sourceState{source: src}
		}
	}
	var out []sample.Sample
	for _, src := range slices.Sorted(maps.Keys(bySource)) {
		s := bySource[src]
		since := s.lastSuccessAt
		if since.IsZero() {
			since = l.started
		}
		age := max(now.Sub(since), 0)
		l.logStale(src, age)
		failed := 0.0
		if s.newestRunFailed {
			failed = 1
		}
		out = append(out,
			sample.Sample{Name: MetricLastSuccessAge, Labels: map[string]string{"source": src}, Value: age.Seconds()},
			sample.Sample{Name: MetricLastRunFailed, Labels: map[string]string{
				"source": src, "run_id": s.failedRunID, "step": s.failedStep, "error": labelText(s.failedError),
			}, Value: failed},
			sample.Sample{Name: MetricFailedErrorChecks, Labels: map[string]string{"source": src}, Value: float64(s.failedChecks)},
		)
		if s.runID != "" {
			at := s.finishedAt
			if at.IsZero() {
				at = s.startedAt
			}
			out = append(out, sample.Sample{Name: MetricLastRunTimestamp, Labels: map[string]string{"source": src, "status": s.status}, Value: float64(at.UnixMilli()) / 1000})
		}
	}
	return out
}

// logStale logs a source crossing the window, either way. l.mu is held.
func (l *Ledger) logStale(source string, age time.Duration) {
	stale := age > l.cfg.Window
	if stale == l.stale[source] {
		return
	}
	l.stale[source] = stale
	if stale {
		l.log.Warn("no working pipeline run within the window", "source", source, "age", age.Round(time.Second), "window", l.cfg.Window)
	} else {
		l.log.Info("the pipeline works again", "source", source, "age", age.Round(time.Second))
	}
}

// missingTable reports an error that means the ledger tables (or their schema/dataset)
// do not exist yet, in either engine's words.
func missingTable(err error) bool {
	if duckdbMissingTable(err) {
		return true
	}
	notFound := func(msg string) bool {
		return strings.Contains(msg, "Not found: Table") || strings.Contains(msg, "Not found: Dataset")
	}
	var je *bigquery.JobError
	if errors.As(err, &je) {
		return je.Reason == "notFound" && notFound(je.Message)
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code == http.StatusNotFound && notFound(ge.Message)
	}
	return false
}
