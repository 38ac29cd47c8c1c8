package pipeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/laketest"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

const testKey = "SeCrEt-KEY-pipeline-91b2"

// itQuery is the collector's default filter (SARAMIN_QUERY=job_mid_cd=2).
var itQuery = url.Values{"job_mid_cd": {"2"}}

// start is a Tuesday morning in KST.
var start = time.Date(2026, 11, 17, 1, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the fake API and the collector.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

type harness struct {
	t      testing.TB
	store  lake.Store
	fake   *saramintest.Server
	clock  *clock
	logs   *syncBuffer
	quota  int
	pages  int
	lookbk time.Duration
	overlp time.Duration
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newHarness(t *testing.T, store lake.Store, opts saramintest.Options, postings []saramintest.Posting) *harness {
	t.Helper()
	h := &harness{t: t, store: store, clock: &clock{t: start}, logs: &syncBuffer{}, quota: 500, pages: 100, lookbk: 72 * time.Hour, overlp: 10 * time.Minute}
	opts.Keys = []string{testKey}
	opts.Now = h.clock.Now
	h.fake = saramintest.NewServer(opts, postings...)
	t.Cleanup(h.fake.Close)
	return h
}

func (h *harness) collector() *pipeline.SaraminCollect { return h.collectorTB(h.t) }

func (h *harness) collectorTB(tb testing.TB) *pipeline.SaraminCollect {
	cfg := saramin.DefaultConfig()
	cfg.BaseURL = h.fake.URL
	cfg.AccessKey = testKey
	cfg.Timeout = time.Second
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := saramin.NewClient(cfg, nil, logger, saramin.WithSleep(func(context.Context, time.Duration) error { return nil }))
	if err != nil {
		tb.Fatal(err)
	}
	return &pipeline.SaraminCollect{
		Store: h.store, Client: c, MaxPages: h.pages, Overlap: h.overlp, Lookback: h.lookbk,
		Budget: lake.NewBudget(h.store, pipeline.SourceSaramin, h.quota, saramin.KST, h.clock.Now),
		Now:    h.clock.Now, Logger: logger,
	}
}

func (h *harness) run(ctx context.Context) pipeline.CollectResult {
	h.t.Helper()
	res, err := h.collector().Run(ctx)
	if err != nil {
		h.t.Fatalf("Run: %v", err)
	}
	return res
}

// collectedIDs reads back every committed run's pages from the lake.
func (h *harness) collectedIDs() (ids []string, records int) {
	h.t.Helper()
	ctx := context.Background()
	names, err := lake.ListManifests(ctx, h.store, pipeline.SourceSaramin)
	if err != nil {
		h.t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, name := range names {
		m, err := lake.ReadManifest(ctx, h.store, name)
		if err != nil {
			h.t.Fatal(err)
		}
		if err := m.Verify(ctx, h.store); err != nil {
			h.t.Fatalf("manifest %s: %v", name, err)
		}
		for _, p := range m.Pages {
			obj, err := h.store.Get(ctx, lake.RawRunPrefix(m.Source, m.DT, m.RunID)+p.Name)
			if err != nil {
				h.t.Fatal(err)
			}
			var page struct {
				Jobs struct {
					Job []struct {
						ID string `json:"id"`
					} `json:"job"`
				} `json:"jobs"`
			}
			if err := json.Unmarshal(obj.Data, &page); err != nil {
				h.t.Fatalf("page %s: %v", p.Name, err)
			}
			if len(page.Jobs.Job) != p.Records {
				h.t.Errorf("page %s: manifest says %d records, page holds %d", p.Name, p.Records, len(page.Jobs.Job))
			}
			for _, j := range page.Jobs.Job {
				records++
				if !seen[j.ID] {
					seen[j.ID] = true
					ids = append(ids, j.ID)
				}
			}
		}
	}
	slices.Sort(ids)
	return ids, records
}

func (h *harness) watermark() time.Time {
	h.t.Helper()
	wm, _, err := lake.ReadWatermark(context.Background(), h.store, pipeline.SourceSaramin)
	if err != nil {
		h.t.Fatal(err)
	}
	return wm.Through
}

func generate(t *testing.T, from, to time.Time, perDay int) []saramintest.Posting {
	t.Helper()
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 42, From: from, To: to, PerDay: perDay})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func posting(id string, at time.Time) saramintest.Posting { return saramintest.Sample(id, at) }

// forEachLake runs a test on a local directory and on fake GCS.
func forEachLake(t *testing.T, f func(t *testing.T, store lake.Store)) {
	for _, s := range laketest.Stores(t) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			f(t, s.Store)
		})
	}
}

