package qnettest

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/qnet"
)

const testKey = "fAkEqNeTkEy+abc/def=="

var now = time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC) // 2026-03-02 10:00 KST

func get(t *testing.T, s *Server, op string, q url.Values) (int, string) {
	t.Helper()
	resp, err := http.Get(s.URL() + "/" + op + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func params(kv ...string) url.Values {
	q := url.Values{"ServiceKey": {testKey}, "jmCd": {"1320"}, "baseYY": {"2025"}}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
			continue
		}
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func TestServer_protocol(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   Options
		op     string
		q      url.Values
		want   []string // substrings of the body
		reject []string // substrings it must not have
	}{
		{name: "xml_by_default", op: qnet.OperationWritten, q: params(),
			want: []string{`<?xml`, `<resultCode>00</resultCode>`, `<ilecnt1>`, `<ilpcnt5>`, `<ilrcnt3>`, `<jmcd>1320</jmcd>`, `<jmnm>정보처리기사</jmnm>`, `<totalCount>1</totalCount>`}},
		{name: "json_with_type", op: qnet.OperationPractical, q: params("_type", "json"),
			want: []string{`{"response":{"header":{"resultCode":"00"`, `"items":{"item":{"ilecnt1":`, `"jmcd":1320`, `"jmnm":"정보처리기사"`}},
		{name: "json_item_as_array", opts: Options{ItemAsArray: true}, op: qnet.OperationWritten, q: params("_type", "json"), want: []string{`"item":[{"ilecnt1":`}},
		{name: "encoded_key_form_configured", opts: Options{ServiceKey: url.QueryEscape(testKey)}, op: qnet.OperationWritten, q: params(), want: []string{`<resultCode>00</resultCode>`}},
		{name: "missing_key_is_gateway_30", op: qnet.OperationWritten, q: params("ServiceKey", ""),
			want: []string{`<OpenAPI_ServiceResponse>`, `<returnReasonCode>30</returnReasonCode>`, `SERVICE_KEY_IS_NOT_REGISTERED_ERROR`}},
		{name: "wrong_key_is_gateway_30_even_in_json", op: qnet.OperationWritten, q: params("ServiceKey", "nope", "_type", "json"), want: []string{`<returnReasonCode>30</returnReasonCode>`}},
		{name: "double_encoded_key_is_rejected", op: qnet.OperationWritten, q: params("ServiceKey", url.QueryEscape(testKey)), want: []string{`<returnReasonCode>30</returnReasonCode>`}},
		{name: "lower_case_parameter_name", op: qnet.OperationWritten, q: params("ServiceKey", "", "serviceKey", testKey), want: []string{`<resultCode>00</resultCode>`}},
		{name: "missing_jmcd_is_11", op: qnet.OperationWritten, q: params("jmCd", ""), want: []string{`<resultCode>11</resultCode>`, `NO_MANDATORY_REQUEST_PARAMETERS_ERROR`}},
		{name: "missing_baseyy_is_11_json", op: qnet.OperationWritten, q: params("baseYY", "", "_type", "json"), want: []string{`"resultCode":"11"`}},
		{name: "bad_baseyy_is_10", op: qnet.OperationWritten, q: params("baseYY", "last"), want: []string{`<resultCode>10</resultCode>`, `INVALID_REQUEST_PARAMETER_ERROR`}},
		{name: "bad_jmcd_is_10", op: qnet.OperationWritten, q: params("jmCd", "1320;DROP"), want: []string{`<resultCode>10</resultCode>`}},
		{name: "unknown_operation_is_12", op: "getEventYearXxList", q: params(), want: []string{`<returnReasonCode>12</returnReasonCode>`}},
		{name: "uncovered_xml_empty_items", opts: Options{Uncovered: []string{"9999"}}, op: qnet.OperationWritten, q: params("jmCd", "9999"),
			want: []string{`<resultCode>00</resultCode>`, `<items/>`, `<totalCount>0</totalCount>`}, reject: []string{`<item>`}},
		{name: "uncovered_json_items_empty_string", opts: Options{Uncovered: []string{"9999"}}, op: qnet.OperationWritten, q: params("jmCd", "9999", "_type", "json"),
			want: []string{`"resultCode":"00"`, `"items":""`, `"totalCount":0`}},
		{name: "any_other_code_is_generated", op: qnet.OperationWritten, q: params("jmCd", "7910"), want: []string{`<jmcd>7910</jmcd>`, `<ilecnt5>`}},
		{name: "current_year_empty", op: qnet.OperationWritten, q: params("baseYY", "2026"), want: []string{`<ilecnt1></ilecnt1>`, `<ilpcnt1></ilpcnt1>`}},
		{name: "comma_counts", opts: Options{CommaCounts: true}, op: qnet.OperationWritten, q: params("_type", "json"), want: []string{`"ilecnt1":"1`, `,`}},
		{name: "sparse_counts", opts: Options{SparseCounts: true}, op: qnet.OperationWritten, q: params(),
			want: []string{`<ilecnt4></ilecnt4>`, `<ilpcnt4></ilpcnt4>`}, reject: []string{`ilecnt5`, `ilpcnt5`, `ilrcnt5`}},
		{name: "omit_exam_fields", opts: Options{OmitExamFields: true}, op: qnet.OperationWritten, q: params(), reject: []string{`jmcd`, `jmnm`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.opts.ServiceKey == "" {
				tt.opts.ServiceKey = testKey
			}
			tt.opts.Now = func() time.Time { return now }
			s := NewServer(tt.opts)
			defer s.Close()
			status, body := get(t, s, tt.op, tt.q)
			if status != http.StatusOK {
				t.Errorf("status %d, want 200 (data.go.kr answers errors in the body)", status)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %.400s", w, body)
				}
			}
			for _, r := range tt.reject {
				if strings.Contains(body, r) {
					t.Errorf("body has %q: %.400s", r, body)
				}
			}
		})
	}
}

