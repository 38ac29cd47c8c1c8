package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/normalize"
	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Steps a run can fail in.
const (
	StepCollect   = "collect"
	StepNormalize = "normalize"
	StepLedger    = "ledger"
)

// Process turns one committed raw run into the warehouse layers: normalize into clean
// NDJSON, then meta → staging → external → core, each gated by its checks.
type Process struct {
	Store  lake.Store
	Runner *models.Runner
	Logger *slog.Logger
	Now    func() time.Time
}

// ProcessResult is what processing one run did.
type ProcessResult struct {
	Source      string
	RunID       string
	DT          string
	RawRecords  int
	CleanRows   int
	Quarantined int
	Drift       []normalize.Drift
	Counts      RunCounts
	Layers      []models.LayerResult
	// FailedStep is empty on success; a layer name when its build failed or an
	// error-severity check blocked promotion.
	FailedStep string
	Bytes      int64
	Duration   time.Duration
}

// RunCounts are the run's rows across the layers.
type RunCounts struct {
	StagingRows, ExternalUpserts, RejectedRows, DuplicateRows, ExternalRows, CoreRows int64
	// NewPostings are upserts the external layer did not hold before the run; the rest
	// of ExternalUpserts were updates (or unchanged re-reads).
	NewPostings int64
}

// Checks returns every check result of the run.
func (r ProcessResult) Checks() []models.CheckResult {
	var out []models.CheckResult
	for _, l := range r.Layers {
		out = append(out, l.Checks...)
	}
	return out
}

// normalizers turn a source's raw run into clean NDJSON.
var normalizers = map[string]func(context.Context, lake.Store, string, normalize.Options) (normalize.Result, error){
	SourceSaramin: normalize.SaraminRun,
	SourceTrends:  normalize.TrendsRun,
	SourceQnet:    normalize.QnetRun,
}

// Run processes the raw run whose manifest is manifestName. Re-running it replaces
// exactly this run's clean data, rejects and ledger rows; merges are idempotent.
func (p *Process) Run(ctx context.Context, manifestName string) (res ProcessResult, err error) {
	start := time.Now()
	defer func() { res.Duration = time.Since(start) }()
	m, err := lake.ReadManifest(ctx, p.Store, manifestName)
	if err != nil {
		res.FailedStep = StepNormalize
		return res, fmt.Errorf("process: %w", err)
	}
	res.Source, res.RunID, res.DT, res.RawRecords = m.Source, m.RunID, m.DT, m.Records
	log := p.Logger.With("source", m.Source, "run_id", m.RunID)

	normalizeRun, ok := normalizers[m.Source]
	if !ok {
		res.FailedStep = StepNormalize
		return res, fmt.Errorf("process %s: no normalizer for source %q", m.RunID, m.Source)
	}
	nr, err := normalizeRun(ctx, p.Store, manifestName, normalize.Options{Logger: log})
	if err != nil {
		res.FailedStep = StepNormalize
		return res, fmt.Errorf("process %s: normalize: %w", m.RunID, err)
	}
	res.CleanRows, res.Quarantined, res.Drift = nr.Rows, len(nr.Quarantined), nr.Drift
	if len(nr.Quarantined) > 0 {
		log.WarnContext(ctx, "raw pages quarantined during normalization; the raw-staging reconciliation will fail", "pages", len(nr.Quarantined))
	}

	v := models.Vars{Source: m.Source, RunID: m.RunID, DT: m.DT, RawRecords: int64(m.Records), ProcessedAt: p.Now().UTC().Truncate(time.Microsecond)}
	var before int64 = -1
	for _, layer := range warehouse.Datasets {
		if layer == "external" {
			before = p.externalRows(ctx, v) // 0 when the table does not exist yet
		}
		lr, err := p.Runner.BuildLayer(ctx, layer, v)
		res.Layers = append(res.Layers, lr)
		res.Bytes += lr.Bytes
		if err != nil {
			res.FailedStep = layer
			return res, fmt.Errorf("process %s: %w", m.RunID, err)
		}
		log.InfoContext(ctx, "layer built", "layer", layer, "models", len(lr.Models), "checks", len(lr.Checks), "duration", lr.Duration.String())
		if lr.Blocked() {
			res.FailedStep = layer
			var names []string
			for _, c := range lr.Checks {
				if c.Blocking() {
					names = append(names, c.Check.Name)
				}
			}
			res.Counts, _ = p.counts(ctx, v)
			return res, fmt.Errorf("process %s: %s checks failed, promotion stopped: %v", m.RunID, layer, names)
		}
	}
	if res.Counts, err = p.counts(ctx, v); err != nil {
		return res, fmt.Errorf("process %s: %w", m.RunID, err)
	}
	if before >= 0 {
		res.Counts.NewPostings = res.Counts.ExternalRows - before
	}
	return res, nil
}

func (p *Process) externalRows(ctx context.Context, v models.Vars) int64 {
	q, err := p.Runner.Project.Query("external_rows_"+v.Source, p.Runner.WH)
	if err != nil {
		return 0
	}
	rows, _, err := p.Runner.WH.Query(ctx, q, nil, warehouse.Options{Step: "external_rows", RunID: v.RunID})
	if err != nil || len(rows.Values) != 1 {
		return 0
	}
	n, _ := rows.Values[0][0].(int64)
	return n
}

// SkillCount is a skill and how many postings name it.
type SkillCount struct {
	Skill    string
	Postings int64
}

// TopSkills returns the skills most named by the postings the run brought in.
func (p *Process) TopSkills(ctx context.Context, runID string) ([]SkillCount, error) {
	q, err := p.Runner.Project.Query("top_skills_of_run", p.Runner.WH)
	if err != nil {
		return nil, err
	}
	rows, _, err := p.Runner.WH.Query(ctx, q, []warehouse.Param{{Name: "run_id", Value: runID}}, warehouse.Options{Step: "top_skills", RunID: runID})
	if err != nil {
		return nil, err
	}
	out := make([]SkillCount, 0, len(rows.Values))
	for _, r := range rows.Values {
		skill, _ := r[0].(string)
		n, _ := r[1].(int64)
		out = append(out, SkillCount{Skill: skill, Postings: n})
	}
	return out, nil
}

func (p *Process) counts(ctx context.Context, v models.Vars) (RunCounts, error) {
	var c RunCounts
	q, err := p.Runner.Project.Query("run_counts_"+v.Source, p.Runner.WH)
	if err != nil {
		return c, err
	}
	rows, _, err := p.Runner.WH.Query(ctx, q, []warehouse.Param{{Name: "run_id", Value: v.RunID}, {Name: "dt", Value: warehouse.Date(v.DT)}}, warehouse.Options{Step: "run_counts", RunID: v.RunID})
	if err != nil {
		return c, fmt.Errorf("count rows: %w", err)
	}
	if len(rows.Values) != 1 {
		return c, fmt.Errorf("count rows: no result")
	}
	get := func(i int) int64 { n, _ := rows.Values[0][i].(int64); return n }
	return RunCounts{StagingRows: get(0), ExternalUpserts: get(1), RejectedRows: get(2), DuplicateRows: get(3), ExternalRows: get(4), CoreRows: get(5)}, nil
}
