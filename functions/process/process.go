// Package process holds the CloudEvent function that turns a committed raw run into
// the BigQuery layers when its manifest lands in the lake. Delivery is at least once:
// a run the ledger already holds as finished is not processed again, permanent
// failures are reported and acknowledged, transient ones are returned for a retry.
package process

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/jobpulse/jobpulse/functions/environ"
	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// FinalizedType is the CloudEvent type of a new GCS object (Eventarc, Cloud Storage).
const FinalizedType = "google.cloud.storage.object.v1.finalized"

// StorageObject is the data of a Cloud Storage object event: the fields of
// google.events.cloud.storage.v1.StorageObjectData this function reads. The int64
// fields arrive as JSON strings.
type StorageObject struct {
	Bucket         string    `json:"bucket"`
	Name           string    `json:"name"`
	Size           int64     `json:"size,string"`
	Generation     int64     `json:"generation,string"`
	Metageneration int64     `json:"metageneration,string"`
	ContentType    string    `json:"contentType"`
	TimeCreated    time.Time `json:"timeCreated"`
}

// Handler is the ProcessRun function.
type Handler struct {
	env environ.Env
}

// New returns the handler of ProcessRun.
func New(env environ.Env) *Handler { return &Handler{env: env} }

// ProcessRun processes the raw run whose _MANIFEST.json the event announces and
// ignores, with a log line, every other object of the bucket. It returns an error only
// when a retry may succeed (storage or BigQuery unavailable, a wrong configuration
// fixed by a redeploy); a permanent failure — a malformed manifest, a failed
// error-severity check — is recorded, announced and acknowledged with nil.
func (h *Handler) ProcessRun(ctx context.Context, e event.Event) error {
	s, cerr := environ.Load(h.env.Getenv, environ.Need{Warehouse: true})
	log := h.env.Logger(s).With("function", "ProcessRun", "execution_id", e.ID())
	if e.Type() != FinalizedType {
		log.InfoContext(ctx, "ignored: not an object finalize event", "type", e.Type())
		return nil
	}
	var obj StorageObject
	if err := e.DataAs(&obj); err != nil {
		// Redelivering the same bytes cannot help.
		log.ErrorContext(ctx, "dropped an event whose data is not a storage object", "err", err.Error(), "subject", e.Subject())
		return nil
	}
	log = log.With("event_object", "gs://"+obj.Bucket+"/"+obj.Name, "generation", obj.Generation)
	if path.Base(obj.Name) != manifestFile {
		log.InfoContext(ctx, "ignored: not a run manifest")
		return nil
	}
	if s.Lake.Bucket == "" {
		return h.misconfigured(ctx, log, cerr)
	}
	name, ok := lakeName(s.Lake, obj)
	source, dt, runID, isRun := lake.ParseRunPath(name)
	if !ok || !isRun || name != lake.RawManifest(source, dt, runID) {
		log.InfoContext(ctx, "ignored: not a raw run manifest of this function's lake", "lake", s.LakeURL)
		return nil
	}
	if !processes(source) {
		log.WarnContext(ctx, "ignored: no processing for this source", "source", source, "run_id", runID)
		return nil
	}
	if cerr != nil {
		return h.misconfigured(ctx, log.With("run_id", runID), cerr)
	}
	return h.process(ctx, s, log, name, source, runID)
}

// processes reports whether this function processes the runs of source: those the
// collect functions write (pipeline.Process dispatches on the manifest's source).
func processes(source string) bool {
	switch source {
	case pipeline.SourceSaramin, pipeline.SourceTrends, pipeline.SourceQnet:
		return true
	}
	return false
}

// manifestFile is the file name of a run's commit marker (lake.RawManifest).
const manifestFile = "_MANIFEST.json"

// lakeName maps an object of the event to its name in the lake, false when the
// object lies outside the lake (another bucket, or outside the lake's prefix).
func lakeName(loc lake.Location, obj StorageObject) (string, bool) {
	if obj.Bucket != loc.Bucket {
		return "", false
	}
	if loc.Prefix == "" {
		return obj.Name, true
	}
	return strings.CutPrefix(obj.Name, loc.Prefix+"/")
}