func TestCollect_pagesToExhaustion(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-96*time.Hour), start, 300))
		res := h.run(context.Background())

		want := h.fake.Published(start.Add(-72*time.Hour), start, itQuery)
		got, records := h.collectedIDs()
		if !slices.Equal(got, want) {
			t.Fatalf("collected %d ids, want %d (diff %v)", len(got), len(want), symmetricDiff(got, want))
		}
		if res.Outcome != lake.OutcomeSuccess || res.Records != len(want) || records != len(want) {
			t.Errorf("outcome %s records %d (lake %d), want success %d", res.Outcome, res.Records, records, len(want))
		}
		if wantPages := (len(want) + 109) / 110; res.Pages != wantPages || res.Calls != wantPages {
			t.Errorf("pages %d calls %d, want %d", res.Pages, res.Calls, wantPages)
		}
		if !res.WatermarkAdvanced || !h.watermark().Equal(start) {
			t.Errorf("watermark %s (advanced %v), want %s", h.watermark(), res.WatermarkAdvanced, start)
		}
	})
}

func TestCollect_windowBoundaries(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-24*time.Hour), start, 200))
		h.overlp = 0
		first := h.run(context.Background())
		if !h.watermark().Equal(start) {
			t.Fatalf("watermark after first run = %s, want %s", h.watermark(), start)
		}
		// Indexed late: one posting exactly at the watermark, one a second before it.
		h.fake.Add(posting("900000001", start), posting("900000002", start.Add(-time.Second)))
		h.clock.Add(30 * time.Minute)
		h.fake.Add(posting("900000003", h.clock.Now())) // exactly at the new window's end
		second := h.run(context.Background())

		got, _ := h.collectedIDs()
		for _, id := range []string{"900000001", "900000003"} {
			if !slices.Contains(got, id) {
				t.Errorf("posting %s at a window boundary was not collected", id)
			}
		}
		if first.Outcome != lake.OutcomeSuccess || second.Window.From != start {
			t.Errorf("second window starts %s, want the watermark %s with no overlap", second.Window.From, start)
		}
		// Without overlap the second-before posting is lost: that is what the overlap is for.
		h.overlp = 10 * time.Minute
		h.fake.Add(posting("900000004", h.clock.Now().Add(-5*time.Minute)))
		h.clock.Add(30 * time.Minute)
		h.run(context.Background())
		got, _ = h.collectedIDs()
		if !slices.Contains(got, "900000004") {
			t.Errorf("a posting indexed late inside the overlap window was not collected")
		}
	})
}

func TestCollect_postingsPublishedMidRun(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-72*time.Hour), start, 300))
		wantFirst := h.fake.Published(start.Add(-72*time.Hour), start, itQuery)
		var late []string
		h.fake.AfterRequest(func(n int) {
			if n > 3 {
				return
			}
			// Postings keep arriving while the run pages.
			h.clock.Add(time.Minute)
			id := "95000000" + string(rune('0'+n))
			late = append(late, id)
			h.fake.Add(posting(id, h.clock.Now()))
		})
		res := h.run(context.Background())
		if res.Records != len(wantFirst) || res.DistinctIDs != len(wantFirst) {
			t.Errorf("first run: %d records, %d distinct, want exactly %d (no page shifted)", res.Records, res.DistinctIDs, len(wantFirst))
		}
		h.fake.AfterRequest(nil)
		h.clock.Add(time.Hour)
		h.run(context.Background())
		got, _ := h.collectedIDs()
		for _, id := range append(wantFirst, late...) {
			if !slices.Contains(got, id) {
				t.Errorf("posting %s missing after two runs", id)
			}
		}
	})
}

