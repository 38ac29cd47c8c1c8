package saramintest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, s *Server, q url.Values, accept string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/job-search?"+q.Encode(), nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServer_protocol(t *testing.T) {
	t.Parallel()
	now := to
	ps := gen(t, from, to)
	base := url.Values{"access-key": {"k"}, "job_mid_cd": {"2"}, "sort": {"pa"}, "count": {"110"}}
	with := func(kv ...string) url.Values {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			q.Set(kv[i], kv[i+1])
		}
		return q
	}
	tests := []struct {
		name   string
		opts   Options
		q      url.Values
		accept string
		want   []string // substrings of the body
		status int
	}{
		{name: "json_total_as_string", q: base, accept: "application/json", want: []string{`"total":"`, `"count":110`, `"job":[`}},
		{name: "xml_without_accept", q: base, want: []string{"<?xml", "<job-search>"}},
		{name: "fields_add_dates_and_counts", q: with("fields", "posting-date,expiration-date,count"), accept: "application/json", want: []string{`"posting-date":"`, `+0900"`, `"read-cnt":"`}},
		{name: "no_fields_no_dates", q: base, accept: "application/json", want: []string{`"posting-timestamp":"`}},
		{name: "missing_key_code_1", q: with("access-key", ""), accept: "application/json", want: []string{`"code":1`}},
		{name: "wrong_key_code_2_nested_string", opts: Options{Keys: []string{"other"}, Envelope: EnvelopeNested, CodeAsString: true, ErrorStatus: 401}, q: base, accept: "application/json", want: []string{`{"error":{"code":"2"`}, status: 401},
		{name: "count_over_110_code_3", q: with("count", "111"), accept: "application/json", want: []string{`"code":3`}},
		{name: "bad_time_code_3", q: with("published_min", "yesterday"), accept: "application/json", want: []string{`"code":3`}},
		{name: "beyond_max_pages_is_silently_empty", opts: Options{MaxPages: 1, OmitEmptyJob: true}, q: with("start", "1"), accept: "application/json", want: []string{`"count":0`}},
		{name: "single_job_as_object", opts: Options{SingleJobAsObject: true}, q: with("count", "1"), accept: "application/json", want: []string{`"job":{"url"`}},
		{name: "active_as_string", opts: Options{ActiveAsString: true}, q: base, accept: "application/json", want: []string{`"active":"1"`}},
		{name: "escaped_gt_literal_not_unicode", q: base, accept: "application/json", want: []string{" &gt; "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Now = func() time.Time { return now }
			s := NewServer(tt.opts, ps...)
			defer s.Close()
			status, body := get(t, s, tt.q, tt.accept)
			if tt.status == 0 {
				tt.status = 200
			}
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %.300s", w, body)
				}
			}
			if strings.Contains(body, `\u003e`) || strings.Contains(body, `\u0026`) {
				t.Errorf("body has JSON-escaped HTML characters; the API sends them literally")
			}
		})
	}
}

func TestServer_quotaAndPublishedWindow(t *testing.T) {
	t.Parallel()
	now := to
	s := NewServer(Options{DailyQuota: 2, Now: func() time.Time { return now }}, gen(t, from, to)...)
	defer s.Close()
	q := url.Values{"access-key": {"k"}, "published_min": {"2026-11-10 09:00:00"}, "published_max": {"2026-11-10 18:00:00"}, "sort": {"pa"}, "count": {"110"}}
	_, body := get(t, s, q, "application/json")
	var page struct {
		Jobs struct {
			Total string `json:"total"`
			Job   []struct {
				Posted string `json:"posting-timestamp"`
			} `json:"job"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	lo := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC).Unix()
	for _, j := range page.Jobs.Job {
		var ts int64
		json.Unmarshal([]byte(j.Posted), &ts)
		if ts < lo || ts > hi {
			t.Fatalf("posting at %d outside the KST window [%d, %d]", ts, lo, hi)
		}
	}
	if len(page.Jobs.Job) == 0 {
		t.Fatal("no postings in a weekday office-hours window")
	}
	get(t, s, q, "application/json")
	if _, body := get(t, s, q, "application/json"); !strings.Contains(body, `"code":4`) {
		t.Errorf("third call over a quota of 2: %s", body)
	}
	if s.Calls("k") != 2 {
		t.Errorf("calls = %d, want 2", s.Calls("k"))
	}
}