// misconfigured logs a configuration error and returns it, so that the event is
// retried: a redeploy with the fix then processes the run.
func (h *Handler) misconfigured(ctx context.Context, log *slog.Logger, cerr error) error {
	log.ErrorContext(ctx, "invalid configuration; fix the function's environment variables and redeploy (the event is retried meanwhile)", "err", cerr.Error())
	return fmt.Errorf("invalid configuration: %w", cerr)
}

// run is what processing one run opens.
type run struct {
	store  lake.Store
	ledger pipeline.Ledger
	proc   *pipeline.Process
	notify notify.Notifier
}

// open opens the lake and the warehouse. base is the invocation's logger for the
// pipeline's steps, which add the run's attributes themselves; log has them already.
func (h *Handler) open(ctx context.Context, s environ.Settings, base, log *slog.Logger) (*run, func(), error) {
	project, err := models.Load(sqlfiles.FS)
	if err != nil {
		return nil, nil, fmt.Errorf("load sql/: %w", err)
	}
	store, closeStore, err := h.env.OpenLake(ctx, s.LakeURL)
	if err != nil {
		return nil, nil, fmt.Errorf("open lake: %w", err)
	}
	wh, err := bigquery.New(ctx, *s.Warehouse, h.env.BigQuery...)
	if err != nil {
		closeStore()
		return nil, nil, fmt.Errorf("open warehouse: %w", err)
	}
	runner := &models.Runner{WH: wh, Project: project, Logger: log, CheckTimeout: s.CheckTimeout}
	r := &run{
		store:  store,
		ledger: pipeline.Ledger{WH: wh, Project: project},
		proc:   &pipeline.Process{Store: store, Runner: runner, Logger: base, Now: h.env.Now},
		notify: h.env.Notifier(s, store, log),
	}
	return r, func() { wh.Close(); closeStore() }, nil
}

func (h *Handler) process(ctx context.Context, s environ.Settings, base *slog.Logger, manifest, source, runID string) error {
	log := base.With("run_id", runID, "source", source)
	r, closeRun, err := h.open(ctx, s, base, log)
	if err != nil {
		return h.setupFailed(ctx, log, err)
	}
	defer closeRun()

	switch status, found, err := r.ledger.Status(ctx, runID); {
	case err != nil:
		return h.setupFailed(ctx, log, fmt.Errorf("read the ledger: %w", err))
	case found && status != pipeline.OutcomeFailed:
		log.InfoContext(ctx, "run already processed; nothing to do", "status", status)
		return nil
	case found:
		log.InfoContext(ctx, "processing a run that failed before")
	}

	started := h.env.Now().UTC()
	m, err := lake.ReadManifest(ctx, r.store, manifest)
	if err == nil {
		err = checkManifest(m, manifest)
	}
	if err != nil {
		if Retryable(err) {
			log.ErrorContext(ctx, "could not read the manifest; the event is retried", "err", err.Error())
			return err
		}
		rec := pipeline.RunRecord{RunID: runID, Source: source, Status: pipeline.OutcomeFailed, StartedAt: started,
			StepFailed: pipeline.StepNormalize, Error: pipeline.FirstLine(err.Error()), FinishedAt: h.env.Now().UTC()}
		return h.finish(ctx, s, log, r, rec, nil, nil, err)
	}

	rec := pipeline.RunRecord{RunID: m.RunID, Source: m.Source, Status: m.Outcome, StartedAt: started,
		Pages: int64(len(m.Pages)), APICalls: int64(m.Calls), RawRecords: int64(m.Records), DistinctIDs: int64(m.DistinctIDs)}
	if m.Window != nil {
		rec.Window = &[2]time.Time{m.Window.From, m.Window.To}
	}
	log.InfoContext(ctx, "processing", "outcome", m.Outcome, "pages", len(m.Pages), "records", m.Records)
	pr, err := r.proc.Run(ctx, manifest)
	rec.Quarantined = int64(pr.Quarantined)
	rec.Counts = pr.Counts
	rec.ChecksPassed, rec.ChecksWarned, rec.ChecksFailed = pipeline.Tally(pr.Checks())
	rec.BytesProcessed = pr.Bytes
	rec.FinishedAt = h.env.Now().UTC()
	if err != nil {
		rec.Status, rec.StepFailed, rec.Error = pipeline.OutcomeFailed, pr.FailedStep, pipeline.FirstLine(err.Error())
	}
	return h.finish(ctx, s, log, r, rec, &pr, m.Window, err)
}

// finish writes the ledger and, once the outcome is final, sends the run's message. A
// transient failure is returned for a retry, which will write both again.
func (h *Handler) finish(ctx context.Context, s environ.Settings, log *slog.Logger, r *run, rec pipeline.RunRecord, pr *pipeline.ProcessResult, window *lake.Window, runErr error) error {
	var checks []models.CheckResult
	if pr != nil {
		checks = pr.Checks()
	}
	rec.Error = environ.NewRedactor(h.env.Getenv).String(rec.Error)
	lerr := r.ledger.Record(ctx, rec, checks)
	if lerr != nil {
		lerr = fmt.Errorf("write the ledger: %w", lerr)
	}
	if Retryable(runErr) || Retryable(lerr) {
		err := errors.Join(runErr, lerr)
		log.ErrorContext(ctx, "processing failed on a transient error; the event is retried", "step", rec.StepFailed, "err", err.Error())
		return err
	}
	if lerr != nil {
		log.ErrorContext(ctx, "could not write the ledger", "err", lerr.Error())
	}

	var top []pipeline.SkillCount
	if runErr == nil {
		var err error
		if top, err = r.proc.TopSkills(ctx, rec.RunID); err != nil {
			log.WarnContext(ctx, "could not rank the run's skills", "err", err.Error())
		}
	}
	var cr *pipeline.CollectResult
	if window != nil {
		// The message of an empty run says since when nothing was published.
		cr = &pipeline.CollectResult{Window: *window}
	}
	quota := 0 // jobpulse counts the calls of Saramin's key only
	if rec.Source == pipeline.SourceSaramin {
		quota = s.Saramin.DailyQuota
	}
	environ.Announce(ctx, r.notify, pipeline.Summary(rec, cr, pr, quota, top, errors.Join(runErr, lerr)), log)
	if runErr != nil {
		log.ErrorContext(ctx, "run failed; not retried: fix the cause, then re-process it with `jobpulse process --run "+rec.RunID+"`",
			"step", rec.StepFailed, "err", runErr.Error())
		return nil
	}
	log.InfoContext(ctx, "processed", "status", rec.Status, "staging_rows", rec.Counts.StagingRows,
		"external_upserts", rec.Counts.ExternalUpserts, "rejected_rows", rec.Counts.RejectedRows, "core_rows", rec.Counts.CoreRows,
		"checks_passed", rec.ChecksPassed, "checks_warned", rec.ChecksWarned, "bytes_processed", rec.BytesProcessed)
	return nil
}

// setupFailed handles a failure before processing began: transient ones are retried,
// the rest are logged and acknowledged.
func (h *Handler) setupFailed(ctx context.Context, log *slog.Logger, err error) error {
	if Retryable(err) {
		log.ErrorContext(ctx, "could not start processing; the event is retried", "err", err.Error())
		return err
	}
	log.ErrorContext(ctx, "could not start processing; not retried", "err", err.Error())
	return nil
}

// checkManifest rejects a manifest that is invalid or describes another run than the
// one its path names.
func checkManifest(m lake.Manifest, name string) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("manifest %s: %w", name, err)
	}
	if want := lake.RawManifest(m.Source, m.DT, m.RunID); want != name {
		return fmt.Errorf("manifest %s describes run %s of %s on %s, which belongs at %s", name, m.RunID, m.Source, m.DT, want)
	}
	return nil
}
