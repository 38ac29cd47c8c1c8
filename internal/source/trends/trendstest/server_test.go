package trendstest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

// now is 10:30 KST on Saturday 2026-11-21.
var now = time.Date(2026, 11, 21, 1, 30, 0, 0, time.UTC)

// raw speaks to the fake by hand, the way the real client would.
type raw struct {
	t    *testing.T
	fake *trendstest.Server
	nid  string
}

func newRaw(t *testing.T, opts trendstest.Options) *raw {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	fake := trendstest.NewServer(opts)
	t.Cleanup(fake.Close)
	return &raw{t: t, fake: fake}
}

func (r *raw) get(path string, q url.Values) (int, http.Header, []byte) {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.fake.URL()+path+"?"+q.Encode(), nil)
	if err != nil {
		r.t.Fatal(err)
	}
	if r.nid != "" {
		req.Header.Set("Cookie", "NID="+r.nid)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, resp.Header, body
}

func (r *raw) cookie() {
	r.t.Helper()
	status, h, _ := r.get(trendstest.PathCookie, url.Values{"geo": {"KR"}})
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "NID" {
			r.nid = c.Value
		}
	}
	if status != 200 || r.nid == "" {
		r.t.Fatalf("cookie page: status %d, NID %v", status, r.nid != "")
	}
}

func exploreReq(timeRange string, terms ...string) string {
	var items []string
	for _, t := range terms {
		items = append(items, fmt.Sprintf(`{"keyword":%q,"geo":"KR","time":%q}`, t, timeRange))
	}
	return `{"comparisonItem":[` + strings.Join(items, ",") + `],"category":0,"property":""}`
}

func locale(v url.Values) url.Values {
	v.Set("hl", "ko")
	v.Set("tz", "-540")
	return v
}

type widget struct {
	ID      string          `json:"id"`
	Token   string          `json:"token"`
	Request json.RawMessage `json:"request"`
}

// explore returns the TIMESERIES widget and every widget id.
func (r *raw) explore(timeRange string, terms ...string) (widget, []string) {
	r.t.Helper()
	status, _, body := r.get(trendstest.PathExplore, locale(url.Values{"req": {exploreReq(timeRange, terms...)}}))
	if status != 200 || !bytes.HasPrefix(body, []byte(")]}'")) {
		r.t.Fatalf("explore: status %d, body %.80s", status, body)
	}
	var parsed struct{ Widgets []widget }
	if err := json.Unmarshal(bytes.TrimPrefix(body, []byte(")]}'")), &parsed); err != nil {
		r.t.Fatalf("explore body: %v", err)
	}
	var ts widget
	var ids []string
	for _, w := range parsed.Widgets {
		ids = append(ids, w.ID)
		if w.ID == "TIMESERIES" {
			ts = w
		}
	}
	return ts, ids
}

type point struct {
	Time           string   `json:"time"`
	Value          []int    `json:"value"`
	HasData        []bool   `json:"hasData"`
	FormattedValue []string `json:"formattedValue"`
	IsPartial      bool     `json:"isPartial"`
}

func (r *raw) multiline(w widget) (int, []point) {
	r.t.Helper()
	status, _, body := r.get(trendstest.PathMultiline, locale(url.Values{"req": {string(w.Request)}, "token": {w.Token}}))
	if status != 200 {
		return status, nil
	}
	if !bytes.HasPrefix(body, []byte(")]}',")) {
		r.t.Fatalf("multiline body lacks its prefix: %.20s", body)
	}
	var parsed struct {
		Default struct{ TimelineData []point }
	}
	if err := json.Unmarshal(body[5:], &parsed); err != nil {
		r.t.Fatalf("multiline body: %v", err)
	}
	return status, parsed.Default.TimelineData
}

