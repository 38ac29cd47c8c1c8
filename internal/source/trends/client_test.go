package trends_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobpulse/jobpulse/internal/source/trends"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

func TestInterestOverTime_flow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{Seed: 3}, nil)
	terms := []string{"파이썬", "Kubernetes", "데이터 엔지니어"}

	resp, err := e.client.InterestOverTime(context.Background(), trends.Query{Terms: terms, Time: "today 12-m"})
	if err != nil {
		t.Fatalf("InterestOverTime: %v", err)
	}

	reqs := e.fake.Requests()
	if diff := cmp.Diff([]string{trendstest.PathCookie, trendstest.PathExplore, trendstest.PathMultiline}, paths(reqs)); diff != "" {
		t.Fatalf("request paths (-want +got):\n%s", diff)
	}
	if got := reqs[0].Query.Get("geo"); got != "KR" {
		t.Errorf("cookie page geo = %q, want KR", got)
	}
	for _, r := range reqs[1:] {
		if !r.HasCookie || !r.CookieValid || r.Status != http.StatusOK {
			t.Errorf("%s: cookie sent %v, valid %v, status %d; want the issued cookie and 200", r.Path, r.HasCookie, r.CookieValid, r.Status)
		}
		if r.Query.Get("hl") != "ko" || r.Query.Get("tz") != "-540" {
			t.Errorf("%s: hl=%q tz=%q, want ko and -540", r.Path, r.Query.Get("hl"), r.Query.Get("tz"))
		}
	}
	wantReq := `{"comparisonItem":[{"keyword":"파이썬","geo":"KR","time":"today 12-m"},{"keyword":"Kubernetes","geo":"KR","time":"today 12-m"},{"keyword":"데이터 엔지니어","geo":"KR","time":"today 12-m"}],"category":0,"property":""}`
	if got := reqs[1].Query.Get("req"); got != wantReq {
		t.Errorf("explore req:\n got %s\nwant %s", got, wantReq)
	}
	if reqs[2].Query.Get("token") == "" {
		t.Error("multiline request carried no token")
	}
	if e.client.Attempts() != 3 {
		t.Errorf("Attempts() = %d, want 3", e.client.Attempts())
	}

	// The exact bytes are kept, prefixes included; the timeline was decoded past them.
	if !bytes.HasPrefix(resp.Explore, []byte(")]}'")) || !bytes.HasPrefix(resp.Multiline, []byte(")]}',")) {
		t.Errorf("raw bodies lost their prefixes: %.10q / %.10q", resp.Explore, resp.Multiline)
	}
	if diff := cmp.Diff(trends.Query{Terms: terms, Time: "today 12-m"}, resp.Query); diff != "" {
		t.Errorf("Response.Query (-want +got):\n%s", diff)
	}

	// 53 weekly points (weeks start on Sunday); the running week is partial.
	want := trends.Timeline{Terms: terms}
	first := time.Date(2025, 11, 16, 0, 0, 0, 0, time.UTC)
	truth := make([][]float64, 53)
	peak := 0.0
	for i := range truth {
		for _, k := range terms {
			v := e.fake.Truth(k, first.AddDate(0, 0, 7*i))
			truth[i] = append(truth[i], v)
			peak = max(peak, v)
		}
	}
	for i := range truth {
		p := trends.Point{Time: first.AddDate(0, 0, 7*i), Partial: i == len(truth)-1}
		for _, v := range truth[i] {
			p.Values = append(p.Values, int(math.Round(100*v/peak)))
			p.HasData = append(p.HasData, true)
		}
		want.Points = append(want.Points, p)
	}
	if diff := cmp.Diff(want, resp.Timeline); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

