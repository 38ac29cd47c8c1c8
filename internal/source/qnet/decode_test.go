package qnet_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/source/qnet"
)

func n(v int64) *int64 { return &v }

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// years builds the expected window from (applicants, passers, registrants) triples,
// oldest year first.
func years(stage qnet.Stage, code string, first int, counts ...[3]*int64) []qnet.YearStat {
	out := make([]qnet.YearStat, len(counts))
	for i, c := range counts {
		out[i] = qnet.YearStat{Year: first + i, Stage: stage, ExamCode: code, Applicants: c[0], Passers: c[1], Registrants: c[2]}
	}
	return out
}

func TestDecode_fixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     string
		stage    qnet.Stage
		code     string
		baseYear int
		want     []qnet.YearStat
		wantName string
	}{
		{
			name: "xml_suffix_1_is_base_year", file: "written_1320_2024.xml", stage: qnet.StageWritten, code: "1320", baseYear: 2024,
			want: years(qnet.StageWritten, "1320", 2020,
				[3]*int64{n(85432), n(43102), n(112345)},
				[3]*int64{n(97012), n(46511), n(128400)},
				[3]*int64{n(98765), n(53210), n(131210)},
				[3]*int64{n(110542), n(62011), n(149870)},
				[3]*int64{n(121394), n(67891), n(160123)}),
			wantName: "정보처리기사",
		},
		{
			name: "json_numbers_item_object", file: "practical_1320_2024.json", stage: qnet.StagePractical, code: "1320", baseYear: 2024,
			want: years(qnet.StagePractical, "1320", 2020,
				[3]*int64{n(56789), n(15011), n(61234)},
				[3]*int64{n(64512), n(19801), n(70001)},
				[3]*int64{n(70123), n(18777), n(76543)},
				[3]*int64{n(80111), n(21004), n(88000)},
				[3]*int64{n(88123), n(25103), n(95012)}),
			wantName: "정보처리기사",
		},
		{
			name: "xml_commas_empty_dash_missing_are_nil", file: "written_6921_2023_messy.xml", stage: qnet.StageWritten, code: "6921", baseYear: 2023,
			want: years(qnet.StageWritten, "6921", 2019,
				[3]*int64{nil, nil, nil},           // elements missing
				[3]*int64{nil, n(0), nil},          // "-" applicants, 0 passers
				[3]*int64{nil, nil, nil},           // empty elements
				[3]*int64{n(21987), n(12001), nil}, // padded with spaces
				[3]*int64{n(23456), n(13579), nil}),
			wantName: "정보처리기능사", // from jmfldnm; no jmcd at all
		},
		{
			name: "json_item_array_strings_with_commas_and_null", file: "written_2290_2024_array.json", stage: qnet.StageWritten, code: "2290", baseYear: 2024,
			want: years(qnet.StageWritten, "2290", 2020,
				[3]*int64{nil, nil, nil},
				[3]*int64{nil, nil, nil},
				[3]*int64{n(14002), n(7010), nil},
				[3]*int64{n(12876), n(5998), nil},
				[3]*int64{n(13210), n(6543), nil}),
			wantName: "정보처리산업기사",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, name, err := qnet.Decode(fixture(t, tt.file), tt.stage, tt.code, tt.baseYear)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
			if name != tt.wantName {
				t.Errorf("name = %q, want %q", name, tt.wantName)
			}
		})
	}
}

// item wraps count elements in a minimal valid XML answer.
func xmlItem(fields string) []byte {
	return []byte(`<response><header><resultCode>00</resultCode><resultMsg>NORMAL SERVICE.</resultMsg></header><body><items><item>` +
		fields + `</item></items></body></response>`)
}

func jsonItem(fields string) []byte {
	return []byte(`{"response":{"header":{"resultCode":"00","resultMsg":"NORMAL SERVICE."},"body":{"items":{"item":{` + fields + `}}}}}`)
}