func TestServer_apiNeedsAnIssuedCookie(t *testing.T) {
	t.Parallel()
	r := newRaw(t, trendstest.Options{})
	q := locale(url.Values{"req": {exploreReq("today 5-y", "go")}})
	if status, _, _ := r.get(trendstest.PathExplore, q); status != http.StatusTooManyRequests {
		t.Errorf("explore without cookie: status %d, want 429", status)
	}
	r.nid = "511=made-up"
	if status, _, _ := r.get(trendstest.PathExplore, q); status != http.StatusTooManyRequests {
		t.Errorf("explore with a cookie the fake never issued: status %d, want 429", status)
	}
	r.cookie()
	if status, _, _ := r.get(trendstest.PathExplore, q); status != http.StatusOK {
		t.Errorf("explore with an issued cookie: status %d, want 200", status)
	}
	r.fake.ExpireCookies()
	if status, _, _ := r.get(trendstest.PathExplore, q); status != http.StatusTooManyRequests {
		t.Errorf("explore with an expired cookie: status %d, want 429", status)
	}
	r.cookie()
	if n := r.fake.CookieIssues(); n != 2 || len(r.fake.Cookies()) != 2 || r.fake.Cookies()[0] == r.fake.Cookies()[1] {
		t.Errorf("cookie issues = %d, want 2 distinct", n)
	}
	reqs := r.fake.Requests()
	if last := reqs[len(reqs)-2]; !last.HasCookie || last.CookieValid {
		t.Errorf("recorded %+v, want a cookie that was no longer valid", last)
	}
}

func TestServer_widgetTokenIsBoundToItsRequestBytes(t *testing.T) {
	t.Parallel()
	r := newRaw(t, trendstest.Options{})
	r.cookie()
	w, ids := r.explore("today 12-m", "go", "rust")
	if diff := cmp.Diff([]string{"TIMESERIES", "RELATED_QUERIES_0", "RELATED_QUERIES_1"}, ids); diff != "" {
		t.Errorf("widgets (-want +got):\n%s", diff)
	}
	var req struct {
		Time           string `json:"time"`
		Resolution     string `json:"resolution"`
		Locale         string `json:"locale"`
		ComparisonItem []struct {
			Geo                        map[string]string `json:"geo"`
			ComplexKeywordsRestriction struct {
				Keyword []struct{ Type, Value string } `json:"keyword"`
			} `json:"complexKeywordsRestriction"`
		} `json:"comparisonItem"`
		RequestOptions map[string]any `json:"requestOptions"`
	}
	if err := json.Unmarshal(w.Request, &req); err != nil {
		t.Fatal(err)
	}
	if req.Time != "2025-11-21 2026-11-21" || req.Resolution != "WEEK" || req.Locale != "ko" || len(req.ComparisonItem) != 2 ||
		req.ComparisonItem[1].Geo["country"] != "KR" || req.ComparisonItem[1].ComplexKeywordsRestriction.Keyword[0].Value != "rust" ||
		req.RequestOptions["backend"] != "IZG" {
		t.Errorf("widget request = %s", w.Request)
	}

	if status, pts := r.multiline(w); status != 200 || len(pts) != 53 {
		t.Fatalf("multiline with the exact request: status %d, %d points; want 200 and 53", status, len(pts))
	}
	// Decoded and re-encoded, the request means the same but its bytes differ.
	var generic map[string]any
	if err := json.Unmarshal(w.Request, &generic); err != nil {
		t.Fatal(err)
	}
	reencoded, err := json.Marshal(generic)
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := r.multiline(widget{Token: w.Token, Request: reencoded}); status != http.StatusBadRequest {
		t.Errorf("multiline with a re-encoded request: status %d, want 400", status)
	}
	if status, _ := r.multiline(widget{Token: w.Token + "x", Request: w.Request}); status != http.StatusUnauthorized {
		t.Errorf("multiline with an unknown token: status %d, want 401", status)
	}
}