func TestInterestOverTime_defaultTimeRangeAndResolutions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		timeRange  string
		wantPoints int
		wantStep   time.Duration
		wantTime   string // Response.Query.Time
	}{
		{name: "default_is_five_years_weekly", timeRange: "", wantPoints: 261, wantStep: 7 * 24 * time.Hour, wantTime: "today 5-y"},
		{name: "three_months_daily", timeRange: "today 3-m", wantPoints: 93, wantStep: 24 * time.Hour, wantTime: "today 3-m"},
		{name: "seven_days_hourly", timeRange: "now 7-d", wantPoints: 168, wantStep: time.Hour, wantTime: "now 7-d"},
		{name: "explicit_short_range_daily", timeRange: "2026-01-01 2026-01-31", wantPoints: 31, wantStep: 24 * time.Hour, wantTime: "2026-01-01 2026-01-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, trendstest.Options{}, nil)
			resp, err := e.client.InterestOverTime(context.Background(), trends.Query{Terms: []string{"go"}, Time: tt.timeRange})
			if err != nil {
				t.Fatal(err)
			}
			pts := resp.Timeline.Points
			if len(pts) != tt.wantPoints || resp.Query.Time != tt.wantTime {
				t.Fatalf("got %d points for %q, want %d for %q", len(pts), resp.Query.Time, tt.wantPoints, tt.wantTime)
			}
			for i := 1; i < len(pts); i++ {
				if d := pts[i].Time.Sub(pts[i-1].Time); d != tt.wantStep {
					t.Fatalf("step %d = %s, want %s", i, d, tt.wantStep)
				}
			}
		})
	}
}