func TestCollect_emptyWindowIsAnOutcome(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{OmitEmptyJob: true}, nil)
		res, err := h.collector().Run(context.Background())
		if err != nil {
			t.Fatalf("an empty window must not be an error: %v", err)
		}
		if res.Outcome != lake.OutcomeNoNewPostings || res.ManifestURL == "" || !res.WatermarkAdvanced {
			t.Errorf("got outcome %q manifest %q advanced %v, want no_new_postings, a manifest, advanced", res.Outcome, res.ManifestURL, res.WatermarkAdvanced)
		}
	})
}

func TestCollect_quotaStopAndResume(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-72*time.Hour), start, 300))
		h.quota = 3
		want := h.fake.Published(start.Add(-72*time.Hour), start, itQuery)
		if len(want) <= 3*110 {
			t.Fatalf("dataset too small for the test: %d", len(want))
		}

		r1 := h.run(context.Background())
		if r1.Outcome != lake.OutcomeQuotaExhausted || r1.Pages != 3 || r1.ManifestURL == "" {
			t.Fatalf("run 1: outcome %s pages %d manifest %q, want quota_exhausted 3 pages and a manifest", r1.Outcome, r1.Pages, r1.ManifestURL)
		}
		wm1 := h.watermark()
		if !wm1.After(start.Add(-72*time.Hour)) || !wm1.Before(start) {
			t.Errorf("watermark %s should sit inside the window after a partial run", wm1)
		}

		h.clock.Add(time.Hour) // same KST day: nothing more may be spent
		r2 := h.run(context.Background())
		if r2.Outcome != lake.OutcomeQuotaExhausted || r2.Calls != 0 || h.fake.Calls(testKey) != 3 {
			t.Errorf("run 2: outcome %s calls %d (API saw %d), want quota_exhausted without calling", r2.Outcome, r2.Calls, h.fake.Calls(testKey))
		}

		h.clock.Set(start.Add(24 * time.Hour)) // the next KST day
		h.quota = 500
		r3 := h.run(context.Background())
		if r3.Outcome != lake.OutcomeSuccess {
			t.Fatalf("run 3: outcome %s, want success", r3.Outcome)
		}
		got, _ := h.collectedIDs()
		all := h.fake.Published(start.Add(-72*time.Hour), h.clock.Now(), itQuery)
		if !slices.Equal(got, all) {
			t.Errorf("after resuming, diff %v", symmetricDiff(got, all))
		}
	})
}

func TestCollect_apiQuotaCodeStopsAndIsRemembered(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{DailyQuota: 2, Envelope: saramintest.EnvelopeNested, CodeAsString: true},
			generate(t, start.Add(-72*time.Hour), start, 300))
		r := h.run(context.Background())
		if r.Outcome != lake.OutcomeQuotaExhausted || r.Pages != 2 {
			t.Fatalf("outcome %s pages %d, want quota_exhausted after 2 pages", r.Outcome, r.Pages)
		}
		st, err := lake.NewBudget(store, pipeline.SourceSaramin, 500, saramin.KST, h.clock.Now).State(context.Background())
		if err != nil || !st.Exhausted {
			t.Errorf("quota state %+v (%v), want exhausted after the API said code 4", st, err)
		}
	})
}