func TestServer_exploreRefusesBadRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		q    url.Values
	}{
		{name: "six_terms", q: locale(url.Values{"req": {exploreReq("today 5-y", "a", "b", "c", "d", "e", "f")}})},
		{name: "no_terms", q: locale(url.Values{"req": {exploreReq("today 5-y")}})},
		{name: "other_geo", q: locale(url.Values{"req": {`{"comparisonItem":[{"keyword":"go","geo":"JP","time":"today 5-y"}],"category":0,"property":""}`}})},
		{name: "mixed_time_ranges", q: locale(url.Values{"req": {`{"comparisonItem":[{"keyword":"go","geo":"KR","time":"today 5-y"},{"keyword":"r","geo":"KR","time":"now 7-d"}]}`}})},
		{name: "unknown_time_range", q: locale(url.Values{"req": {exploreReq("today 7-y", "go")}})},
		{name: "start_in_the_future", q: locale(url.Values{"req": {exploreReq("2027-01-01 2027-02-01", "go")}})},
		{name: "req_not_json", q: locale(url.Values{"req": {"keyword=go"}})},
		{name: "no_hl", q: url.Values{"tz": {"-540"}, "req": {exploreReq("today 5-y", "go")}}},
		{name: "tz_out_of_range", q: url.Values{"hl": {"ko"}, "tz": {"-9999"}, "req": {exploreReq("today 5-y", "go")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRaw(t, trendstest.Options{})
			r.cookie()
			status, h, body := r.get(trendstest.PathExplore, tt.q)
			if status != http.StatusBadRequest || !strings.HasPrefix(h.Get("Content-Type"), "text/html") || !bytes.Contains(body, []byte("Error 400")) {
				t.Errorf("status %d, %s: %.60s; want Google's HTML 400 page", status, h.Get("Content-Type"), body)
			}
		})
	}
}

func TestServer_resolutionByTimeRange(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	tests := []struct {
		name        string
		timeRange   string
		wantPoints  int
		wantStep    time.Duration
		wantFirst   time.Time
		wantPartial bool
	}{
		{name: "seven_days_hourly", timeRange: "now 7-d", wantPoints: 168, wantStep: time.Hour, wantFirst: time.Date(2026, 11, 14, 2, 0, 0, 0, time.UTC), wantPartial: true},
		{name: "three_months_daily", timeRange: "today 3-m", wantPoints: 93, wantStep: day, wantFirst: time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC), wantPartial: true},
		{name: "twelve_months_weekly_from_sunday", timeRange: "today 12-m", wantPoints: 53, wantStep: 7 * day, wantFirst: time.Date(2025, 11, 16, 0, 0, 0, 0, time.UTC), wantPartial: true},
		{name: "five_years_weekly", timeRange: "today 5-y", wantPoints: 261, wantStep: 7 * day, wantFirst: time.Date(2021, 11, 21, 0, 0, 0, 0, time.UTC), wantPartial: true},
		{name: "explicit_90_days_daily", timeRange: "2026-01-01 2026-03-31", wantPoints: 90, wantStep: day, wantFirst: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{name: "explicit_91_days_weekly", timeRange: "2026-01-01 2026-04-01", wantPoints: 14, wantStep: 7 * day, wantFirst: time.Date(2025, 12, 28, 0, 0, 0, 0, time.UTC)},
		{name: "explicit_up_to_today_is_partial", timeRange: "2026-11-01 2026-12-31", wantPoints: 21, wantStep: day, wantFirst: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), wantPartial: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRaw(t, trendstest.Options{})
			r.cookie()
			w, _ := r.explore(tt.timeRange, "go")
			status, pts := r.multiline(w)
			if status != 200 || len(pts) != tt.wantPoints {
				t.Fatalf("status %d, %d points; want 200 and %d", status, len(pts), tt.wantPoints)
			}
			times := make([]time.Time, len(pts))
			for i, p := range pts {
				s, err := parseUnix(p.Time)
				if err != nil {
					t.Fatal(err)
				}
				times[i] = time.Unix(s, 0).UTC()
				if p.IsPartial != (tt.wantPartial && i == len(pts)-1) {
					t.Errorf("point %d isPartial = %v", i, p.IsPartial)
				}
			}
			if !times[0].Equal(tt.wantFirst) {
				t.Errorf("first point %s, want %s", times[0], tt.wantFirst)
			}
			for i := 1; i < len(times); i++ {
				if d := times[i].Sub(times[i-1]); d != tt.wantStep {
					t.Fatalf("step %d = %s, want %s", i, d, tt.wantStep)
				}
			}
		})
	}
}