func TestServer_faultsAndRecords(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{ServiceKey: testKey, DailyQuota: 3, Now: func() time.Time { return now }})
	defer s.Close()
	s.Inject(Fault{Code: "05"}, Fault{Code: "22"}, Fault{Status: 500}, Fault{Malformed: true}, Fault{EchoURL: true, Status: 502})
	wants := []struct {
		status int
		body   string
	}{
		{200, `<resultCode>05</resultCode>`},
		{200, `<returnReasonCode>22</returnReasonCode>`},
		{500, `Internal Server Error`},
		{200, `<ilecnt1>`},
		{502, `ServiceKey=`},
		{200, `<resultCode>00</resultCode>`}, // faults spent: counted call 1
		{200, `<resultCode>00</resultCode>`},
		{200, `<resultCode>00</resultCode>`},
		{200, `<returnReasonCode>22</returnReasonCode>`}, // over the quota of 3
	}
	for i, w := range wants {
		status, body := get(t, s, qnet.OperationWritten, params())
		if status != w.status || !strings.Contains(body, w.body) {
			t.Errorf("request %d: %d %.200s; want %d with %q", i+1, status, body, w.status, w.body)
		}
		if i == 3 && strings.HasSuffix(strings.TrimSpace(body), "</response>") {
			t.Errorf("the malformed fault sent a complete document")
		}
	}
	if s.Calls() != 3 {
		t.Errorf("Calls = %d, want 3", s.Calls())
	}
	reqs := s.Requests()
	if len(reqs) != len(wants) {
		t.Fatalf("recorded %d requests, want %d", len(reqs), len(wants))
	}
	if r := reqs[0]; r.Operation != qnet.OperationWritten || !r.HasKey || !r.KeyAccepted || r.Query.Get("jmCd") != "1320" || r.Query.Has("ServiceKey") {
		t.Errorf("record = %+v, want the operation and parameters without the key", r)
	}
	if dump := fmt.Sprintf("%+v", reqs); strings.Contains(dump, "fAkEqNeTkEy") {
		t.Errorf("recorded requests hold the key: %s", dump)
	}
}

func TestServer_truncateDropsTheConnection(t *testing.T) {
	t.Parallel()
	s := NewServer(Options{Now: func() time.Time { return now }})
	defer s.Close()
	s.Inject(Fault{Truncate: true})
	resp, err := http.Get(s.URL() + "/" + qnet.OperationWritten + "?" + params().Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("reading a truncated body succeeded")
	}
}

func TestStats_deterministicAndPlausible(t *testing.T) {
	t.Parallel()
	at := func() time.Time { return now }
	a, b, c := NewServer(Options{Seed: 1, Now: at}), NewServer(Options{Seed: 1, Now: at}), NewServer(Options{Seed: 2, Now: at})
	defer a.Close()
	defer b.Close()
	defer c.Close()
	differs := false
	for _, code := range []string{CodeEngineer, CodeIndustrialEngineer, CodeCraftsman, "7910", "0752"} {
		for year := 2010; year <= 2025; year++ {
			w, p := a.Stats(code, qnet.StageWritten, year), a.Stats(code, qnet.StagePractical, year)
			if fmt.Sprint(*w.Applicants, *w.Passers) != fmt.Sprint(*b.Stats(code, qnet.StageWritten, year).Applicants, *b.Stats(code, qnet.StageWritten, year).Passers) {
				t.Fatalf("%s %d: same seed, different numbers", code, year)
			}
			if *c.Stats(code, qnet.StageWritten, year).Applicants != *w.Applicants {
				differs = true
			}
			for _, s := range []qnet.YearStat{w, p} {
				if r := *s.PassRate(); r < 0.2 || r > 0.7 {
					t.Errorf("%s %s %d: pass rate %.2f outside 20–70%%", code, s.Stage, year, r)
				}
				if *s.Registrants < *s.Applicants || *s.Passers > *s.Applicants {
					t.Errorf("%s %s %d: registrants %d, applicants %d, passers %d out of order", code, s.Stage, year, *s.Registrants, *s.Applicants, *s.Passers)
				}
			}
			if *p.Applicants >= *w.Applicants {
				t.Errorf("%s %d: practical applicants %d ≥ written %d", code, year, *p.Applicants, *w.Applicants)
			}
		}
	}
	if !differs {
		t.Error("another seed gives the same numbers")
	}
	first, last := a.Stats(CodeEngineer, qnet.StageWritten, 2016), a.Stats(CodeEngineer, qnet.StageWritten, 2025)
	if *first.Applicants < 60_000 || *last.Applicants > 180_000 || *last.Applicants <= *first.Applicants {
		t.Errorf("정보처리기사 written applicants %d (2016) → %d (2025), want ~100k and rising", *first.Applicants, *last.Applicants)
	}
	if s := a.Stats(CodeEngineer, qnet.StageWritten, 2026); s.Applicants != nil {
		t.Errorf("the current year is tallied: %d", *s.Applicants)
	}
	u := NewServer(Options{Uncovered: []string{"9999"}, Now: at})
	defer u.Close()
	if s := u.Stats("9999", qnet.StageWritten, 2024); s.Applicants != nil || u.Covered("9999") {
		t.Errorf("an uncovered exam has statistics")
	}
}