func TestInterestOverTime_faults(t *testing.T) {
	t.Parallel()
	retryAt := start.Add(30 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name   string
		faults []trendstest.Fault
		// setup runs against the client before the query under test.
		setup       func(t *testing.T, e *env)
		mod         func(*trends.Config)
		wantIs      error // nil: success
		wantPaths   []string
		wantCookies int             // NID cookies issued in all
		wantSleeps  []time.Duration // exact, with max jitter and no spacing
	}{
		{
			name:        "rate_limited_then_success_refreshes_cookie_once",
			faults:      []trendstest.Fault{{Status: 429}, {Status: 429}, {Status: 429}},
			wantPaths:   []string{"cookie", "explore", "cookie", "explore", "explore", "explore", "multiline"},
			wantCookies: 2,
			// The first 429 is answered with a fresh cookie, the next ones with backoff:
			// 5s<<1 and 5s<<2 (jitter at its maximum).
			wantSleeps: []time.Duration{10 * time.Second, 20 * time.Second},
		},
		{
			name:        "retry_after_seconds_honoured",
			faults:      []trendstest.Fault{{Status: 429, RetryAfter: "7"}},
			wantPaths:   []string{"cookie", "explore", "cookie", "explore", "multiline"},
			wantCookies: 2,
			wantSleeps:  []time.Duration{7 * time.Second},
		},
		{
			name:        "retry_after_date_honoured",
			faults:      []trendstest.Fault{{Endpoint: trendstest.EndpointMultiline, Status: 429, RetryAfter: retryAt}},
			wantPaths:   []string{"cookie", "explore", "multiline", "cookie", "multiline"},
			wantCookies: 2,
			wantSleeps:  []time.Duration{30 * time.Second},
		},
		{
			name:        "retry_after_longer_than_allowed_fails_rate_limited",
			faults:      []trendstest.Fault{{Status: 429, RetryAfter: "3600"}},
			wantIs:      trends.ErrRateLimited,
			wantPaths:   []string{"cookie", "explore"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{},
		},
		{
			name:        "rate_limit_outlasting_retries_is_rate_limited",
			faults:      []trendstest.Fault{{Status: 429}, {Status: 429}, {Status: 429}, {Status: 429}, {Status: 429}, {Status: 429}},
			wantIs:      trends.ErrRateLimited,
			wantPaths:   []string{"cookie", "explore", "cookie", "explore", "explore", "explore", "explore"},
			wantCookies: 2,
			wantSleeps:  []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second},
		},
		{
			name: "stale_cookie_answered_429_until_refreshed",
			setup: func(t *testing.T, e *env) {
				if _, err := e.client.InterestOverTime(context.Background(), trends.Query{Terms: []string{"go"}}); err != nil {
					t.Fatal(err)
				}
				e.fake.ExpireCookies()
			},
			wantPaths:   []string{"cookie", "explore", "multiline", "explore", "cookie", "explore", "multiline"},
			wantCookies: 2,
			wantSleeps:  []time.Duration{},
		},
		{
			name:        "cookie_page_refused_goes_on_without_one",
			faults:      []trendstest.Fault{{Endpoint: trendstest.EndpointCookie, Status: 429}},
			wantPaths:   []string{"cookie", "explore", "cookie", "explore", "multiline"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{},
		},
		{
			name:        "server_errors_back_off_without_new_cookie",
			faults:      []trendstest.Fault{{Status: 500}, {Status: 503}},
			wantPaths:   []string{"cookie", "explore", "explore", "explore", "multiline"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{5 * time.Second, 10 * time.Second},
		},
		{
			name:        "malformed_body_retried",
			faults:      []trendstest.Fault{{Endpoint: trendstest.EndpointMultiline, Malformed: true}},
			wantPaths:   []string{"cookie", "explore", "multiline", "multiline"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{5 * time.Second},
		},
		{
			name:        "truncated_body_retried",
			faults:      []trendstest.Fault{{Endpoint: trendstest.EndpointExplore, Truncate: true}},
			wantPaths:   []string{"cookie", "explore", "explore", "multiline"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{5 * time.Second},
		},
		{
			name:        "slow_answer_times_out_and_is_retried",
			faults:      []trendstest.Fault{{Endpoint: trendstest.EndpointExplore, Delay: time.Minute}},
			mod:         func(c *trends.Config) { c.Timeout = time.Second },
			wantPaths:   []string{"cookie", "explore", "explore", "multiline"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{5 * time.Second},
		},
		{
			name:        "bad_request_is_permanent",
			faults:      []trendstest.Fault{{Endpoint: trendstest.EndpointExplore, Status: 400}},
			wantIs:      trends.ErrPermanent,
			wantPaths:   []string{"cookie", "explore"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{},
		},
		{
			name:        "not_found_is_permanent",
			faults:      []trendstest.Fault{{Endpoint: trendstest.EndpointMultiline, Status: 404}},
			wantIs:      trends.ErrPermanent,
			wantPaths:   []string{"cookie", "explore", "multiline"},
			wantCookies: 1,
			wantSleeps:  []time.Duration{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, trendstest.Options{Seed: 1}, tt.mod)
			if tt.setup != nil {
				tt.setup(t, e) // its requests are part of wantPaths
			}
			e.fake.Inject(tt.faults...)
			sleepsBefore := len(e.clock.Sleeps())

			resp, err := e.client.InterestOverTime(context.Background(), trends.Query{Terms: []string{"go", "rust"}})
			switch {
			case tt.wantIs == nil && err != nil:
				t.Fatalf("err = %v, want success", err)
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Fatalf("err = %v, want errors.Is %v", err, tt.wantIs)
			case err == nil && len(resp.Timeline.Points) == 0:
				t.Error("success without points")
			}
			if tt.wantIs == trends.ErrRateLimited && errors.Is(err, trends.ErrPermanent) {
				t.Errorf("a rate limit must not look permanent: %v", err)
			}

			names := map[string]string{trendstest.PathCookie: "cookie", trendstest.PathExplore: "explore", trendstest.PathMultiline: "multiline"}
			var got []string
			for _, p := range paths(e.fake.Requests()) {
				got = append(got, names[p])
			}
			if diff := cmp.Diff(tt.wantPaths, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if n := e.fake.CookieIssues(); n != tt.wantCookies {
				t.Errorf("cookies issued = %d, want %d", n, tt.wantCookies)
			}
			if e.client.Attempts() != len(got) {
				t.Errorf("Attempts() = %d, want %d (every HTTP request)", e.client.Attempts(), len(got))
			}
			if diff := cmp.Diff(tt.wantSleeps, e.clock.Sleeps()[sleepsBefore:], cmpopts.EquateEmpty()); tt.wantSleeps != nil && diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			assertNoCookie(t, e.fake, "error", errText(err))
			assertNoCookie(t, e.fake, "logs", e.logs.String())
		})
	}
}

func TestInterestOverTime_spacing(t *testing.T) {
	t.Parallel()
	const spacing = 2 * time.Second

	t.Run("sequential_requests_are_spaced", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, trendstest.Options{}, func(c *trends.Config) { c.Spacing = spacing })
		for _, k := range []string{"go", "rust"} {
			if _, err := e.client.InterestOverTime(context.Background(), trends.Query{Terms: []string{k}}); err != nil {
				t.Fatal(err)
			}
		}
		reqs := e.fake.Requests()
		if len(reqs) != 5 {
			t.Fatalf("requests = %d, want 5 (cookie, 2 × explore + multiline)", len(reqs))
		}
		for i := 1; i < len(reqs); i++ {
			// The virtual clock moves only when the client waits, so the gap is exactly
			// the spacing: no request went early, none waited longer than needed.
			if gap := reqs[i].At.Sub(reqs[i-1].At); gap != spacing {
				t.Errorf("gap before request %d (%s) = %s, want %s", i, reqs[i].Path, gap, spacing)
			}
		}
	})

	t.Run("concurrent_queries_share_one_pace_and_cookie", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, trendstest.Options{}, func(c *trends.Config) { c.Spacing = spacing })
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for _, k := range []string{"go", "rust", "java", "kotlin"} {
			wg.Go(func() {
				_, err := e.client.InterestOverTime(context.Background(), trends.Query{Terms: []string{k}})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n := len(e.fake.Requests())
		if n != 9 || e.fake.CookieIssues() != 1 {
			t.Fatalf("requests = %d, cookies = %d; want 9 and 1 (one cookie shared by all queries)", n, e.fake.CookieIssues())
		}
		// Each request waits for its own slot, so the clock ends at or past the last
		// slot: (n-1) spacings after the start. Shared slots would end it earlier.
		if elapsed := e.clock.Now().Sub(start); elapsed < time.Duration(n-1)*spacing {
			t.Errorf("virtual time elapsed = %s, want ≥ %s for %d spaced requests", elapsed, time.Duration(n-1)*spacing, n)
		}
	})
}

func TestInterestOverTime_cookieNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	echo500 := trendstest.Fault{Endpoint: trendstest.EndpointExplore, EchoCookie: true}
	echoBad := trendstest.Fault{Endpoint: trendstest.EndpointMultiline, EchoCookie: true, Malformed: true}
	tests := []struct {
		name          string
		faults        []trendstest.Fault
		wantMalformed bool
	}{
		{name: "server_error_echoing_the_cookie", faults: []trendstest.Fault{echo500, echo500, echo500}},
		{name: "bad_request_echoing_the_cookie", faults: []trendstest.Fault{{Endpoint: trendstest.EndpointExplore, Status: 400, EchoCookie: true}}},
		{name: "malformed_body_echoing_the_cookie", faults: []trendstest.Fault{echoBad, echoBad, echoBad}, wantMalformed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, trendstest.Options{}, func(c *trends.Config) { c.MaxAttempts = 3 })
			e.fake.Inject(tt.faults...)
			_, err := e.client.InterestOverTime(context.Background(), trends.Query{Terms: []string{"go"}})
			if err == nil {
				t.Fatal("want an error")
			}
			// The error shows where the echo was, redacted (a malformed body's snippet is
			// cut before it).
			if !tt.wantMalformed && !strings.Contains(err.Error(), "NID="+"REDACTED") {
				t.Errorf("err = %v, want the echoed cookie shown as redacted", err)
			}
			var mal *trends.MalformedError
			if got := errors.As(err, &mal); got != tt.wantMalformed {
				t.Fatalf("MalformedError = %v, want %v (err %v)", got, tt.wantMalformed, err)
			}
			if mal != nil {
				assertNoCookie(t, e.fake, "MalformedError.Body", string(mal.Body))
			}
			if len(e.fake.Cookies()) == 0 {
				t.Fatal("no cookie was issued: the test proves nothing")
			}
			assertNoCookie(t, e.fake, "error", err.Error())
			assertNoCookie(t, e.fake, "logs", e.logs.String())
			if !strings.Contains(e.logs.String(), "trends") {
				t.Error("nothing was logged: the log check proves nothing")
			}
		})
	}
}

func TestInterestOverTime_refusesBadQueries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		q    trends.Query
		want string
	}{
		{name: "no_terms", q: trends.Query{}, want: "0 terms"},
		{name: "six_terms", q: trends.Query{Terms: []string{"a", "b", "c", "d", "e", "f"}}, want: "6 terms"},
		{name: "empty_term", q: trends.Query{Terms: []string{"go", "  "}}, want: "empty term"},
		{name: "same_term_twice", q: trends.Query{Terms: []string{"Go", "go "}}, want: "twice"},
		{name: "unknown_time_range", q: trends.Query{Terms: []string{"go"}, Time: "today 7-y"}, want: "today 7-y"},
		{name: "reversed_dates", q: trends.Query{Terms: []string{"go"}, Time: "2025-02-01 2025-01-01"}, want: "before the start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, trendstest.Options{}, nil)
			_, err := e.client.InterestOverTime(context.Background(), tt.q)
			if !errors.Is(err, trends.ErrPermanent) || !strings.Contains(errText(err), tt.want) {
				t.Errorf("err = %v, want a permanent error mentioning %q", err, tt.want)
			}
			if n := len(e.fake.Requests()); n != 0 {
				t.Errorf("requests = %d, want none for a query that cannot succeed", n)
			}
		})
	}
}

