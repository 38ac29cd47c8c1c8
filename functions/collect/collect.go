// Package collect holds the HTTP functions that Cloud Scheduler calls to collect a
// source into the lake: CollectSaramin, CollectTrends and CollectCertifications, one
// handler type configured per source. Each call runs one collect step; the manifest it
// writes last triggers ProcessRun through Eventarc.
package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/functions/environ"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// Response is the JSON body a collector answers with.
type Response struct {
	RunID   string `json:"run_id,omitempty"`
	Outcome string `json:"outcome"`
	Pages   int    `json:"pages"`
	Records int    `json:"records"`
	// Manifest is the gs:// URL of the run's manifest; empty when none was written.
	Manifest string `json:"manifest,omitempty"`
	// NextDue is when a source that was not due will be collected again.
	NextDue *time.Time `json:"next_due,omitempty"`
	// Error is a short reason on failure, never a secret.
	Error string `json:"error,omitempty"`
}

// Outcomes of a request that ran no collect step.
const (
	OutcomeRejected      = "rejected"      // wrong method
	OutcomeMisconfigured = "misconfigured" // the function's environment is wrong
)

// step runs one collect of a source.
type step func(context.Context) (pipeline.CollectResult, error)

// source is what sets one collector apart from the others.
type source struct {
	function string // the entry point, as the logs name it
	name     string // the pipeline source, as the lake and the ledger name it
	need     environ.Need
	// open builds the collect step over store from validated settings.
	open func(env environ.Env, s environ.Settings, store lake.Store, log *slog.Logger) (step, error)
	// quota is the daily call quota a run's message shows; 0 when jobpulse counts none.
	quota func(environ.Settings) int
}

// Collector is one of the collect functions. Whatever the source, it answers 200 for
// the outcomes success, no_new_postings, quota_exhausted and not_due, 405 for anything
// but POST, and 500 when the configuration is wrong or the run failed.
type Collector struct {
	env environ.Env
	src source
}

// ServeHTTP runs one collect of the collector's source into the lake.
func (h *Collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s, cerr := environ.Load(h.env.Getenv, h.src.need)
	log := h.env.Logger(s).With("function", h.src.function, "execution_id", r.Header.Get("Function-Execution-Id"))
	red := environ.NewRedactor(h.env.Getenv)
	if r.Method != http.MethodPost {
		log.WarnContext(r.Context(), "rejected a request that is not a POST", "method", r.Method)
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, Response{Outcome: OutcomeRejected, Error: "method " + r.Method + " not allowed: Cloud Scheduler calls this function with POST"})
		return
	}
	if cerr != nil {
		log.ErrorContext(r.Context(), "invalid configuration; fix the function's environment variables and redeploy", "err", cerr.Error())
		reply(w, http.StatusInternalServerError, Response{Outcome: OutcomeMisconfigured, Error: red.String("invalid configuration: " + oneLine(cerr))})
		return
	}

	// The run goes on if the caller hangs up (Cloud Scheduler's attempt deadline may be
	// shorter than the collect), within the deadline the framework set.
	ctx := context.WithoutCancel(r.Context())
	if d, ok := r.Context().Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d)
		defer cancel()
	}
	res, err := h.collect(ctx, s, log)
	if err != nil {
		reply(w, http.StatusInternalServerError, Response{RunID: res.RunID, Outcome: pipeline.OutcomeFailed,
			Pages: res.Pages, Records: res.Records, Error: red.String(pipeline.FirstLine(err.Error()))})
		return
	}
	body := Response{RunID: res.RunID, Outcome: res.Outcome, Pages: res.Pages, Records: res.Records, Manifest: res.ManifestURL}
	if res.Outcome == pipeline.OutcomeNotDue {
		// A run that was not due exists nowhere: no pages, no ledger row, no message.
		body.RunID, body.NextDue = "", &res.NextDue
	}
	reply(w, http.StatusOK, body)
}

func (h *Collector) collect(ctx context.Context, s environ.Settings, log *slog.Logger) (pipeline.CollectResult, error) {
	store, closeStore, err := h.env.OpenLake(ctx, s.LakeURL)
	if err != nil {
		log.ErrorContext(ctx, "could not open the lake", "err", err.Error())
		return pipeline.CollectResult{Outcome: pipeline.OutcomeFailed}, fmt.Errorf("open lake: %w", err)
	}
	defer closeStore()
	run, err := h.src.open(h.env, s, store, log)
	if err != nil {
		log.ErrorContext(ctx, "could not set up the collect step", "err", err.Error())
		return pipeline.CollectResult{Outcome: pipeline.OutcomeFailed}, err
	}
	started := h.env.Now().UTC()
	res, err := run(ctx)
	if err != nil {
		log.ErrorContext(ctx, "collect failed", "run_id", res.RunID, "err", err.Error())
	}
	if res.ManifestURL == "" && (err != nil || res.Calls > 0) {
		// No manifest, so ProcessRun will not hear of this run: report it here. A run
		// that made no call (quota already spent, source not due) is not news.
		h.report(ctx, s, store, log, started, res, err)
	}
	return res, err
}

// report records a run that committed nothing in the ledger (when the warehouse is
// configured) and sends its message.
func (h *Collector) report(ctx context.Context, s environ.Settings, store lake.Store, log *slog.Logger, started time.Time, res pipeline.CollectResult, runErr error) {
	rec := pipeline.RunRecord{RunID: res.RunID, Source: h.src.name, Status: res.Outcome, StartedAt: started,
		Pages: int64(res.Pages), APICalls: int64(res.Calls), RawRecords: int64(res.Records), DistinctIDs: int64(res.DistinctIDs),
		FinishedAt: h.env.Now().UTC()}
	if !res.Window.To.IsZero() {
		rec.Window = &[2]time.Time{res.Window.From, res.Window.To}
	}
	if runErr != nil {
		rec.StepFailed, rec.Error = pipeline.StepCollect, environ.NewRedactor(h.env.Getenv).String(pipeline.FirstLine(runErr.Error()))
	}
	if rec.RunID == "" {
		return // failed before the run existed (the lake could not be opened)
	}
	log = log.With("run_id", rec.RunID)
	if s.Warehouse != nil {
		if err := h.record(ctx, *s.Warehouse, rec); err != nil {
			log.ErrorContext(ctx, "could not write the run to the ledger", "err", err.Error())
		}
	}
	environ.Announce(ctx, h.env.Notifier(s, store, log), pipeline.Summary(rec, &res, nil, h.src.quota(s), nil, runErr), log)
}

func (h *Collector) record(ctx context.Context, cfg bigquery.Config, rec pipeline.RunRecord) error {
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		return fmt.Errorf("load sql/: %w", err)
	}
	wh, err := bigquery.New(ctx, cfg, h.env.BigQuery...)
	if err != nil {
		return err
	}
	defer wh.Close()
	// The ledger table lives in the meta dataset, which a fresh project lacks until the
	// first run is processed.
	if err := wh.EnsureDatasets(ctx); err != nil {
		return err
	}
	return pipeline.Ledger{WH: wh, Project: project}.Record(ctx, rec, nil)
}

func reply(w http.ResponseWriter, status int, body Response) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// oneLine renders an errors.Join result on one line, problems separated by "; ".
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }
