package main

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/gcs"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// processor bundles what processing needs, opened once per command.
type processor struct {
	notify  notify.Notifier
	store   lake.Store
	wh      warehouse.Warehouse
	project *models.Project
	proc    *pipeline.Process
	ledger  pipeline.Ledger
	close   func()
}

func (a *app) openProcessor(ctx context.Context) (*processor, error) {
	store, closeStore, err := gcs.Open(ctx, a.cfg.lakeURL())
	if err != nil {
		return nil, fmt.Errorf("open lake: %w", err)
	}
	wh, err := a.openWarehouse(ctx, false)
	if err != nil {
		closeStore()
		return nil, fmt.Errorf("open warehouse: %w", err)
	}
	project, err := loadProject()
	if err != nil {
		closeStore()
		wh.Close()
		return nil, err
	}
	n, err := a.notifier(store)
	if err != nil {
		closeStore()
		wh.Close()
		return nil, err
	}
	runner := &models.Runner{WH: wh, Project: project, Logger: a.logger, CheckTimeout: a.cfg.CheckTimeout}
	return &processor{
		notify: n, store: store, wh: wh, project: project,
		proc:   &pipeline.Process{Store: store, Runner: runner, Logger: a.logger, Now: time.Now},
		ledger: pipeline.Ledger{WH: wh, Project: project},
		close:  func() { wh.Close(); closeStore() },
	}, nil
}

// runPipeline is `jobpulse run`: for each source, collect, then process what was
// committed. A failed source does not stop the others; the run fails if any did.
func (a *app) runPipeline(ctx context.Context) error {
	p, err := a.openProcessor(ctx)
	if err != nil {
		return err
	}
	defer p.close()
	var errs []error
	for _, source := range a.sourcesToRun() {
		err := a.runSource(ctx, p, source)
		var ue *usageError
		if errors.As(err, &ue) {
			return err
		}
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return errors.Join(errs...)
}

// runSource collects one source and processes the run it committed, recording the
// ledger and announcing the outcome.
func (a *app) runSource(ctx context.Context, p *processor, source string) error {
	started := time.Now().UTC()
	cr, demo, cerr := a.collect(ctx, p.store, source)
	var ue *usageError
	if errors.As(cerr, &ue) {
		return cerr
	}
	if cr.Outcome == pipeline.OutcomeNotDue || cr.Outcome == outcomeSkipped {
		return nil // nothing ran: no ledger row, no message
	}
	rec := pipeline.RunRecord{RunID: cr.RunID, Source: source, Status: cr.Outcome, StartedAt: started, Demo: demo,
		Pages: int64(cr.Pages), APICalls: int64(cr.Calls), RawRecords: int64(cr.Records), DistinctIDs: int64(cr.DistinctIDs)}
	if !cr.Window.To.IsZero() {
		rec.Window = &[2]time.Time{cr.Window.From, cr.Window.To}
	}
	if cr.ManifestURL == "" { // nothing committed: record the outcome and stop
		if cerr != nil {
			rec.StepFailed, rec.Error = pipeline.StepCollect, cerr.Error()
		}
		rec.FinishedAt = time.Now().UTC()
		if rec.RunID != "" {
			if err := p.ledger.Record(ctx, rec, nil); err != nil {
				a.logger.ErrorContext(ctx, "could not write the ledger", "err", err)
			}
			rec.APICalls = a.quotaUsedToday(ctx, p.store, source, rec.APICalls)
			a.announce(p.notify, pipeline.Summary(rec, &cr, nil, a.quotaLimit(source), nil, cerr))
		}
		return cerr
	}
	return a.process(ctx, p, lake.RawManifest(cr.Source, cr.DT, cr.RunID), rec, &cr, cerr)
}

// quotaLimit is the daily call quota the message shows for source; 0 when it has none
// that jobpulse counts.
func (a *app) quotaLimit(source string) int {
	if source == pipeline.SourceSaramin {
		return a.cfg.Saramin.DailyQuota
	}
	return 0
}

// quotaUsedToday is the key's calls today from the lake's quota state (what the
// message's "calls today" means), falling back to the run's own calls.
func (a *app) quotaUsedToday(ctx context.Context, store lake.Store, source string, fallback int64) int64 {
	if source != pipeline.SourceSaramin {
		return fallback
	}
	st, err := lake.NewBudget(store, pipeline.SourceSaramin, a.cfg.Saramin.DailyQuota, saramin.KST, time.Now).State(ctx)
	if err != nil || st.Calls == 0 {
		return fallback
	}
	return int64(st.Calls)
}

// process runs the process step for one committed raw run, records the ledger and
// prints the summary. collectErr is a collect failure after the manifest was written.
func (a *app) process(ctx context.Context, p *processor, manifest string, rec pipeline.RunRecord, cr *pipeline.CollectResult, collectErr error) error {
	pr, err := p.proc.Run(ctx, manifest)
	rec.Quarantined = int64(pr.Quarantined)
	rec.Counts = pr.Counts
	rec.ChecksPassed, rec.ChecksWarned, rec.ChecksFailed = pipeline.Tally(pr.Checks())
	rec.BytesProcessed = pr.Bytes
	rec.FinishedAt = time.Now().UTC()
	switch {
	case collectErr != nil:
		rec.Status, rec.StepFailed, rec.Error = pipeline.OutcomeFailed, pipeline.StepCollect, collectErr.Error()
	case err != nil:
		rec.Status, rec.StepFailed, rec.Error = pipeline.OutcomeFailed, pr.FailedStep, err.Error()
	}
	printProcess(a.stdout, pr)
	lerr := p.ledger.Record(ctx, rec, pr.Checks())
	if lerr != nil {
		lerr = fmt.Errorf("write the ledger: %w", lerr)
	}
	var top []pipeline.SkillCount
	if err == nil && rec.Source == pipeline.SourceSaramin {
		if top, err = p.proc.TopSkills(ctx, rec.RunID); err != nil {
			a.logger.WarnContext(ctx, "could not rank the run's skills", "err", err)
			err = nil
		}
	}
	if lerr != nil && rec.StepFailed == "" {
		rec.StepFailed = pipeline.StepLedger
	}
	runErr := errors.Join(collectErr, err, lerr)
	rec.APICalls = a.quotaUsedToday(ctx, p.store, rec.Source, rec.APICalls)
	a.announce(p.notify, pipeline.Summary(rec, cr, &pr, a.quotaLimit(rec.Source), top, runErr))
	return runErr
}

func newProcessCmd(a *app) *cobra.Command {
	var runID string
	cmd := &cobra.Command{
		Use:   "process --run RUN_ID",
		Short: "Process one collected run into the warehouse (no API calls)",
		Long: `Process re-reads a committed raw run from the lake, normalizes it into clean NDJSON and
builds every warehouse layer behind its checks. Processing a run again replaces exactly
its own output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd); err != nil {
				return err
			}
			if runID == "" {
				return &usageError{err: errors.New("--run is required"), hint: "List runs with 'jobpulse runs'."}
			}
			ctx := commandContext(cmd)
			p, manifests, err := a.committedRuns(ctx)
			if err != nil {
				return err
			}
			defer p.close()
			for _, m := range manifests {
				if _, _, id, ok := lake.ParseRunPath(m); ok && id == runID {
					return a.processManifest(ctx, p, m)
				}
			}
			return &usageError{err: fmt.Errorf("no committed run %s in %s", runID, p.store.URL("raw/"))}
		},
	}
	cmd.Flags().StringVar(&runID, "run", "", "run id, e.g. 20261121T103000Z-saramin-3f9a1c")
	return cmd
}

// committedRuns opens the processor and lists the committed raw runs in run order.
func (a *app) committedRuns(ctx context.Context) (*processor, []string, error) {
	p, err := a.openProcessor(ctx)
	if err != nil {
		return nil, nil, err
	}
	var manifests []string
	for _, source := range allSources {
		ms, err := lake.ListManifests(ctx, p.store, source)
		if err != nil {
			p.close()
			return nil, nil, err
		}
		manifests = append(manifests, ms...)
	}
	// Run ids sort by time; dt partitions could disagree at midnight.
	slices.SortFunc(manifests, func(x, y string) int { return strings.Compare(path.Base(path.Dir(x)), path.Base(path.Dir(y))) })
	return p, manifests, nil
}

// processManifest processes a run found in the lake, with the ledger row rebuilt from
// its raw manifest.
func (a *app) processManifest(ctx context.Context, p *processor, name string) error {
	m, err := lake.ReadManifest(ctx, p.store, name)
	if err != nil {
		return err
	}
	_, demoErr := p.store.Get(ctx, demoMarker)
	rec := pipeline.RunRecord{RunID: m.RunID, Source: m.Source, Status: m.Outcome, StartedAt: time.Now().UTC(),
		Demo: demoErr == nil, Pages: int64(len(m.Pages)), APICalls: int64(m.Calls), RawRecords: int64(m.Records), DistinctIDs: int64(m.DistinctIDs)}
	if m.Window != nil {
		rec.Window = &[2]time.Time{m.Window.From, m.Window.To}
	}
	return a.process(ctx, p, name, rec, nil, nil)
}

func newReplayCmd(a *app) *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "replay --from YYYY-MM-DD --to YYYY-MM-DD",
		Short: "Rebuild clean data and every layer from raw runs, without calling any API",
		Long: `Replay processes every committed raw run whose dt partition lies in [from, to], in run
order: clean NDJSON is rebuilt from the raw pages and each layer is rebuilt behind its
checks. It is the recovery path after a schema change or a bug fix.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd); err != nil {
				return err
			}
			var errs []error
			for _, d := range []struct{ flag, v string }{{"--from", from}, {"--to", to}} {
				if _, err := time.Parse("2006-01-02", d.v); err != nil {
					errs = append(errs, fmt.Errorf("%s %q: want YYYY-MM-DD", d.flag, d.v))
				}
			}
			if len(errs) == 0 && from > to {
				errs = append(errs, fmt.Errorf("--from %s is after --to %s", from, to))
			}
			if len(errs) > 0 {
				return &usageError{err: errors.Join(errs...)}
			}
			ctx := commandContext(cmd)
			p, manifests, err := a.committedRuns(ctx)
			if err != nil {
				return err
			}
			defer p.close()
			n := 0
			for _, m := range manifests {
				if _, dt, _, ok := lake.ParseRunPath(m); ok && dt >= from && dt <= to {
					n++
					if err := a.processManifest(ctx, p, m); err != nil {
						return fmt.Errorf("replay stopped at %s: %w", m, err)
					}
				}
			}
			fmt.Fprintf(a.stdout, "replayed %d runs from %s to %s\n", n, from, to)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first dt partition to replay (YYYY-MM-DD, UTC run date)")
	cmd.Flags().StringVar(&to, "to", "", "last dt partition to replay")
	return cmd
}