func TestCollect_cancelledRunThenRerun(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-72*time.Hour), start, 300))
		ctx, cancel := context.WithCancel(context.Background())
		h.fake.AfterRequest(func(n int) {
			if n == 3 {
				cancel()
			}
		})
		res, err := h.collector().Run(ctx)
		if err == nil || res.Outcome != pipeline.OutcomeFailed || res.ManifestURL != "" {
			t.Fatalf("cancelled run: err %v outcome %s manifest %q, want a failure without manifest", err, res.Outcome, res.ManifestURL)
		}
		if !h.watermark().IsZero() {
			t.Fatalf("a cancelled run moved the watermark to %s", h.watermark())
		}
		orphans, _ := store.List(context.Background(), lake.RawRunPrefix(pipeline.SourceSaramin, res.DT, res.RunID))
		if len(orphans) < 2 {
			t.Errorf("the cancelled run's pages should stay in the lake, found %v", orphans)
		}

		h.fake.AfterRequest(nil)
		h.clock.Add(time.Minute)
		r2 := h.run(context.Background())
		got, _ := h.collectedIDs()
		want := h.fake.Published(start.Add(-72*time.Hour), h.clock.Now(), itQuery)
		if r2.Outcome != lake.OutcomeSuccess || !slices.Equal(got, want) {
			t.Errorf("re-run: outcome %s, diff %v", r2.Outcome, symmetricDiff(got, want))
		}
		if !h.watermark().Equal(h.clock.Now()) {
			t.Errorf("watermark %s, want %s", h.watermark(), h.clock.Now())
		}
	})
}

func TestCollect_racingCollectors(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-24*time.Hour), start, 300))
		// Both collectors have read the watermark once each has made its first call.
		var arrived sync.WaitGroup
		arrived.Add(2)
		var once [2]sync.Once
		var mu sync.Mutex
		first := 0
		h.fake.AfterRequest(func(n int) {
			mu.Lock()
			i := first
			if i < 2 {
				first++
			}
			mu.Unlock()
			if i < 2 {
				once[i].Do(arrived.Done)
				arrived.Wait()
			}
		})
		results := make([]pipeline.CollectResult, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = h.collector().Run(context.Background())
			}()
		}
		wg.Wait()
		advanced := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("collector %d: %v", i, errs[i])
			}
			if r.ManifestURL == "" {
				t.Errorf("collector %d wrote no manifest", i)
			}
			if r.WatermarkAdvanced {
				advanced++
			}
		}
		if advanced != 1 {
			t.Fatalf("%d collectors advanced the watermark, want exactly 1", advanced)
		}
		wm, _, _ := lake.ReadWatermark(context.Background(), store, pipeline.SourceSaramin)
		winner := results[0]
		if results[1].WatermarkAdvanced {
			winner = results[1]
		}
		if wm.RunID != winner.RunID {
			t.Errorf("watermark written by %s, want the winner %s", wm.RunID, winner.RunID)
		}
	})
}

func TestCollect_splitsWindowsBeyondThePageCap(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{MaxPages: 2}, generate(t, start.Add(-72*time.Hour), start, 300))
		h.pages = 2
		res := h.run(context.Background())
		got, _ := h.collectedIDs()
		want := h.fake.Published(start.Add(-72*time.Hour), start, itQuery)
		if !slices.Equal(got, want) {
			t.Fatalf("split crawl diff %v", symmetricDiff(got, want))
		}
		if res.DistinctIDs != len(want) || len(res.Warnings) != 0 {
			t.Errorf("distinct %d warnings %v, want %d and none", res.DistinctIDs, res.Warnings, len(want))
		}
	})
}

func TestCollect_malformedPageIsQuarantined(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-24*time.Hour), start, 300))
		h.fake.AfterRequest(func(n int) {
			if n == 1 {
				h.fake.Inject(slices.Repeat([]saramintest.Fault{{Malformed: true}}, 5)...)
			}
		})
		res, err := h.collector().Run(context.Background())
		var bad *saramin.MalformedError
		if !errors.As(err, &bad) {
			t.Fatalf("err = %v, want a MalformedError", err)
		}
		q, _ := store.List(context.Background(), "quarantine/saramin/dt="+res.DT+"/run="+res.RunID+"/")
		if len(q) != 2 || !strings.HasSuffix(q[0], "page-00002.json") || !strings.HasSuffix(q[1], "page-00002.reason.txt") {
			t.Fatalf("quarantine holds %v, want page-00002.json and its reason", q)
		}
		obj, _ := store.Get(context.Background(), q[0])
		if !bytes.Equal(obj.Data, bad.Body) {
			t.Errorf("quarantined bytes differ from the response")
		}
	})
}

