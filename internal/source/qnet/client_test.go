package qnet_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/source/qnet"
	"github.com/jobpulse/jobpulse/internal/source/qnet/qnettest"
)

// The key in both forms data.go.kr hands out. It is distinctive so a leak is
// unmistakable, and holds '+', '/' and '=' so escaping mistakes show.
const (
	decodedKey = "qNetSeCrEt7f3a9c+2e1d/XyZ4wQ=="
	encodedKey = "qNetSeCrEt7f3a9c%2B2e1d%2FXyZ4wQ%3D%3D"
)

// now is 2026-11-21 19:30 KST: the default base year is 2025.
var now = time.Date(2026, 11, 21, 10, 30, 0, 0, time.UTC)

func clock() time.Time { return now }

// keyForms are the texts whose presence anywhere is a leak: every encoding of the key
// and its distinctive ends, so a key cut in half is caught too.
var keyForms = []string{
	decodedKey, encodedKey, "qNetSeCrEt7f3a9c%2b2e1d%2fXyZ4wQ%3d%3d", url.QueryEscape(encodedKey),
	strings.ReplaceAll(decodedKey, "+", " "), "qNetSeCrEt7f3a9c", "XyZ4wQ",
}

// leaks returns the forms of the key found in s.
func leaks(s string) []string {
	var found []string
	for _, f := range keyForms {
		if strings.Contains(s, f) {
			found = append(found, f)
		}
	}
	return found
}

func assertNoSecret(t testing.TB, what, s string) {
	t.Helper()
	if found := leaks(s); len(found) > 0 {
		masked := s
		for _, f := range keyForms {
			masked = strings.ReplaceAll(masked, f, "<KEY>")
		}
		t.Errorf("%s leaks the ServiceKey (%d forms): %s", what, len(found), masked)
	}
}

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

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// syncBuffer is a log sink safe for the client's goroutine and the test's reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	fake   *qnettest.Server
	client *qnet.Client
	logs   *syncBuffer
	sleeps *sleeps
}

// setup starts a fake accepting decodedKey and a client configured with key. The
// client's jitter is its maximum, so the waits are exact.
func setup(t *testing.T, opts qnettest.Options, key string, mod func(*qnet.Config), extra ...qnet.Option) *harness {
	t.Helper()
	if opts.ServiceKey == "" {
		opts.ServiceKey = decodedKey
	}
	if opts.Now == nil {
		opts.Now = clock
	}
	fake := qnettest.NewServer(opts)
	t.Cleanup(fake.Close)
	cfg := qnet.DefaultConfig()
	cfg.BaseURL = fake.URL()
	cfg.ServiceKey = key
	cfg.Timeout = 2 * time.Second
	cfg.BaseDelay, cfg.MaxDelay = time.Second, 3*time.Second
	if mod != nil {
		mod(&cfg)
	}
	h := &harness{fake: fake, logs: &syncBuffer{}, sleeps: &sleeps{}}
	logger := slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opt := append([]qnet.Option{
		qnet.WithSleep(h.sleeps.sleep),
		qnet.WithJitter(func(d time.Duration) time.Duration { return d }),
		qnet.WithClock(clock),
		qnet.WithLogger(logger),
	}, extra...)
	c, err := qnet.NewClient(cfg, opt...)
	if err != nil {
		t.Fatal(err)
	}
	h.client = c
	return h
}

// truth is the fake's five-year window for a request.
func (h *harness) truth(stage qnet.Stage, code string, baseYear int) []qnet.YearStat {
	var out []qnet.YearStat
	for y := baseYear - 4; y <= baseYear; y++ {
		out = append(out, h.fake.Stats(code, stage, y))
	}
	return out
}