func parseUnix(s string) (int64, error) { return strconv.ParseInt(s, 10, 64) }

func TestServer_scalesEachRequestByItsOwnMaximum(t *testing.T) {
	t.Parallel()
	flat := func(v float64) func(time.Time) float64 { return func(time.Time) float64 { return v } }
	r := newRaw(t, trendstest.Options{
		Truth:   map[string]func(time.Time) float64{"Big": flat(80), "small": flat(20), "tiny": flat(0.2)},
		Unknown: []string{"nobody"},
	})
	r.cookie()
	w, _ := r.explore("today 3-m", "big", "small", "tiny", "nobody")
	_, pts := r.multiline(w)
	for _, p := range pts {
		if diff := cmp.Diff(point{Time: p.Time, Value: []int{100, 25, 0, 0}, HasData: []bool{true, true, true, false},
			FormattedValue: []string{"100", "25", "<1", "0"}, IsPartial: p.IsPartial}, p); diff != "" {
			t.Fatalf("point (-want +got):\n%s", diff)
		}
	}
	// The same keyword in another request is scaled by that request's maximum.
	w, _ = r.explore("today 3-m", "small", "tiny")
	_, pts = r.multiline(w)
	if got := pts[0].Value; !cmp.Equal(got, []int{100, 1}) {
		t.Errorf("values = %v, want [100 1]", got)
	}
}

func TestServer_generatedTruthScalesLikeGoogle(t *testing.T) {
	t.Parallel()
	r := newRaw(t, trendstest.Options{Seed: 5})
	r.cookie()
	terms := []string{"데이터 엔지니어", "Kubernetes", "SQL"}
	w, _ := r.explore("today 5-y", terms...)
	_, pts := r.multiline(w)
	peak := 0.0
	for _, p := range pts {
		ts, _ := parseUnix(p.Time)
		for _, k := range terms {
			peak = max(peak, r.fake.Truth(k, time.Unix(ts, 0)))
		}
	}
	top := 0
	for _, p := range pts {
		ts, _ := parseUnix(p.Time)
		for j, k := range terms {
			want := int(math.Round(100 * r.fake.Truth(k, time.Unix(ts, 0)) / peak))
			if p.Value[j] != want {
				t.Fatalf("%s at %s = %d, want %d", k, p.Time, p.Value[j], want)
			}
			top = max(top, p.Value[j])
		}
	}
	if top != 100 {
		t.Errorf("largest value = %d, want 100", top)
	}
}

func TestPopularity(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	if a, b := trendstest.Popularity(1, "Kubernetes", t0), trendstest.Popularity(1, " kubernetes", t0); a != b {
		t.Errorf("case or spaces changed the truth: %v vs %v", a, b)
	}
	if a, b := trendstest.Popularity(1, "go", t0), trendstest.Popularity(2, "go", t0); a == b {
		t.Error("the seed does not change the truth")
	}
	// Smooth-ish, positive and seasonal: a week later it moved a little, over a year a lot.
	lo, hi := math.Inf(1), 0.0
	for d := range 365 {
		v := trendstest.Popularity(1, "정보처리기사", t0.AddDate(0, 0, d))
		lo, hi = min(lo, v), max(hi, v)
		if v <= 0 {
			t.Fatalf("day %d: truth %v, want > 0", d, v)
		}
		if d > 0 {
			prev := trendstest.Popularity(1, "정보처리기사", t0.AddDate(0, 0, d-1))
			if math.Abs(v-prev)/prev > 0.5 {
				t.Fatalf("day %d jumps from %v to %v", d, prev, v)
			}
		}
	}
	if hi/lo < 1.2 {
		t.Errorf("a year varies only %.2fx; want visible seasonality", hi/lo)
	}
}