// TestCollect_neverLeaksTheKey runs the fault suite through whole runs and greps every
// log line, error and lake object for the access key.
func TestCollect_neverLeaksTheKey(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-72*time.Hour), start, 300))
		h.fake.Inject(
			saramintest.Fault{Status: 429, RetryAfter: "1"}, saramintest.Fault{Status: 500},
			saramintest.Fault{EchoURL: true}, saramintest.Fault{Truncate: true}, saramintest.Fault{Malformed: true},
			saramintest.Fault{Code: 99}, saramintest.Fault{Delay: 1500 * time.Millisecond},
		)
		var texts []string
		res, err := h.collector().Run(context.Background())
		texts = append(texts, errString(err), res.RunURL, res.ManifestURL)
		// Then runs that fail for good: permanent errors, a server echoing URLs, a dead port.
		h.clock.Add(time.Hour)
		h.fake.Inject(saramintest.Fault{Code: 2})
		_, err = h.collector().Run(context.Background())
		texts = append(texts, errString(err))
		h.fake.Inject(slices.Repeat([]saramintest.Fault{{EchoURL: true}}, 5)...)
		_, err = h.collector().Run(context.Background())
		texts = append(texts, errString(err))
		h.fake.Close()
		_, err = h.collector().Run(context.Background())
		if err == nil {
			t.Fatal("a run against a closed server succeeded")
		}
		texts = append(texts, errString(err), h.logs.String())

		names, _ := store.List(context.Background(), "")
		for _, n := range names {
			obj, _ := store.Get(context.Background(), n)
			texts = append(texts, n, string(obj.Data))
		}
		for _, s := range texts {
			if strings.Contains(s, testKey) || strings.Contains(s, url.QueryEscape(testKey)) {
				t.Errorf("the access key leaked: %s", strings.ReplaceAll(s, testKey, "<KEY>"))
			}
		}
		if !strings.Contains(h.logs.String(), "REDACTED") {
			t.Errorf("expected redacted URLs in the logs of failed requests")
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func symmetricDiff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "+"+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "-"+x)
		}
	}
	if len(out) > 10 {
		out = append(out[:10], "…")
	}
	return out
}

func TestCollect_retriesSpendQuota(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{}, generate(t, start.Add(-24*time.Hour), start, 300))
		h.fake.Inject(saramintest.Fault{Status: 500}, saramintest.Fault{Status: 429}, saramintest.Fault{Truncate: true})
		res := h.run(context.Background())
		st, err := lake.NewBudget(store, pipeline.SourceSaramin, 500, saramin.KST, h.clock.Now).State(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sent := len(h.fake.Requests())
		if st.Calls != sent || res.Calls != sent || sent != res.Pages+3 {
			t.Errorf("quota counted %d, result %d calls, the API saw %d requests for %d pages", st.Calls, res.Calls, sent, res.Pages)
		}
	})
}

// An API that stops serving before its own total (a depth cap deeper pages silently
// return empty for) must not let the watermark jump over postings never seen.
func TestCollect_shortPageBeforeTotalKeepsTheWatermarkHonest(t *testing.T) {
	t.Parallel()
	forEachLake(t, func(t *testing.T, store lake.Store) {
		h := newHarness(t, store, saramintest.Options{MaxPages: 2, OmitEmptyJob: true}, generate(t, start.Add(-72*time.Hour), start, 300))
		h.pages = 100 // believes the API serves deeper than it does
		r1 := h.run(context.Background())
		if len(r1.Warnings) == 0 || !h.watermark().Before(start) {
			t.Fatalf("warnings %v, watermark %s: want a warning and a watermark inside the window", r1.Warnings, h.watermark())
		}
		h.pages = 2 // the operator follows the warning
		h.clock.Add(time.Minute)
		h.run(context.Background())
		got, _ := h.collectedIDs()
		want := h.fake.Published(start.Add(-72*time.Hour), h.clock.Now(), itQuery)
		if !slices.Equal(got, want) {
			t.Errorf("after lowering max pages, diff %v", symmetricDiff(got, want))
		}
	})
}