func TestEventYear_formats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		format   string
		opts     qnettest.Options
		stage    qnet.Stage
		code     string
		wantType string // _type sent
	}{
		{name: "xml_written_1320", format: qnet.FormatXML, stage: qnet.StageWritten, code: qnettest.CodeEngineer},
		{name: "xml_practical_2290", format: qnet.FormatXML, stage: qnet.StagePractical, code: qnettest.CodeIndustrialEngineer},
		{name: "json_written_6921", format: qnet.FormatJSON, stage: qnet.StageWritten, code: qnettest.CodeCraftsman, wantType: "json"},
		{name: "json_item_array_practical_1320", format: qnet.FormatJSON, opts: qnettest.Options{ItemAsArray: true}, stage: qnet.StagePractical, code: qnettest.CodeEngineer, wantType: "json"},
		{name: "xml_any_other_code", format: qnet.FormatXML, stage: qnet.StageWritten, code: "7910"},
		{name: "json_without_exam_fields", format: qnet.FormatJSON, opts: qnettest.Options{OmitExamFields: true}, stage: qnet.StageWritten, code: qnettest.CodeEngineer, wantType: "json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, tt.opts, encodedKey, func(c *qnet.Config) { c.Format = tt.format })
			resp, err := h.client.EventYear(context.Background(), tt.stage, tt.code, 2025)
			if err != nil {
				t.Fatalf("EventYear: %v", err)
			}
			if diff := cmp.Diff(h.truth(tt.stage, tt.code, 2025), resp.Stats); diff != "" {
				t.Errorf("stats (-fake +client):\n%s", diff)
			}
			wantName := h.fake.ExamName(tt.code)
			if tt.opts.OmitExamFields {
				wantName = ""
			}
			if resp.ExamName != wantName || resp.BaseYear != 2025 {
				t.Errorf("name %q base year %d, want %q 2025", resp.ExamName, resp.BaseYear, wantName)
			}
			if want := h.fake.Body(tt.stage, tt.code, 2025, tt.format); !bytes.Equal(resp.Raw, want) {
				t.Errorf("Raw is not the exact body:\n got %.200s\nwant %.200s", resp.Raw, want)
			}
			reqs := h.fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("requests = %d, want 1", len(reqs))
			}
			r := reqs[0]
			want := url.Values{"jmCd": {tt.code}, "baseYY": {"2025"}}
			if tt.wantType != "" {
				want.Set("_type", tt.wantType)
			}
			if diff := cmp.Diff(want, r.Query); diff != "" || r.Operation != tt.stage.Operation() || !r.KeyAccepted {
				t.Errorf("request %s key accepted %v, params (-want +got):\n%s", r.Operation, r.KeyAccepted, diff)
			}
			if h.client.Attempts() != 1 {
				t.Errorf("Attempts = %d, want 1", h.client.Attempts())
			}
		})
	}
}

// keyRecorder keeps the raw query of each request so the wire form of the key can be
// compared; it never prints it.
type keyRecorder struct {
	mu    sync.Mutex
	raw   []string
	inner http.RoundTripper
}

func (k *keyRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	k.mu.Lock()
	k.raw = append(k.raw, r.URL.RawQuery)
	k.mu.Unlock()
	return k.inner.RoundTrip(r)
}

func TestEventYear_serviceKeyEncodedExactlyOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  string
	}{
		{name: "encoding_key", key: encodedKey},
		{name: "decoding_key", key: decodedKey},
		{name: "encoding_key_with_trailing_newline", key: encodedKey + "\n"},
		{name: "encoding_key_lower_case_hex", key: "qNetSeCrEt7f3a9c%2b2e1d%2fXyZ4wQ%3d%3d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &keyRecorder{inner: http.DefaultTransport}
			h := setup(t, qnettest.Options{}, tt.key, nil, qnet.WithHTTPClient(&http.Client{Transport: rec}))
			if _, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 0); err != nil {
				t.Fatalf("EventYear: %v", err)
			}
			if r := h.fake.Requests()[0]; !r.HasKey || !r.KeyAccepted {
				t.Errorf("fake: key sent %v accepted %v, want both", r.HasKey, r.KeyAccepted)
			}
			q, err := url.ParseQuery(rec.raw[0])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(rec.raw[0], "ServiceKey="+encodedKey) || q.Get("ServiceKey") != decodedKey {
				t.Errorf("the key is not escaped exactly once on the wire (want ServiceKey=<the Encoding key>)")
			}
		})
	}
}

