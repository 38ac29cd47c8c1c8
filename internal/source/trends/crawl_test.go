package trends_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobpulse/jobpulse/internal/source/trends"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

// sunk records what a crawl handed to its sink.
type sunk struct {
	mu      sync.Mutex
	queries [][]string
}

func (s *sunk) sink(_ context.Context, q trends.Query, r *trends.Response) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(r.Multiline) == 0 || len(r.Timeline.Points) == 0 {
		return errors.New("empty response")
	}
	s.queries = append(s.queries, q.Terms)
	return nil
}

func crawler(e *env) *trends.Crawler {
	return &trends.Crawler{Source: e.client, Logger: slog.New(slog.NewTextHandler(e.logs, nil))}
}

func TestCrawl_isolatesAFailingKeyword(t *testing.T) {
	t.Parallel()
	batches := [][]string{{"anchor", "k1", "k2", "broken", "k4"}, {"anchor", "k5", "k6"}}
	tests := []struct {
		name       string
		fault      trendstest.Fault
		wantReason string
	}{
		{name: "server_error_every_time", fault: trendstest.Fault{Status: 500}, wantReason: "http status 500"},
		{name: "refused_as_bad_request", fault: trendstest.Fault{Status: 400}, wantReason: "http status 400"},
		{name: "malformed_answer_every_time", fault: trendstest.Fault{Endpoint: trendstest.EndpointMultiline, Malformed: true}, wantReason: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, trendstest.Options{Failing: map[string]trendstest.Fault{"broken": tt.fault}},
				func(c *trends.Config) { c.MaxAttempts = 2 })
			var s sunk
			res, err := crawler(e).Crawl(context.Background(), batches, "today 12-m", s.sink)
			if err != nil {
				t.Fatalf("Crawl: %v", err)
			}
			want := trends.CrawlResult{
				Requests: len(e.fake.Requests()),
				Batches:  4,
				Fetched:  []string{"k1", "k2", "k4", "k5", "k6"},
			}
			reason := res.Failed["broken"]
			if !strings.Contains(reason, tt.wantReason) || len(res.Failed) != 1 {
				t.Errorf("Failed = %v, want only broken, for %q", res.Failed, tt.wantReason)
			}
			if diff := cmp.Diff(want, res, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(trends.CrawlResult{}, "Failed")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			wantSunk := [][]string{{"anchor", "k1"}, {"anchor", "k2"}, {"anchor", "k4"}, {"anchor", "k5", "k6"}}
			if diff := cmp.Diff(wantSunk, s.queries); diff != "" {
				t.Errorf("sunk queries (-want +got):\n%s", diff)
			}
			assertNoCookie(t, e.fake, "failure reason", reason)
			assertNoCookie(t, e.fake, "logs", e.logs.String())
		})
	}
}

func TestCrawl_pairThatFailsIsReportedWithoutIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{Failing: map[string]trendstest.Fault{"broken": {Status: 400}}}, nil)
	var s sunk
	res, err := crawler(e).Crawl(context.Background(), [][]string{{"a", "broken"}, {"a", "ok"}}, "", s.sink)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := res.Failed["broken"]; !ok || len(res.Failed) != 1 || !cmp.Equal(res.Fetched, []string{"ok"}) {
		t.Errorf("result = %+v, want broken failed and ok fetched", res)
	}
	if n := len(e.fake.Requests()); n != 4 {
		t.Errorf("requests = %d, want 4 (cookie, one refused explore, explore + multiline)", n)
	}
}