func TestInterestOverTime_cancelledContextStops(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{}, func(c *trends.Config) { c.Timeout = time.Minute })
	e.fake.Inject(trendstest.Fault{Endpoint: trendstest.EndpointExplore, Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel once the slow explore request has arrived.
		for len(e.fake.Requests()) < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := e.client.InterestOverTime(ctx, trends.Query{Terms: []string{"go"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(e.fake.Requests()); n != 2 {
		t.Errorf("requests = %d, want 2 (no retry after the caller gave up)", n)
	}
}

func TestConfig_validateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	if err := trends.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
	cfg := trends.Config{BaseURL: "ftp://x", Geo: "korea", HL: "Korean", TZ: 900, Time: "last year",
		MaxAttempts: 0, BaseDelay: time.Minute, MaxDelay: time.Second, Spacing: -time.Second, MaxRetryAfter: -1}
	err := cfg.Validate()
	for _, want := range []string{"TRENDS_API_URL", "TRENDS_GEO", "TRENDS_HL", "TRENDS_TZ", "TRENDS_TIME", "TRENDS_TIMEOUT",
		"TRENDS_MAX_ATTEMPTS", "TRENDS_BASE_DELAY", "TRENDS_SPACING", "TRENDS_MAX_RETRY_AFTER"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %s", err, want)
		}
	}
	if _, err := trends.NewClient(cfg); err == nil {
		t.Error("NewClient accepted an invalid config")
	}
}

func TestValidateTimeRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{name: "five_years", in: "today 5-y"},
		{name: "twelve_months", in: "today 12-m"},
		{name: "three_months", in: "today 3-m"},
		{name: "seven_days", in: "now 7-d"},
		{name: "explicit_dates", in: "2024-01-01 2024-12-31"},
		{name: "one_day", in: "2024-01-01 2024-01-01"},
		{name: "empty", in: "", wantErr: true},
		{name: "unsupported_relative", in: "today 1-m", wantErr: true},
		{name: "bad_date", in: "2024-13-01 2024-12-31", wantErr: true},
		{name: "reversed", in: "2024-12-31 2024-01-01", wantErr: true},
		{name: "before_2004", in: "2003-12-31 2024-01-01", wantErr: true},
		{name: "one_date", in: "2024-01-01", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := trends.ValidateTimeRange(tt.in); (err != nil) != tt.wantErr {
				t.Errorf("ValidateTimeRange(%q) = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
		})
	}
}

// Params go into manifests: everything that shaped the answer.
func TestClient_params(t *testing.T) {
	t.Parallel()
	e := newEnv(t, trendstest.Options{}, nil)
	got := e.client.Params(trends.Query{Terms: []string{"go", "러스트"}})
	want := map[string]string{"terms": "go,러스트", "time": "today 5-y", "geo": "KR", "hl": "ko", "tz": "-540"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Params (-want +got):\n%s", diff)
	}
	if b, _ := json.Marshal(got); len(b) == 0 {
		t.Error("params do not marshal")
	}
}