func TestEventYear_faults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		opts          qnettest.Options
		faults        []qnettest.Fault
		timeout       time.Duration
		wantCalls     int
		wantSleeps    []time.Duration // nil: no retry
		wantCode      string          // an *APIError with this code
		wantQuota     bool
		wantMalformed bool
		wantHTTP      int
		wantHint      string // part of the message telling what to do
	}{
		{name: "code_05_twice_then_success", faults: qnettest.Repeat(2, qnettest.Fault{Code: "05"}), wantCalls: 3, wantSleeps: []time.Duration{time.Second, 2 * time.Second}},
		{name: "code_01_then_success", faults: []qnettest.Fault{{Code: "01"}}, wantCalls: 2, wantSleeps: []time.Duration{time.Second}},
		{name: "code_04_then_success", faults: []qnettest.Fault{{Code: "04"}}, wantCalls: 2, wantSleeps: []time.Duration{time.Second}},
		{name: "gateway_99_then_success", faults: []qnettest.Fault{{Code: "99"}}, wantCalls: 2, wantSleeps: []time.Duration{time.Second}},
		{name: "http_500_then_success", faults: []qnettest.Fault{{Status: 500}}, wantCalls: 2, wantSleeps: []time.Duration{time.Second}},
		{name: "http_503_twice_then_success", faults: qnettest.Repeat(2, qnettest.Fault{Status: 503}), wantCalls: 3, wantSleeps: []time.Duration{time.Second, 2 * time.Second}},
		{name: "truncated_body_then_success", faults: []qnettest.Fault{{Truncate: true}}, wantCalls: 2, wantSleeps: []time.Duration{time.Second}},
		{name: "malformed_xml_then_success", faults: []qnettest.Fault{{Malformed: true}}, wantCalls: 2, wantSleeps: []time.Duration{time.Second}},
		{name: "slow_answer_times_out_then_success", faults: []qnettest.Fault{{Delay: 5 * time.Second}}, timeout: time.Second, wantCalls: 2, wantSleeps: []time.Duration{time.Second}},
		{name: "retries_are_bounded_and_capped", faults: qnettest.Repeat(9, qnettest.Fault{Code: "05"}), wantCalls: 4, wantSleeps: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, wantCode: "05"},
		{name: "malformed_every_time_keeps_the_body", faults: qnettest.Repeat(4, qnettest.Fault{Malformed: true}), wantCalls: 4, wantSleeps: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, wantMalformed: true},
		{name: "echoed_url_in_a_200_page", faults: qnettest.Repeat(4, qnettest.Fault{EchoURL: true}), wantCalls: 4, wantSleeps: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, wantMalformed: true},
		{name: "echoed_url_in_a_502_page", faults: qnettest.Repeat(4, qnettest.Fault{EchoURL: true, Status: 502}), wantCalls: 4, wantSleeps: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, wantHTTP: 502},
		{name: "http_404_is_permanent", faults: []qnettest.Fault{{Status: 404}}, wantCalls: 1, wantHTTP: 404},
		{name: "code_10_is_permanent", faults: []qnettest.Fault{{Code: "10"}}, wantCalls: 1, wantCode: "10", wantHint: "check the exam codes"},
		{name: "code_11_is_permanent", faults: []qnettest.Fault{{Code: "11"}}, wantCalls: 1, wantCode: "11", wantHint: "configured exam codes"},
		{name: "code_12_is_permanent", faults: []qnettest.Fault{{Code: "12"}}, wantCalls: 1, wantCode: "12", wantHint: "check QNET_API_URL"},
		{name: "code_20_is_permanent", faults: []qnettest.Fault{{Code: "20"}}, wantCalls: 1, wantCode: "20", wantHint: "apply for"},
		{name: "code_30_wrong_key", opts: qnettest.Options{ServiceKey: "another+key=="}, wantCalls: 1, wantCode: "30", wantHint: "check QNET_SERVICE_KEY"},
		{name: "code_31_expired", faults: []qnettest.Fault{{Code: "31"}}, wantCalls: 1, wantCode: "31", wantHint: "extend the application"},
		{name: "code_32_unregistered_ip", faults: []qnettest.Fault{{Code: "32"}}, wantCalls: 1, wantCode: "32", wantHint: "IP address is not registered"},
		{name: "code_22_is_quota", faults: []qnettest.Fault{{Code: "22"}}, wantCalls: 1, wantCode: "22", wantQuota: true, wantHint: "resumes tomorrow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, tt.opts, encodedKey, func(c *qnet.Config) {
				if tt.timeout > 0 {
					c.Timeout = tt.timeout
				}
			})
			h.fake.Inject(tt.faults...)
			resp, err := h.client.EventYear(context.Background(), qnet.StageWritten, qnettest.CodeEngineer, 2025)

			wantErr := tt.wantCode != "" || tt.wantMalformed || tt.wantHTTP != 0
			if (err != nil) != wantErr {
				t.Fatalf("err = %v, want error %v", err, wantErr)
			}
			if err == nil {
				if diff := cmp.Diff(h.truth(qnet.StageWritten, qnettest.CodeEngineer, 2025), resp.Stats); diff != "" {
					t.Errorf("stats after recovery (-fake +client):\n%s", diff)
				}
			} else if resp != nil {
				t.Errorf("a failed request returned a response")
			}
			if got := len(h.fake.Requests()); got != tt.wantCalls || h.client.Attempts() != tt.wantCalls {
				t.Errorf("requests = %d, Attempts() = %d, want %d", got, h.client.Attempts(), tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantSleeps, h.sleeps.got()); diff != "" {
				t.Errorf("backoff waits (-want +got):\n%s", diff)
			}
			var apiErr *qnet.APIError
			if errors.As(err, &apiErr) != (tt.wantCode != "") || (apiErr != nil && apiErr.Code != tt.wantCode) {
				t.Errorf("err = %v, want an APIError %q", err, tt.wantCode)
			}
			if got := errors.Is(err, qnet.ErrQuotaExhausted); got != tt.wantQuota {
				t.Errorf("ErrQuotaExhausted = %v, want %v", got, tt.wantQuota)
			}
			if errors.Is(err, qnet.ErrNotCovered) {
				t.Errorf("a failure reads as not covered: %v", err)
			}
			var mal *qnet.MalformedError
			if errors.As(err, &mal) != tt.wantMalformed {
				t.Errorf("err = %v, want MalformedError %v", err, tt.wantMalformed)
			}
			if mal != nil && len(mal.Body) == 0 {
				t.Errorf("MalformedError without the body to quarantine")
			}
			var httpErr *qnet.HTTPError
			if errors.As(err, &httpErr) != (tt.wantHTTP != 0) || (httpErr != nil && httpErr.Status != tt.wantHTTP) {
				t.Errorf("err = %v, want HTTP status %d", err, tt.wantHTTP)
			}
			if tt.wantHint != "" && !strings.Contains(fmt.Sprint(err), tt.wantHint) {
				t.Errorf("err = %v, want the hint %q", err, tt.wantHint)
			}
			if len(tt.wantSleeps) > 0 && !strings.Contains(h.logs.String(), "qnet request failed; retrying") {
				t.Errorf("retries were not logged")
			}
			assertNoSecret(t, "error", fmt.Sprint(err))
			assertNoSecret(t, "logs", h.logs.String())
			if mal != nil {
				assertNoSecret(t, "quarantined body", string(mal.Body))
			}
		})
	}
}