func TestCrawl_rateLimitStopsTheCrawl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     trendstest.Options
		batches  [][]string
		want     trends.CrawlResult
		wantSunk int
	}{
		{
			name:    "block_between_batches",
			opts:    trendstest.Options{BlockAfter: 1},
			batches: [][]string{{"a", "k1", "k2"}, {"a", "k3", "k4"}, {"a", "k5"}},
			// cookie, batch 1 (2), then 3 tries of explore with one cookie refresh: 7.
			want:     trends.CrawlResult{Requests: 7, Batches: 1, Fetched: []string{"k1", "k2"}, NotAttempted: []string{"k3", "k4", "k5"}},
			wantSunk: 1,
		},
		{
			name:    "block_while_isolating_a_keyword",
			opts:    trendstest.Options{BlockAfter: 2, Failing: map[string]trendstest.Fault{"broken": {Status: 400}}},
			batches: [][]string{{"a", "k1", "k2", "broken", "k4"}, {"a", "k5"}},
			// cookie, refused batch, k1 (2), k2 (2), then the blocked pair: 3 tries + refresh.
			want:     trends.CrawlResult{Requests: 10, Batches: 2, Fetched: []string{"k1", "k2"}, NotAttempted: []string{"broken", "k4", "k5"}},
			wantSunk: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.opts, func(c *trends.Config) { c.MaxAttempts = 3 })
			var s sunk
			res, err := crawler(e).Crawl(context.Background(), tt.batches, "", s.sink)
			if !errors.Is(err, trends.ErrRateLimited) {
				t.Fatalf("err = %v, want ErrRateLimited", err)
			}
			if diff := cmp.Diff(tt.want, res, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if n := len(e.fake.Requests()); n != tt.want.Requests {
				t.Errorf("fake saw %d requests, want %d: nothing after the block", n, tt.want.Requests)
			}
			if len(s.queries) != tt.wantSunk {
				t.Errorf("sunk %d responses, want %d", len(s.queries), tt.wantSunk)
			}
		})
	}
}

func TestCrawl_cancellationReturnsWhatWasDone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := func(context.Context, trends.Query, *trends.Response) error {
		cancel() // the operator stops the run while the first batch is being stored
		return nil
	}
	res, err := crawler(e).Crawl(ctx, [][]string{{"a", "k1"}, {"a", "k2"}, {"a", "k3"}}, "", sink)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	want := trends.CrawlResult{Requests: 3, Batches: 1, Fetched: []string{"k1"}, NotAttempted: []string{"k2", "k3"}}
	if diff := cmp.Diff(want, res, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestCrawl_sinkFailureStops(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{}, nil)
	disk := errors.New("disk full")
	res, err := crawler(e).Crawl(context.Background(), [][]string{{"a", "k1"}, {"a", "k2"}}, "",
		func(context.Context, trends.Query, *trends.Response) error { return disk })
	if !errors.Is(err, disk) {
		t.Fatalf("err = %v, want the sink's error", err)
	}
	// The first batch was fetched but not stored: it must be asked for again.
	want := trends.CrawlResult{Requests: 3, NotAttempted: []string{"k1", "k2"}}
	if diff := cmp.Diff(want, res, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestCrawl_failingAnchorStops(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{Failing: map[string]trendstest.Fault{"a": {Status: 400}}}, nil)
	var s sunk
	res, err := crawler(e).Crawl(context.Background(), [][]string{{"a", "k1", "k2"}, {"a", "k3", "k4"}}, "", s.sink)
	if !errors.Is(err, trends.ErrPermanent) || !strings.Contains(err.Error(), "anchor") {
		t.Fatalf("err = %v, want a permanent error blaming the anchor", err)
	}
	if len(res.Failed) != 2 || !cmp.Equal(res.NotAttempted, []string{"k3", "k4"}) || len(res.Warnings) != 1 {
		t.Errorf("result = %+v, want k1, k2 failed, k3, k4 not attempted and a warning", res)
	}
	// cookie, the batch, k1 alone, k2 alone; batch 2 never asked.
	if n := len(e.fake.Requests()); n != 4 {
		t.Errorf("requests = %d, want 4", n)
	}
}

func TestCrawl_refusesBatchesThatCannotShareAScale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		batches [][]string
		want    string
	}{
		{name: "different_anchors", batches: [][]string{{"a", "k1"}, {"b", "k2"}}, want: `batch 2 starts with "b"`},
		{name: "anchor_alone", batches: [][]string{{"a"}}, want: "batch 1 has 1 terms"},
		{name: "six_terms", batches: [][]string{{"a", "1", "2", "3", "4", "5"}}, want: "batch 1 has 6 terms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, trendstest.Options{}, nil)
			_, err := crawler(e).Crawl(context.Background(), tt.batches, "", (&sunk{}).sink)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
			if n := len(e.fake.Requests()); n != 0 {
				t.Errorf("requests = %d, want none", n)
			}
		})
	}
}
