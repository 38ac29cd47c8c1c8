package saramin_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/saramin"
	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

// testKey is distinctive so a leak is unmistakable in any output.
const testKey = "SeCrEt-KEY-7f3a9c2e1d"

var (
	now    = time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)
	window = saramin.Window{From: now.Add(-48 * time.Hour), To: now}
)

type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func dataset(t testing.TB, from, to time.Time, perDay int) []saramintest.Posting {
	t.Helper()
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 7, From: from, To: to, PerDay: perDay})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func newClient(t testing.TB, baseURL string, logs *bytes.Buffer, mod func(*saramin.Config)) (*saramin.Client, *sleeps) {
	t.Helper()
	cfg := saramin.DefaultConfig()
	cfg.BaseURL = baseURL
	cfg.AccessKey = testKey
	cfg.Timeout = 2 * time.Second
	if mod != nil {
		mod(&cfg)
	}
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	sl := &sleeps{}
	c, err := saramin.NewClient(cfg, nil, slog.New(slog.NewTextHandler(logs, nil)), saramin.WithSleep(sl.sleep))
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

func TestSearch_requestShape(t *testing.T) {
	t.Parallel()
	fake := saramintest.NewServer(saramintest.Options{Keys: []string{testKey}, Now: func() time.Time { return now }},
		dataset(t, window.From, window.To, 300)...)
	defer fake.Close()
	c, _ := newClient(t, fake.URL, nil, nil)

	page, err := c.Search(context.Background(), saramin.Request{Window: window, Start: 1})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(page.Jobs) != 110 || page.Start != 1 {
		t.Errorf("got %d jobs start %d, want 110 start 1", len(page.Jobs), page.Start)
	}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1", len(reqs))
	}
	r := reqs[0]
	want := map[string]string{
		"start": "1", "count": "110", "sort": "pa", "job_mid_cd": "2",
		"fields":        "posting-date,expiration-date,keyword-code,count",
		"published_min": "2026-11-19 19:30:00", // KST
		"published_max": "2026-11-21 19:30:00",
	}
	for k, v := range want {
		if got := r.Query.Get(k); got != v {
			t.Errorf("param %s = %q, want %q", k, got, v)
		}
	}
	if !r.HasKey || r.Accept != "application/json" {
		t.Errorf("HasKey=%v Accept=%q, want the key and application/json", r.HasKey, r.Accept)
	}
	// Ascending posting order within the window.
	for i := 1; i < len(page.Jobs); i++ {
		if page.Jobs[i].PostedAt.Before(page.Jobs[i-1].PostedAt) {
			t.Fatalf("jobs not ascending at %d", i)
		}
	}
}

func TestSearch_faults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      saramintest.Options
		faults    []saramintest.Fault
		wantErr   bool
		wantQuota bool
		wantCalls int
		wantSleep []time.Duration // exact waits, where the server dictates them
	}{
		{name: "rate_limited_honours_retry_after", faults: []saramintest.Fault{{Status: 429, RetryAfter: "7"}}, wantCalls: 2, wantSleep: []time.Duration{7 * time.Second}},
		{name: "server_error_then_success", faults: []saramintest.Fault{{Status: 500}, {Status: 503}}, wantCalls: 3},
		{name: "slow_response_times_out_then_success", faults: []saramintest.Fault{{Delay: 3 * time.Second}}, wantCalls: 2},
		{name: "truncated_body_then_success", faults: []saramintest.Fault{{Truncate: true}}, wantCalls: 2},
		{name: "malformed_body_then_success", faults: []saramintest.Fault{{Malformed: true}}, wantCalls: 2},
		{name: "code_99_is_retried", faults: []saramintest.Fault{{Code: 99}}, wantCalls: 2},
		{name: "code_99_nested_string_envelope", opts: saramintest.Options{Envelope: saramintest.EnvelopeNested, CodeAsString: true, ErrorStatus: 500}, faults: []saramintest.Fault{{Code: 99}}, wantCalls: 2},
		{name: "code_1_is_permanent", faults: []saramintest.Fault{{Code: 1}}, wantErr: true, wantCalls: 1},
		{name: "code_2_is_permanent", faults: []saramintest.Fault{{Code: 2}}, wantErr: true, wantCalls: 1},
		{name: "code_3_is_permanent_nested", opts: saramintest.Options{Envelope: saramintest.EnvelopeNested, ErrorStatus: 400}, faults: []saramintest.Fault{{Code: 3}}, wantErr: true, wantCalls: 1},
		{name: "code_4_is_quota", faults: []saramintest.Fault{{Code: 4}}, wantErr: true, wantQuota: true, wantCalls: 1},
		{name: "retry_after_too_long_fails", faults: []saramintest.Fault{{Status: 429, RetryAfter: "3600"}}, wantErr: true, wantCalls: 1},
		{name: "retries_are_bounded", faults: []saramintest.Fault{{Status: 502}, {Status: 502}, {Status: 502}, {Status: 502}, {Status: 502}, {Status: 502}}, wantErr: true, wantCalls: 5},
		{name: "server_echoing_the_url", faults: []saramintest.Fault{{EchoURL: true}, {EchoURL: true}, {EchoURL: true}, {EchoURL: true}, {EchoURL: true}}, wantErr: true, wantCalls: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Keys = []string{testKey}
			tt.opts.Now = func() time.Time { return now }
			fake := saramintest.NewServer(tt.opts, dataset(t, window.From, window.To, 100)...)
			defer fake.Close()
			fake.Inject(tt.faults...)
			var logs bytes.Buffer
			c, sl := newClient(t, fake.URL, &logs, func(c *saramin.Config) { c.Timeout = 500 * time.Millisecond })

			page, err := c.Search(context.Background(), saramin.Request{Window: window})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && len(page.Jobs) == 0 {
				t.Errorf("success returned an empty page")
			}
			if got := errors.Is(err, saramin.ErrQuotaExhausted); got != tt.wantQuota {
				t.Errorf("quota = %v, want %v (err %v)", got, tt.wantQuota, err)
			}
			if got := len(fake.Requests()); got != tt.wantCalls {
				t.Errorf("requests = %d, want %d", got, tt.wantCalls)
			}
			if tt.wantSleep != nil && !equalDurations(sl.d, tt.wantSleep) {
				t.Errorf("sleeps = %v, want %v", sl.d, tt.wantSleep)
			}
			for _, d := range sl.d {
				if d <= 0 || d > 2*time.Minute {
					t.Errorf("sleep %s outside the backoff bounds", d)
				}
			}
			assertNoSecret(t, "error", errText(err))
			assertNoSecret(t, "logs", logs.String())
		})
	}
}