func TestEventYear_dailyQuotaStopsTheRun(t *testing.T) {
	t.Parallel()
	h := setup(t, qnettest.Options{DailyQuota: 1}, encodedKey, nil)
	if _, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 2025); err != nil {
		t.Fatalf("first call: %v", err)
	}
	_, err := h.client.EventYear(context.Background(), qnet.StagePractical, "1320", 2025)
	if !errors.Is(err, qnet.ErrQuotaExhausted) {
		t.Fatalf("err = %v, want ErrQuotaExhausted", err)
	}
	if h.client.Attempts() != 2 || h.fake.Calls() != 1 || len(h.sleeps.got()) != 0 {
		t.Errorf("attempts %d, counted calls %d, waits %v; want 2, 1 and no retry", h.client.Attempts(), h.fake.Calls(), h.sleeps.got())
	}
}

func TestEventYear_malformedBodyIsKeptExactly(t *testing.T) {
	t.Parallel()
	h := setup(t, qnettest.Options{}, encodedKey, func(c *qnet.Config) { c.MaxAttempts = 1 })
	h.fake.Inject(qnettest.Fault{Malformed: true})
	_, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 2025)
	var mal *qnet.MalformedError
	if !errors.As(err, &mal) {
		t.Fatalf("err = %v, want a MalformedError", err)
	}
	full := h.fake.Body(qnet.StageWritten, qnettest.CodeEngineer, 2024, qnet.FormatXML)
	if want := full[:len(full)*2/3]; !bytes.Equal(mal.Body, want) {
		t.Errorf("Body = %q, want the %d bytes served", mal.Body, len(want))
	}
	if !strings.Contains(err.Error(), "invalid XML") {
		t.Errorf("err = %v, want the reason", err)
	}
}