func TestServer_faults(t *testing.T) {
	t.Parallel()
	t.Run("queued_faults_hit_matching_requests_in_order", func(t *testing.T) {
		t.Parallel()
		r := newRaw(t, trendstest.Options{})
		r.fake.Inject(trendstest.Fault{Endpoint: trendstest.EndpointMultiline, Status: 503},
			trendstest.Fault{Status: 429, RetryAfter: "9"})
		r.cookie()
		q := locale(url.Values{"req": {exploreReq("today 5-y", "go")}})
		status, h, _ := r.get(trendstest.PathExplore, q)
		if status != 429 || h.Get("Retry-After") != "9" {
			t.Errorf("explore: %d Retry-After %q, want the queued 429", status, h.Get("Retry-After"))
		}
		w, _ := r.explore("today 5-y", "go")
		if status, _ := r.multiline(w); status != 503 {
			t.Errorf("multiline: %d, want the queued 503", status)
		}
		if status, _ := r.multiline(w); status != 200 {
			t.Errorf("multiline after the faults: %d, want 200", status)
		}
	})
	t.Run("failing_keyword_fails_every_request_asking_for_it", func(t *testing.T) {
		t.Parallel()
		r := newRaw(t, trendstest.Options{Failing: map[string]trendstest.Fault{"Broken": {Status: 500}}})
		r.cookie()
		for range 3 {
			status, _, _ := r.get(trendstest.PathExplore, locale(url.Values{"req": {exploreReq("today 5-y", "go", "broken")}}))
			if status != 500 {
				t.Fatalf("status %d, want 500", status)
			}
		}
		if _, ids := r.explore("today 5-y", "go"); len(ids) == 0 {
			t.Error("the other keyword failed too")
		}
	})
	t.Run("block_after_answers", func(t *testing.T) {
		t.Parallel()
		r := newRaw(t, trendstest.Options{BlockAfter: 1})
		r.cookie()
		w, _ := r.explore("today 5-y", "go")
		r.multiline(w)
		status, _, _ := r.get(trendstest.PathExplore, locale(url.Values{"req": {exploreReq("today 5-y", "go")}}))
		r.cookie() // a fresh cookie does not lift a block
		status2, _, _ := r.get(trendstest.PathExplore, locale(url.Values{"req": {exploreReq("today 5-y", "go")}}))
		if status != 429 || status2 != 429 {
			t.Errorf("after the block: %d, %d; want 429 both", status, status2)
		}
	})
	t.Run("malformed_and_echo", func(t *testing.T) {
		t.Parallel()
		r := newRaw(t, trendstest.Options{})
		r.fake.Inject(trendstest.Fault{Malformed: true, EchoCookie: true})
		r.cookie()
		status, _, body := r.get(trendstest.PathExplore, locale(url.Values{"req": {exploreReq("today 5-y", "go")}}))
		if status != 200 || json.Valid(bytes.TrimPrefix(body, []byte(")]}',"))) || !bytes.Contains(body, []byte("NID="+r.nid)) {
			t.Errorf("status %d: want a 200 that is not JSON and echoes the cookie", status)
		}
	})
	t.Run("truncated_answer", func(t *testing.T) {
		t.Parallel()
		r := newRaw(t, trendstest.Options{})
		r.fake.Inject(trendstest.Fault{Truncate: true})
		r.cookie()
		resp, err := http.Get(r.fake.URL() + trendstest.PathExplore)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if _, err := io.ReadAll(resp.Body); err == nil {
			t.Error("a truncated body read without error")
		}
	})
	t.Run("refused_cookie_page", func(t *testing.T) {
		t.Parallel()
		r := newRaw(t, trendstest.Options{})
		r.fake.Inject(trendstest.Fault{Endpoint: trendstest.EndpointCookie, Status: 429})
		status, h, _ := r.get(trendstest.PathCookie, nil)
		if status != 429 || h.Get("Set-Cookie") != "" || r.fake.CookieIssues() != 0 {
			t.Errorf("status %d Set-Cookie %v, want 429 without a cookie", status, h.Get("Set-Cookie") != "")
		}
	})
}