func TestSearch_permanentErrorsSayWhatToFix(t *testing.T) {
	t.Parallel()
	fake := saramintest.NewServer(saramintest.Options{Keys: []string{"another-key"}, Now: func() time.Time { return now }})
	defer fake.Close()
	c, _ := newClient(t, fake.URL, nil, nil)
	_, err := c.Search(context.Background(), saramin.Request{Window: window})
	if err == nil || !strings.Contains(err.Error(), "check SARAMIN_ACCESS_KEY") {
		t.Fatalf("err = %v, want a hint to check SARAMIN_ACCESS_KEY", err)
	}
	assertNoSecret(t, "error", err.Error())
}

func TestSearch_cancelledContextStops(t *testing.T) {
	t.Parallel()
	fake := saramintest.NewServer(saramintest.Options{Now: func() time.Time { return now }})
	defer fake.Close()
	fake.Inject(saramintest.Fault{Delay: 5 * time.Second})
	c, _ := newClient(t, fake.URL, nil, func(c *saramin.Config) { c.Timeout = 10 * time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.Search(ctx, saramin.Request{Window: window})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("requests = %d, want 1 (no retry after the caller gave up)", n)
	}
	assertNoSecret(t, "error", err.Error())
}

func TestSearch_unreachableHostKeepsKeyOut(t *testing.T) {
	t.Parallel()
	// A closed port: net/http's *url.Error carries the full URL, key included.
	fake := saramintest.NewServer(saramintest.Options{})
	addr := fake.URL
	fake.Close()
	c, _ := newClient(t, addr, nil, func(c *saramin.Config) { c.MaxAttempts = 2 })
	_, err := c.Search(context.Background(), saramin.Request{Window: window})
	if err == nil {
		t.Fatal("want an error from a closed port")
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a *url.Error in the chain", err)
	}
	assertNoSecret(t, "url.Error.URL", ue.URL)
	assertNoSecret(t, "error", err.Error())
	if !strings.Contains(err.Error(), "access-key=REDACTED") {
		t.Errorf("err = %v, want the redacted URL", err)
	}
}

func TestConfig_validateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	cfg := saramin.DefaultConfig()
	cfg.BaseURL = "ftp://x"
	cfg.PageSize = 500
	cfg.Query = url.Values{"start": {"3"}, "access-key": {"k"}}
	cfg.MaxAttempts = 0
	err := cfg.Validate()
	for _, want := range []string{"SARAMIN_API_URL", "page size 500", `"start"`, `"access-key"`, "SARAMIN_MAX_ATTEMPTS"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %s", err, want)
		}
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func assertNoSecret(t testing.TB, what, s string) {
	t.Helper()
	if strings.Contains(s, testKey) || strings.Contains(s, url.QueryEscape(testKey)) {
		masked := strings.ReplaceAll(strings.ReplaceAll(s, testKey, "<KEY>"), url.QueryEscape(testKey), "<KEY>")
		t.Errorf("%s leaks the access key: %s", what, masked)
	}
}

// A key that is a common substring ("k") must not turn typed errors into opaque text:
// quota and permanent-error handling depend on the types.
func TestSearch_shortKeyKeepsErrorTypes(t *testing.T) {
	t.Parallel()
	fake := saramintest.NewServer(saramintest.Options{Now: func() time.Time { return now }})
	defer fake.Close()
	fake.Inject(saramintest.Fault{Code: 4})
	c, _ := newClient(t, fake.URL, nil, func(c *saramin.Config) { c.AccessKey = "k" })
	_, err := c.Search(context.Background(), saramin.Request{Window: window})
	if !errors.Is(err, saramin.ErrQuotaExhausted) {
		t.Fatalf("err = %v, want ErrQuotaExhausted", err)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("requests = %d, want 1: quota is not retried", n)
	}
	if !strings.Contains(err.Error(), "key's daily calls") {
		t.Errorf("the hint was mangled: %v", err)
	}
}