func TestEventYear_backoffHasEqualJitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		jitter func(time.Duration) time.Duration
		want   []time.Duration
	}{
		{name: "no_jitter_is_half", jitter: func(time.Duration) time.Duration { return 0 }, want: []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond}},
		{name: "full_jitter_is_the_step", jitter: func(d time.Duration) time.Duration { return d }, want: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}},
		{name: "out_of_range_jitter_is_clamped", jitter: func(d time.Duration) time.Duration { return 10 * d }, want: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, qnettest.Options{}, decodedKey, nil, qnet.WithJitter(tt.jitter))
			h.fake.Inject(qnettest.Repeat(3, qnettest.Fault{Code: "05"})...)
			if _, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 2025); err != nil {
				t.Fatalf("EventYear: %v", err)
			}
			if diff := cmp.Diff(tt.want, h.sleeps.got()); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("random_jitter_stays_in_bounds", func(t *testing.T) {
		t.Parallel()
		fake := qnettest.NewServer(qnettest.Options{Now: clock})
		defer fake.Close()
		fake.Inject(qnettest.Repeat(3, qnettest.Fault{Code: "05"})...)
		cfg := qnet.DefaultConfig()
		cfg.BaseURL, cfg.ServiceKey = fake.URL(), decodedKey
		sl := &sleeps{}
		c, err := qnet.NewClient(cfg, qnet.WithSleep(sl.sleep), qnet.WithClock(clock))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.EventYear(context.Background(), qnet.StageWritten, "1320", 2025); err != nil {
			t.Fatalf("EventYear: %v", err)
		}
		for i, d := range sl.got() {
			step := min(cfg.BaseDelay<<i, cfg.MaxDelay)
			if d < step/2 || d > step {
				t.Errorf("wait %d = %s, want within [%s, %s]", i+1, d, step/2, step)
			}
		}
	})
}

func TestEventYear_notCovered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format string
		fault  []qnettest.Fault
	}{
		{name: "xml_empty_items", format: qnet.FormatXML},
		{name: "json_items_empty_string", format: qnet.FormatJSON},
		{name: "xml_nodata_03", format: qnet.FormatXML, fault: []qnettest.Fault{{Code: "03"}}},
		{name: "json_nodata_03", format: qnet.FormatJSON, fault: []qnettest.Fault{{Code: "03"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// 9999 stands for an exam outside Q-Net, such as K-DATA's 빅데이터분석기사.
			h := setup(t, qnettest.Options{Uncovered: []string{"9999"}}, encodedKey, func(c *qnet.Config) { c.Format = tt.format })
			h.fake.Inject(tt.fault...)
			code := "9999"
			if tt.fault != nil {
				code = "1320"
			}
			resp, err := h.client.EventYear(context.Background(), qnet.StagePractical, code, 2025)
			if !errors.Is(err, qnet.ErrNotCovered) {
				t.Fatalf("err = %v, want ErrNotCovered", err)
			}
			var nc *qnet.NotCoveredError
			if !errors.As(err, &nc) || nc.ExamCode != code || nc.Stage != qnet.StagePractical || nc.BaseYear != 2025 {
				t.Errorf("err = %#v, want a NotCoveredError for %s practical 2025", nc, code)
			}
			if resp == nil || len(resp.Raw) == 0 || resp.Stats != nil {
				t.Errorf("resp = %+v, want the raw answer as evidence and no stats", resp)
			}
			if n := len(h.fake.Requests()); n != 1 {
				t.Errorf("requests = %d, want 1: an empty answer is final", n)
			}
			if !strings.Contains(err.Error(), "drop the exam") {
				t.Errorf("err = %v, want advice", err)
			}
		})
	}
}

