package lake_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/lake"
)

// writeRun stores pages for a run and returns its manifest (not yet written).
func writeRun(t *testing.T, s lake.Store, source, dt, runID string, pages ...string) lake.Manifest {
	t.Helper()
	started := time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)
	through := started.Add(-time.Minute)
	m := lake.Manifest{
		Source:         source,
		RunID:          runID,
		DT:             dt,
		StartedAt:      started,
		FinishedAt:     started.Add(42 * time.Second),
		Outcome:        lake.OutcomeSuccess,
		Window:         &lake.Window{From: started.Add(-time.Hour), To: through},
		CoveredThrough: &through,
		Params:         map[string]string{"sort": "pd"},
		Calls:          len(pages),
	}
	for i, data := range pages {
		name := lake.RawPage(source, dt, runID, i+1)
		put(t, s, name, data, lake.IfAbsent())
		m.Pages = append(m.Pages, lake.NewPageEntry(strings.TrimPrefix(name, lake.RawRunPrefix(source, dt, runID)), []byte(data), 1, map[string]string{"start": "0"}))
		m.Records++
	}
	m.DistinctIDs = m.Records
	return m
}

func TestManifest_WriteReadVerify(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		m := writeRun(t, s, "saramin", "2026-11-21", "20261121T103000Z-saramin-3f9a1c", `{"jobs":1}`, `{"jobs":2}`)
		name, err := lake.WriteManifest(ctx, s, m)
		if err != nil {
			t.Fatalf("WriteManifest: %v", err)
		}
		if want := lake.RawManifest(m.Source, m.DT, m.RunID); name != want {
			t.Errorf("WriteManifest name = %q, want %q", name, want)
		}
		got, err := lake.ReadManifest(ctx, s, name)
		if err != nil {
			t.Fatalf("ReadManifest: %v", err)
		}
		if diff := cmp.Diff(m, got); diff != "" {
			t.Errorf("ReadManifest (-want +got):\n%s", diff)
		}
		if err := got.Verify(ctx, s); err != nil {
			t.Errorf("Verify: %v", err)
		}
		if _, err := lake.WriteManifest(ctx, s, m); !errors.Is(err, lake.ErrPrecondition) {
			t.Errorf("second WriteManifest error = %v, want ErrPrecondition", err)
		}
	})
}

func TestManifest_VerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		m := writeRun(t, s, "saramin", "2026-11-21", "r1", `{"jobs":1}`, `{"jobs":2}`, `{"jobs":3}`)
		// Same length, other bytes: only the digest can tell.
		put(t, s, lake.RawPage("saramin", "2026-11-21", "r1", 1), `{"jobs":9}`, lake.Precondition{})
		if err := s.Delete(ctx, lake.RawPage("saramin", "2026-11-21", "r1", 3)); err != nil {
			t.Fatal(err)
		}
		err := m.Verify(ctx, s)
		if err == nil {
			t.Fatal("Verify succeeded, want an error")
		}
		msg := err.Error()
		for _, want := range []string{"page-00001.json: sha256", "page-00003.json"} {
			if !strings.Contains(msg, want) {
				t.Errorf("Verify error %q does not mention %q", msg, want)
			}
		}
		if strings.Contains(msg, "page-00002.json") {
			t.Errorf("Verify error %q mentions the intact page 2", msg)
		}
		if !errors.Is(err, lake.ErrNotExist) {
			t.Errorf("Verify error does not wrap ErrNotExist for the missing page")
		}
	})
}

func TestManifest_EmptyRun(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		m := writeRun(t, s, "saramin", "2026-11-21", "r-empty")
		m.Outcome = lake.OutcomeNoNewPostings
		name, err := lake.WriteManifest(ctx, s, m)
		if err != nil {
			t.Fatalf("WriteManifest: %v", err)
		}
		obj, err := s.Get(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(obj.Data), `"pages": []`) {
			t.Errorf("manifest of an empty run does not say \"pages\": []:\n%s", obj.Data)
		}
		if err := m.Verify(ctx, s); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})
}

func TestManifest_Invalid(t *testing.T) {
	t.Parallel()
	valid := func() lake.Manifest {
		now := time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)
		return lake.Manifest{Source: "saramin", RunID: "r1", DT: "2026-11-21", StartedAt: now, FinishedAt: now, Outcome: lake.OutcomeSuccess}
	}
	tests := []struct {
		name   string
		change func(*lake.Manifest)
		want   string
	}{
		{name: "missing_source", change: func(m *lake.Manifest) { m.Source = "" }, want: "source is required"},
		{name: "missing_run_id", change: func(m *lake.Manifest) { m.RunID = "" }, want: "run_id is required"},
		{name: "bad_dt", change: func(m *lake.Manifest) { m.DT = "20261121" }, want: "not YYYY-MM-DD"},
		{name: "unknown_outcome", change: func(m *lake.Manifest) { m.Outcome = "ok" }, want: "outcome"},
		{name: "missing_times", change: func(m *lake.Manifest) { m.StartedAt = time.Time{} }, want: "started_at and finished_at are required"},
		{name: "finished_before_started", change: func(m *lake.Manifest) { m.FinishedAt = m.StartedAt.Add(-time.Second) }, want: "finished_at is before"},
		{name: "page_path_not_file_name", change: func(m *lake.Manifest) {
			m.Pages = []lake.PageEntry{lake.NewPageEntry("x/page-00001.json", nil, 0, nil)}
		}, want: "pages[0]: name"},
		{name: "page_bad_digest", change: func(m *lake.Manifest) {
			m.Pages = []lake.PageEntry{{Name: "page-00001.json", SHA256: "abc"}}
		}, want: "pages[0]: sha256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := valid()
			tc.change(&m)
			_, err := lake.WriteManifest(t.Context(), nil, m) // fails before touching the store
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("WriteManifest error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestListManifests(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		var want []string
		for _, run := range []struct{ source, dt, id string }{
			{"saramin", "2026-11-22", "20261122T003000Z-saramin-aaaaaa"},
			{"saramin", "2026-11-21", "20261121T103000Z-saramin-bbbbbb"},
			{"saramin", "2026-11-21", "20261121T093000Z-saramin-cccccc"},
			{"saramin-old", "2026-11-21", "r"},
			{"trends", "2026-11-21", "r"},
		} {
			name, err := lake.WriteManifest(ctx, s, writeRun(t, s, run.source, run.dt, run.id, "{}"))
			if err != nil {
				t.Fatal(err)
			}
			if run.source == "saramin" {
				want = append(want, name)
			}
		}
		// A run that has pages but no manifest is not committed.
		writeRun(t, s, "saramin", "2026-11-23", "uncommitted", "{}")

		got, err := lake.ListManifests(ctx, s, "saramin")
		if err != nil {
			t.Fatalf("ListManifests: %v", err)
		}
		want = []string{want[2], want[1], want[0]}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ListManifests (-want +got):\n%s", diff)
		}
	})
}