func TestDecode_counts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		raw                  []byte
		wantApplicants, want *int64 // suffix 1: applicants, passers
	}{
		{name: "xml_plain", raw: xmlItem(`<ilecnt1>1234</ilecnt1><ilpcnt1>567</ilpcnt1>`), wantApplicants: n(1234), want: n(567)},
		{name: "xml_commas", raw: xmlItem(`<ilecnt1>1,234,567</ilecnt1><ilpcnt1>7,654</ilpcnt1>`), wantApplicants: n(1234567), want: n(7654)},
		{name: "xml_empty_is_nil_not_zero", raw: xmlItem(`<ilecnt1></ilecnt1><ilpcnt1/>`)},
		{name: "xml_missing_is_nil", raw: xmlItem(`<ilecnt2>10</ilecnt2>`)},
		{name: "xml_zero_is_zero", raw: xmlItem(`<ilecnt1>0</ilecnt1><ilpcnt1>0</ilpcnt1>`), wantApplicants: n(0), want: n(0)},
		{name: "xml_mixed_case_names", raw: xmlItem(`<ileCnt1>42</ileCnt1><ILPCNT1>21</ILPCNT1>`), wantApplicants: n(42), want: n(21)},
		{name: "json_numbers", raw: jsonItem(`"ilecnt1":1234,"ilpcnt1":567`), wantApplicants: n(1234), want: n(567)},
		{name: "json_float_integral", raw: jsonItem(`"ilecnt1":1234.0,"ilpcnt1":5.67E2`), wantApplicants: n(1234), want: n(567)},
		{name: "json_strings_with_commas", raw: jsonItem(`"ilecnt1":"1,234","ilpcnt1":" 567 "`), wantApplicants: n(1234), want: n(567)},
		{name: "json_empty_string_and_null", raw: jsonItem(`"ilecnt1":"","ilpcnt1":null,"ilecnt2":1`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _, err := qnet.Decode(tt.raw, qnet.StageWritten, "1320", 2024)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			last := got[len(got)-1]
			if last.Year != 2024 {
				t.Fatalf("last year = %d, want 2024", last.Year)
			}
			if diff := cmp.Diff([]*int64{tt.wantApplicants, tt.want}, []*int64{last.Applicants, last.Passers}); diff != "" {
				t.Errorf("2024 applicants, passers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestYearStat_PassRate(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name                string
		applicants, passers *int64
		want                *float64
	}{
		{name: "ratio", applicants: n(200), passers: n(50), want: f(0.25)},
		{name: "all_passed", applicants: n(3), passers: n(3), want: f(1)},
		{name: "nobody_passed", applicants: n(10), passers: n(0), want: f(0)},
		{name: "zero_applicants_is_null", applicants: n(0), passers: n(0)},
		{name: "null_applicants", passers: n(4)},
		{name: "null_passers", applicants: n(4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := qnet.YearStat{Applicants: tt.applicants, Passers: tt.passers}.PassRate()
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PassRate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecode_outcomes(t *testing.T) {
	t.Parallel()
	gateway := func(code, msg string) []byte {
		return []byte(`<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg><returnAuthMsg>` + msg +
			`</returnAuthMsg><returnReasonCode>` + code + `</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>`)
	}
	service := func(code, msg string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><response><header><resultCode>` + code + `</resultCode><resultMsg>` + msg + `</resultMsg></header></response>`)
	}
	tests := []struct {
		name          string
		raw           []byte
		wantCovered   bool   // false: errors.Is(err, ErrNotCovered)
		wantCode      string // an *APIError with this code
		wantPermanent bool
		wantQuota     bool
		wantMalformed string // a *MalformedError whose reason has this
	}{
		{name: "xml_nodata_03", raw: service("03", "NODATA_ERROR")},
		{name: "xml_empty_items", raw: []byte(`<response><header><resultCode>00</resultCode><resultMsg>NORMAL SERVICE.</resultMsg></header><body><items/><numOfRows>10</numOfRows><pageNo>1</pageNo><totalCount>0</totalCount></body></response>`)},
		{name: "xml_no_body", raw: []byte(`<response><header><resultCode>00</resultCode></header></response>`)},
		{name: "json_items_empty_string", raw: fixture(t, "uncovered.json")},
		{name: "json_items_null", raw: []byte(`{"response":{"header":{"resultCode":"00"},"body":{"items":null,"totalCount":0}}}`)},
		{name: "json_items_missing", raw: []byte(`{"response":{"header":{"resultCode":"00"},"body":{"totalCount":0}}}`)},
		{name: "json_item_empty_array", raw: []byte(`{"response":{"header":{"resultCode":"00"},"body":{"items":{"item":[]}}}}`)},
		{name: "json_nodata_03_as_number", raw: []byte(`{"response":{"header":{"resultCode":3,"resultMsg":"NODATA_ERROR"}}}`)},
		{name: "service_timeout_05_transient", raw: service("05", "SERVICETIMEOUT_ERROR"), wantCovered: true, wantCode: "05"},
		{name: "application_error_01_transient", raw: service("01", "APPLICATION_ERROR"), wantCovered: true, wantCode: "01"},
		{name: "http_error_04_transient", raw: service("04", "HTTP_ERROR"), wantCovered: true, wantCode: "04"},
		{name: "invalid_parameter_10_permanent", raw: service("10", "INVALID_REQUEST_PARAMETER_ERROR"), wantCovered: true, wantCode: "10", wantPermanent: true},
		{name: "missing_parameter_11_json_permanent", raw: []byte(`{"response":{"header":{"resultCode":"11","resultMsg":"NO_MANDATORY_REQUEST_PARAMETERS_ERROR"}}}`), wantCovered: true, wantCode: "11", wantPermanent: true},
		{name: "gateway_key_30_permanent", raw: fixture(t, "gateway_30.xml"), wantCovered: true, wantCode: "30", wantPermanent: true},
		{name: "gateway_quota_22", raw: gateway("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"), wantCovered: true, wantCode: "22", wantPermanent: true, wantQuota: true},
		{name: "gateway_unknown_99_transient", raw: gateway("99", "UNKNOWN_ERROR"), wantCovered: true, wantCode: "99"},
		{name: "gateway_json_ip_32", raw: []byte(`{"OpenAPI_ServiceResponse":{"cmmMsgHeader":{"errMsg":"SERVICE ERROR","returnAuthMsg":"UNREGISTERED_IP_ERROR","returnReasonCode":32}}}`), wantCovered: true, wantCode: "32", wantPermanent: true},
		{name: "truncated_xml", raw: fixture(t, "written_1320_2024.xml")[:400], wantCovered: true, wantMalformed: "invalid XML"},
		{name: "truncated_json", raw: fixture(t, "practical_1320_2024.json")[:100], wantCovered: true, wantMalformed: "invalid JSON"},
		{name: "html_page", raw: []byte("<html><body>502 Bad Gateway</body></html>"), wantCovered: true, wantMalformed: "<html>"},
		{name: "plain_text", raw: []byte("Internal Server Error"), wantCovered: true, wantMalformed: "neither XML nor JSON"},
		{name: "empty_body", raw: nil, wantCovered: true, wantMalformed: "neither XML nor JSON"},
		{name: "garbage_after_root", raw: append(service("00", "NORMAL SERVICE."), "<html/>"...), wantCovered: true, wantMalformed: "after the root"},
		{name: "count_not_a_number", raw: xmlItem(`<ilecnt1>many</ilecnt1>`), wantCovered: true, wantMalformed: `ilecnt1: count "many"`},
		{name: "count_negative", raw: jsonItem(`"ilecnt1":-3`), wantCovered: true, wantMalformed: "negative"},
		{name: "count_fraction", raw: jsonItem(`"ilecnt1":12.5`), wantCovered: true, wantMalformed: "whole number"},
		{name: "item_without_counts", raw: xmlItem(`<jmcd>1320</jmcd><jmnm>정보처리기사</jmnm>`), wantCovered: true, wantMalformed: "none of the"},
		{name: "item_for_another_exam", raw: xmlItem(`<jmcd>2290</jmcd><ilecnt1>1</ilecnt1>`), wantCovered: true, wantMalformed: "not 1320"},
		{name: "two_items_for_the_exam", raw: []byte(`{"response":{"header":{"resultCode":"00"},"body":{"items":{"item":[{"ilecnt1":1},{"ilecnt1":2}]}}}}`), wantCovered: true, wantMalformed: "2 items"},
		{name: "no_result_code", raw: []byte(`<response><header/></response>`), wantCovered: true, wantMalformed: "resultCode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stats, _, err := qnet.Decode(tt.raw, qnet.StageWritten, "1320", 2024)
			if err == nil {
				t.Fatalf("Decode = %d stats, want an error", len(stats))
			}
			if stats != nil {
				t.Errorf("stats = %v alongside an error", stats)
			}
			if got := !errors.Is(err, qnet.ErrNotCovered); got != tt.wantCovered {
				t.Errorf("ErrNotCovered = %v, want %v (err %v)", !got, !tt.wantCovered, err)
			}
			var apiErr *qnet.APIError
			if got := errors.As(err, &apiErr); got != (tt.wantCode != "") {
				t.Fatalf("APIError = %v, want %v (err %v)", got, tt.wantCode != "", err)
			}
			if apiErr != nil {
				if apiErr.Code != tt.wantCode || apiErr.Permanent() != tt.wantPermanent {
					t.Errorf("APIError code %s permanent %v, want %s %v", apiErr.Code, apiErr.Permanent(), tt.wantCode, tt.wantPermanent)
				}
				if apiErr.Message == "" {
					t.Errorf("APIError without the service's message")
				}
			}
			if got := errors.Is(err, qnet.ErrQuotaExhausted); got != tt.wantQuota {
				t.Errorf("ErrQuotaExhausted = %v, want %v", got, tt.wantQuota)
			}
			var mal *qnet.MalformedError
			if got := errors.As(err, &mal); got != (tt.wantMalformed != "") {
				t.Fatalf("MalformedError = %v, want %v (err %v)", got, tt.wantMalformed != "", err)
			}
			if mal != nil {
				if !strings.Contains(mal.Reason, tt.wantMalformed) {
					t.Errorf("reason %q, want it to mention %q", mal.Reason, tt.wantMalformed)
				}
				if string(mal.Body) != string(tt.raw) {
					t.Errorf("Body is not the exact input (%d bytes, want %d)", len(mal.Body), len(tt.raw))
				}
			}
		})
	}
}

func TestDecode_examIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		raw      []byte
		code     string
		wantName string
	}{
		{name: "json_number_drops_leading_zero", raw: jsonItem(`"jmcd":752,"jmnm":"전기기능사","ilecnt1":10`), code: "0752", wantName: "전기기능사"},
		{name: "no_code_no_name", raw: xmlItem(`<ilecnt1>10</ilecnt1>`), code: "1320", wantName: ""},
		{name: "name_trimmed_and_unescaped", raw: xmlItem(`<jmnm> 정보처리기사 &amp; 실기 </jmnm><ilecnt1>10</ilecnt1>`), code: "1320", wantName: "정보처리기사 & 실기"},
		{name: "other_items_skipped", raw: []byte(`{"response":{"header":{"resultCode":"00"},"body":{"items":{"item":[{"jmcd":"2290","ilecnt1":1},{"jmcd":"1320","jmnm":"정보처리기사","ilecnt1":10}]}}}}`), code: "1320", wantName: "정보처리기사"},
		{name: "bom_and_leading_space", raw: append([]byte("\ufeff \n"), xmlItem(`<ilecnt1>10</ilecnt1>`)...), code: "1320"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stats, name, err := qnet.Decode(tt.raw, qnet.StagePractical, tt.code, 2024)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if name != tt.wantName {
				t.Errorf("name = %q, want %q", name, tt.wantName)
			}
			last := stats[len(stats)-1]
			if last.ExamCode != tt.code || last.Stage != qnet.StagePractical || last.Applicants == nil || *last.Applicants != 10 {
				t.Errorf("2024 = %+v, want exam %s practical with 10 applicants", last, tt.code)
			}
		})
	}
}

func TestParseStage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want qnet.Stage
	}{
		{"written", qnet.StageWritten}, {"getEventYearPiList", qnet.StageWritten},
		{"practical", qnet.StagePractical}, {"getEventYearSiList", qnet.StagePractical},
	} {
		got, err := qnet.ParseStage(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseStage(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if op := got.Operation(); !strings.HasPrefix(op, "getEventYear") {
			t.Errorf("%q.Operation() = %q", got, op)
		}
	}
	if _, err := qnet.ParseStage("oral"); err == nil {
		t.Error(`ParseStage("oral") succeeded`)
	}
	if qnet.Stage("oral").Operation() != "" {
		t.Error("an unknown stage has an operation")
	}
}