func TestEventYear_yearsAndVariants(t *testing.T) {
	t.Parallel()
	t.Run("current_year_is_not_tallied", func(t *testing.T) {
		t.Parallel()
		h := setup(t, qnettest.Options{}, encodedKey, nil)
		resp, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 2026)
		if err != nil {
			t.Fatalf("EventYear: %v", err)
		}
		cur, prev := resp.Stats[4], resp.Stats[3]
		if cur.Year != 2026 || cur.Applicants != nil || cur.Passers != nil || cur.PassRate() != nil {
			t.Errorf("2026 = %+v, want NULL counts", cur)
		}
		if prev.Year != 2025 || prev.Applicants == nil {
			t.Errorf("2025 = %+v, want counts", prev)
		}
	})
	t.Run("commas_and_sparse_counts", func(t *testing.T) {
		t.Parallel()
		for _, format := range []string{qnet.FormatXML, qnet.FormatJSON} {
			h := setup(t, qnettest.Options{CommaCounts: true, SparseCounts: true}, decodedKey, func(c *qnet.Config) { c.Format = format })
			resp, err := h.client.EventYear(context.Background(), qnet.StagePractical, "1320", 2025)
			if err != nil {
				t.Fatalf("%s: EventYear: %v", format, err)
			}
			want := h.truth(qnet.StagePractical, "1320", 2025)
			for i := range 2 { // 2021 missing, 2022 empty
				want[i].Applicants, want[i].Passers, want[i].Registrants = nil, nil, nil
			}
			if diff := cmp.Diff(want, resp.Stats); diff != "" {
				t.Errorf("%s: stats (-want +got):\n%s", format, diff)
			}
			if !bytes.Contains(resp.Raw, []byte(",")) || *want[4].Applicants < 1000 {
				t.Errorf("%s: the variant sent no thousands separators", format)
			}
		}
	})
	t.Run("plausible_magnitudes", func(t *testing.T) {
		t.Parallel()
		h := setup(t, qnettest.Options{}, decodedKey, nil)
		w, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 0)
		if err != nil {
			t.Fatal(err)
		}
		p, err := h.client.EventYear(context.Background(), qnet.StagePractical, "1320", 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range w.Stats {
			ws, ps := w.Stats[i], p.Stats[i]
			if a := *ws.Applicants; a < 70_000 || a > 170_000 {
				t.Errorf("%d written applicants %d, want ~100k", ws.Year, a)
			}
			if *ps.Applicants >= *ws.Applicants {
				t.Errorf("%d practical applicants %d ≥ written %d", ps.Year, *ps.Applicants, *ws.Applicants)
			}
			for _, s := range []qnet.YearStat{ws, ps} {
				if r := *s.PassRate(); r < 0.2 || r > 0.7 {
					t.Errorf("%d %s pass rate %.2f outside 20–70%%", s.Year, s.Stage, r)
				}
			}
		}
		if *w.Stats[4].Applicants <= *w.Stats[0].Applicants {
			t.Errorf("written applicants not rising: %d in %d, %d in %d", *w.Stats[0].Applicants, w.Stats[0].Year, *w.Stats[4].Applicants, w.Stats[4].Year)
		}
	})
}

func TestClient_defaultBaseYearIsLastYearInKST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		at   time.Time
		want int
	}{
		{name: "new_year_in_kst_before_utc", at: time.Date(2026, 12, 31, 15, 30, 0, 0, time.UTC), want: 2026},
		{name: "still_the_old_year_in_kst", at: time.Date(2026, 12, 31, 14, 30, 0, 0, time.UTC), want: 2025},
		{name: "mid_year", at: now, want: 2025},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			at := func() time.Time { return tt.at }
			h := setup(t, qnettest.Options{Now: at}, encodedKey, nil, qnet.WithClock(at))
			resp, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 0)
			if err != nil {
				t.Fatalf("EventYear: %v", err)
			}
			if resp.BaseYear != tt.want || resp.Stats[4].Year != tt.want || resp.Stats[0].Year != tt.want-4 {
				t.Errorf("base year %d, window %d..%d; want %d", resp.BaseYear, resp.Stats[0].Year, resp.Stats[4].Year, tt.want)
			}
			if got := h.fake.Requests()[0].Query.Get("baseYY"); got != fmt.Sprint(tt.want) {
				t.Errorf("baseYY = %s, want %d", got, tt.want)
			}
			if got := h.client.Params(qnet.StageWritten, "1320", 0)["baseYY"]; got != fmt.Sprint(tt.want) {
				t.Errorf("Params baseYY = %s, want %d", got, tt.want)
			}
		})
	}
}

