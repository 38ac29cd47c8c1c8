package pipeline_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/models"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// landRun writes pages and a committed manifest for a run, as the collector would.
func landRun(t testing.TB, store lake.Store, runID string, pages ...[]byte) string {
	t.Helper()
	ctx := context.Background()
	m := lake.Manifest{Source: "saramin", RunID: runID, DT: start.Format("2006-01-02"), StartedAt: start, FinishedAt: start,
		Outcome: lake.OutcomeSuccess, Calls: len(pages)}
	for i, p := range pages {
		var env struct {
			Jobs struct {
				Job []json.RawMessage `json:"job"`
			} `json:"jobs"`
		}
		if err := json.Unmarshal(p, &env); err != nil {
			t.Fatal(err)
		}
		name := lake.RawPage("saramin", m.DT, runID, i+1)
		if _, err := store.Put(ctx, name, p, lake.IfAbsent()); err != nil {
			t.Fatal(err)
		}
		m.Pages = append(m.Pages, lake.NewPageEntry(strings.TrimPrefix(name, lake.RawRunPrefix("saramin", m.DT, runID)), p, len(env.Jobs.Job), nil))
		m.Records += len(env.Jobs.Job)
	}
	name, err := lake.WriteManifest(ctx, store, m)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// plantDefects edits a page's jobs: the functions get each job as a generic map.
func plantDefects(t *testing.T, page []byte, edits map[int]func(job map[string]any)) []byte {
	t.Helper()
	var env map[string]map[string]any
	if err := json.Unmarshal(page, &env); err != nil {
		t.Fatal(err)
	}
	jobs := env["jobs"]["job"].([]any)
	for i, f := range edits {
		f(jobs[i].(map[string]any))
	}
	out, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestProcess_plantedDefects(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t, nil)
	ps := generate(t, start.Add(-24*time.Hour), start, 300)
	var it []saramintest.Posting
	for _, p := range ps {
		if p.JobMids[0].Code == "2" {
			it = append(it, p)
		}
	}
	page := saramintest.PageJSON(it[:20], 0, 20, start)
	page = plantDefects(t, page, map[int]func(map[string]any){
		0: func(j map[string]any) { delete(j, "id") },
		1: func(j map[string]any) { j["posting-timestamp"] = "abc" },
		2: func(j map[string]any) {
			j["position"].(map[string]any)["industry"] = map[string]any{"code": "999", "name": "미지의 업종"}
		},
		3: func(j map[string]any) { j["id"] = it[4].ID }, // the same id twice in one batch, older version
		4: func(j map[string]any) { j["modification-timestamp"] = "2000000000" },
	})
	manifest := landRun(t, e.local, "20261117T010000Z-saramin-defect", page)
	pr, err := e.proc.Run(context.Background(), manifest)
	if err != nil {
		t.Fatalf("row defects must not fail the run: %v", err)
	}

	reasons := e.query(t, "SELECT row_in_page, reason FROM external.saramin_postings_rejected ORDER BY row_in_page")
	if len(reasons) != 2 || reasons[0][0] != int64(0) || reasons[0][1] != "missing posting id" ||
		reasons[1][0] != int64(1) || !strings.HasPrefix(reasons[1][1].(string), "unparseable field: posting-timestamp") {
		t.Errorf("rejects = %v, want row 0 missing posting id and row 1 unparseable posting-timestamp", reasons)
	}
	if pr.Counts.StagingRows != 20 || pr.Counts.RejectedRows != 2 || pr.Counts.DuplicateRows != 1 || pr.Counts.ExternalUpserts != 17 {
		t.Errorf("counts %+v, want 20 staging = 17 upserted + 2 rejected + 1 duplicate", pr.Counts)
	}
	// The newest version of the duplicated id wins.
	if got := e.query(t, "SELECT CAST(epoch(modified_at) AS BIGINT) FROM external.saramin_postings WHERE posting_id = '"+it[4].ID+"'"); len(got) != 1 || got[0][0] != int64(2000000000) {
		t.Errorf("duplicate id resolved to %v, want the newer modification 2000000000", got)
	}
	byName := map[string]models.CheckResult{}
	for _, c := range pr.Checks() {
		byName[c.Check.Name] = c
	}
	unknown := byName["saramin_postings_relationships_industry_code"]
	if unknown.Status != models.StatusFail || unknown.Check.Severity != models.SeverityWarn || unknown.Observed != 1 || !strings.Contains(unknown.Sample, "999") {
		t.Errorf("unknown industry code: %+v, want a failed warn check with 999 in the sample", unknown)
	}
	for _, name := range []string{"reconcile_raw_staging", "reconcile_staging_external", "saramin_postings_unique_posting_id"} {
		if byName[name].Status != models.StatusPass {
			t.Errorf("%s: %s %s", name, byName[name].Status, byName[name].Message)
		}
	}
}

func TestProcess_errorCheckStopsPromotion(t *testing.T) {
	t.Parallel()
	e := newProcessEnv(t, nil)
	ps := generate(t, start.Add(-24*time.Hour), start, 300)
	page := saramintest.PageJSON(ps[:10], 0, 10, start)
	// The manifest claims more records than the pages hold: raw ≠ staging.
	manifest := landRun(t, e.local, "20261117T010000Z-saramin-recon", page)
	m, _ := lake.ReadManifest(context.Background(), e.local, manifest)
	m.Records++
	e.local.Delete(context.Background(), manifest)
	if _, err := lake.WriteManifest(context.Background(), e.local, m); err != nil {
		t.Fatal(err)
	}
	pr, err := e.proc.Run(context.Background(), manifest)
	if err == nil || pr.FailedStep != "staging" {
		t.Fatalf("err %v, failed step %q: want staging to stop promotion", err, pr.FailedStep)
	}
	if slices.ContainsFunc(pr.Layers, func(l models.LayerResult) bool { return l.Layer == "external" }) {
		t.Error("external was built after staging's error-severity check failed")
	}
	if _, _, err := e.wh.Query(context.Background(), "SELECT 1 FROM external.saramin_postings", nil, warehouse.Options{}); err == nil {
		t.Error("external.saramin_postings exists although promotion stopped at staging")
	}
}