func TestClient_Params(t *testing.T) {
	t.Parallel()
	for _, key := range []string{encodedKey, decodedKey} {
		for _, format := range []string{qnet.FormatXML, qnet.FormatJSON} {
			h := setup(t, qnettest.Options{}, key, func(c *qnet.Config) { c.Format = format })
			got := h.client.Params(qnet.StagePractical, "1320", 2024)
			want := map[string]string{"operation": "getEventYearSiList", "jmCd": "1320", "baseYY": "2024"}
			if format == qnet.FormatJSON {
				want["_type"] = "json"
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Params (-want +got):\n%s", diff)
			}
			assertNoSecret(t, "Params", fmt.Sprint(got))
		}
	}
}

func TestEventYear_rejectsBadRequestsWithoutCalling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		stage qnet.Stage
		code  string
		year  int
		want  string
	}{
		{name: "unknown_stage", stage: "oral", code: "1320", year: 2025, want: `unknown stage "oral"`},
		{name: "empty_exam_code", stage: qnet.StageWritten, code: "", year: 2025, want: "numeric jmCd"},
		{name: "exam_name_for_code", stage: qnet.StageWritten, code: "정보처리기사", year: 2025, want: "numeric jmCd"},
		{name: "code_with_query_characters", stage: qnet.StageWritten, code: "1320&baseYY=1999", year: 2025, want: "numeric jmCd"},
		{name: "future_year", stage: qnet.StageWritten, code: "1320", year: 2027, want: "base year 2027"},
		{name: "ancient_year", stage: qnet.StageWritten, code: "1320", year: 1900, want: "base year 1900"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, qnettest.Options{}, encodedKey, nil)
			_, err := h.client.EventYear(context.Background(), tt.stage, tt.code, tt.year)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %s", err, tt.want)
			}
			if n := len(h.fake.Requests()); n != 0 || h.client.Attempts() != 0 {
				t.Errorf("requests = %d, want none for a bad request", n)
			}
		})
	}
}

func TestEventYear_cancelledContextStops(t *testing.T) {
	t.Parallel()
	h := setup(t, qnettest.Options{}, encodedKey, func(c *qnet.Config) { c.Timeout = 10 * time.Second })
	h.fake.Inject(qnettest.Fault{Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := h.client.EventYear(ctx, qnet.StageWritten, "1320", 2025)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if n := len(h.fake.Requests()); n != 1 {
		t.Errorf("requests = %d, want 1 (no retry after the caller gave up)", n)
	}
	assertNoSecret(t, "error", err.Error())
}

func TestEventYear_unreachableHostKeepsKeyOut(t *testing.T) {
	t.Parallel()
	for _, key := range []string{encodedKey, decodedKey} {
		// A closed port: net/http's *url.Error carries the full URL, key included.
		h := setup(t, qnettest.Options{}, key, func(c *qnet.Config) { c.MaxAttempts = 2 })
		h.fake.Close()
		_, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 2025)
		var ue *url.Error
		if !errors.As(err, &ue) {
			t.Fatalf("err = %v, want a *url.Error in the chain", err)
		}
		assertNoSecret(t, "url.Error.URL", ue.URL)
		assertNoSecret(t, "error", err.Error())
		assertNoSecret(t, "logs", h.logs.String())
		if !strings.Contains(err.Error(), "ServiceKey=REDACTED") {
			t.Errorf("err = %v, want the redacted URL", err)
		}
	}
}

// TestServiceKey_neverLeaks runs every path that can carry the key — success, retries,
// each error kind, a server echoing the URL, a closed port — with the key in both
// forms, and greps errors, logs, Params and the fake's records.
func TestServiceKey_neverLeaks(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		opts   qnettest.Options
		faults []qnettest.Fault
	}{
		{name: "success"},
		{name: "transient_then_success", faults: []qnettest.Fault{{Code: "05"}, {Status: 500}, {Truncate: true}}},
		{name: "echo_url", faults: []qnettest.Fault{{EchoURL: true}, {EchoURL: true, Status: 500}, {EchoURL: true}, {EchoURL: true}}},
		{name: "wrong_key", opts: qnettest.Options{ServiceKey: "someone+else=="}},
		{name: "quota", faults: []qnettest.Fault{{Code: "22"}}},
		{name: "not_covered", opts: qnettest.Options{Uncovered: []string{"1320"}}},
		{name: "timeout", faults: []qnettest.Fault{{Delay: 5 * time.Second}}},
	}
	for _, key := range []struct{ name, value string }{{"encoded", encodedKey}, {"decoded", decodedKey}} {
		for _, sc := range scenarios {
			t.Run(key.name+"_"+sc.name, func(t *testing.T) {
				t.Parallel()
				h := setup(t, sc.opts, key.value, func(c *qnet.Config) { c.Timeout = time.Second })
				h.fake.Inject(sc.faults...)
				var out strings.Builder
				for range 2 { // the second call runs after the faults are spent
					resp, err := h.client.EventYear(context.Background(), qnet.StageWritten, "1320", 2025)
					fmt.Fprintf(&out, "%v %+v %#v\n", err, err, err)
					if resp != nil {
						fmt.Fprintf(&out, "%s %+v\n", resp.Raw, resp)
					}
					var mal *qnet.MalformedError
					if errors.As(err, &mal) {
						fmt.Fprintf(&out, "%s\n", mal.Body)
					}
				}
				fmt.Fprintf(&out, "%v\n%+v\n", h.client.Params(qnet.StageWritten, "1320", 2025), h.fake.Requests())
				assertNoSecret(t, "errors, responses, params and recorded requests", out.String())
				assertNoSecret(t, "logs", h.logs.String())
			})
		}
	}
}

// TestLeakDetector_catchesEveryForm is the mutation check of the tests above: the
// detector must see the key in each form it can take, including the raw *url.Error
// that net/http produces when nothing redacts it.
func TestLeakDetector_catchesEveryForm(t *testing.T) {
	t.Parallel()
	samples := map[string]string{
		"decoded":          "key " + decodedKey,
		"encoded":          "GET /x?ServiceKey=" + encodedKey + "&jmCd=1320",
		"lower_hex":        "ServiceKey=qNetSeCrEt7f3a9c%2b2e1d%2fXyZ4wQ%3d%3d",
		"double_encoded":   url.QueryEscape("http://h/?ServiceKey=" + encodedKey),
		"plus_as_space":    "ServiceKey: " + strings.ReplaceAll(decodedKey, "+", " "),
		"cut_at_the_end":   "…ServiceKey=" + encodedKey[:20],
		"cut_at_the_start": encodedKey[len(encodedKey)-14:] + "&baseYY=2025",
	}
	// Without redaction, net/http's error quotes the key.
	fake := qnettest.NewServer(qnettest.Options{})
	fake.Close()
	_, err := http.Get(fake.URL() + "/getEventYearPiList?ServiceKey=" + encodedKey)
	samples["raw_url_error"] = fmt.Sprint(err)
	for name, s := range samples {
		if len(leaks(s)) == 0 {
			t.Errorf("%s: the detector misses the key", name)
		}
	}
	if found := leaks("ServiceKey=REDACTED&jmCd=1320&baseYY=2025"); len(found) != 0 {
		t.Errorf("the detector flags redacted text: %v", found)
	}
}

func TestConfig_validateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	cfg := qnet.Config{BaseURL: "ftp://x", Format: "csv", BaseDelay: 5 * time.Second, MaxDelay: time.Second}
	err := cfg.Validate()
	for _, want := range []string{"QNET_API_URL", "QNET_SERVICE_KEY is empty", "QNET_FORMAT", "QNET_TIMEOUT", "QNET_MAX_ATTEMPTS", "QNET_BASE_DELAY"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %s", err, want)
		}
	}
	if _, err := qnet.NewClient(cfg); err == nil {
		t.Error("NewClient accepted an invalid config")
	}

	keys := []struct {
		name, key, want string
	}{
		{name: "broken_percent_encoding", key: encodedKey + "%zz", want: "not valid percent-encoding"},
		{name: "space_inside", key: strings.ReplaceAll(decodedKey, "+", " "), want: "white space"},
		{name: "query_in_base_url", key: encodedKey, want: "remove the query string"},
	}
	for _, tt := range keys {
		cfg := qnet.DefaultConfig()
		cfg.ServiceKey = tt.key
		if tt.name == "query_in_base_url" {
			cfg.BaseURL = qnet.DefaultBaseURL + "?ServiceKey=" + encodedKey
		}
		err := cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
		assertNoSecret(t, tt.name+" validation error", fmt.Sprint(err))
	}
	good := qnet.DefaultConfig()
	good.ServiceKey = encodedKey
	if err := good.Validate(); err != nil {
		t.Errorf("DefaultConfig with a key: %v", err)
	}
}
