package normalize

import (
	"bytes"
	"encoding/json"
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobpulse/jobpulse/internal/source/saramin/saramintest"
)

func ts(s string) *Timestamp {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &Timestamp{t}
}

func date(s string) *Date {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		panic(err)
	}
	return &Date{t}
}

func compact(t *testing.T, raw []byte) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestSaraminRow_real2024 converts the real 2024 job field by field.
func TestSaraminRow_real2024(t *testing.T) {
	t.Parallel()
	jobs, err := splitPage(realPage(t, sample2024))
	if err != nil || len(jobs) != 1 {
		t.Fatalf("splitPage: %v, %d jobs", err, len(jobs))
	}
	tally := newDriftTally()
	got := saraminRow(jobs[0], testRunID, 3, 0, tally)

	want := SaraminRow{
		PostingID: ptr("48954525"), RunID: testRunID, Page: 3, RowInPage: 0,
		URL:          ptr("http://www.saramin.co.kr/zf_user/jobs/relay/view?rec_idx=48954525&utm_source=job-search-api&utm_medium=api&utm_campaign=saramin-job-search-api"),
		Active:       ptr(true),
		CompanyName:  ptr("(주)에이티지"),
		CompanyHref:  ptr("http://www.saramin.co.kr/zf_user/company-info/view?csn=1448116437&utm_source=job-search-api&utm_medium=api&utm_campaign=saramin-job-search-api"),
		Title:        ptr("(주)에이티지(대전연구소) 서버 개발자 경력자 채용"),
		IndustryCode: ptr("301"), IndustryName: ptr("솔루션·SI·ERP·CRM"),
		LocationCodes: []string{"105000", "105010", "105020", "105030", "105040", "118000"},
		LocationNames: []string{"대전 > 대전전체", "대전 > 대덕구", "대전 > 동구", "대전 > 서구", "대전 > 유성구", "세종 > 세종특별자치시"},
		JobTypeCodes:  []string{"1"}, JobTypeNames: []string{"정규직"},
		JobMidCodes: []string{"2"}, JobMidNames: []string{"IT개발·데이터"},
		JobCodes: []string{"84", "108", "109", "217", "222", "235", "244", "254", "270", "292", "108", "167", "197", "241", "254", "270", "291"},
		JobCodeNames: []string{"소프트웨어개발", "솔루션업체", "백엔드/서버개발", "딥러닝", "머신러닝", "ElasticStack", "Git", "Java",
			"Kubernetes", "MongoDB", "PostgreSQL", "SpringBoot", "S/W", "Apache", "Kafka", "Spring"},
		Keywords:       []string{"소프트웨어개발", "솔루션업체"},
		ExperienceCode: ptr[int64](2), ExperienceMin: ptr[int64](3), ExperienceMax: ptr[int64](0), ExperienceName: ptr("경력3년↑"),
		EducationCode: ptr("8"), EducationName: ptr("대학교졸업(4년)이상"),
		SalaryCode: ptr("99"), SalaryName: ptr("면접후 결정"),
		CloseTypeCode: ptr("2"), CloseTypeName: ptr("채용시"),
		PostedAt:    ts("2024-09-04T08:20:37Z"),
		ModifiedAt:  ts("2024-09-04T08:22:08Z"),
		OpenedAt:    ts("2024-09-04T08:00:00Z"),
		ExpiresAt:   nil, // 1988118000: the close-type 2 sentinel
		HasDeadline: ptr(false),
		PostingDate: date("2024-09-04"),
		ParseErrors: []string{}, Skills: []string{},
		RawJSON: compact(t, jobs[0]),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("row (-want +got):\n%s", diff)
	}
	if len(got.JobCodes) != 17 || len(got.JobCodeNames) != 16 {
		t.Errorf("job codes %d / names %d, want 17 / 16 (never zipped)", len(got.JobCodes), len(got.JobCodeNames))
	}
	if d := tally.result(); len(d) != 0 {
		t.Errorf("drift on a real 2024 job (job-category absent is documented): %+v", d)
	}

	line, err := encodeRows(jobs, testRunID, 3, nil, testClassifier(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{`"expires_at":null`, `"posting_date":"2024-09-04"`, `"posted_at":"2024-09-04T08:20:37Z"`,
		`"experience_min":3`, `"salary_code":"99"`, `"has_deadline":false`, `"세종 > 세종특별자치시"`, `"parse_errors":[]`} {
		if !strings.Contains(string(line), frag) {
			t.Errorf("NDJSON line lacks %s:\n%s", frag, line)
		}
	}
}

// TestSaraminRow_real2021 converts the full real 2021 page.
func TestSaraminRow_real2021(t *testing.T) {
	t.Parallel()
	data := realPage(t, sample2021)
	jobs, err := splitPage(data)
	if err != nil {
		t.Fatal(err)
	}
	tally := newDriftTally()
	var rows []SaraminRow
	for i, j := range jobs {
		rows = append(rows, saraminRow(j, testRunID, 1, i, tally))
	}
	if len(rows) != 110 {
		t.Fatalf("rows = %d, want 110", len(rows))
	}
	if d := tally.result(); len(d) != 0 {
		t.Errorf("drift on the real 2021 page: %+v", d)
	}

	var raw struct {
		Jobs struct {
			Job []map[string]any `json:"job"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	noName, noDeadline := 0, 0
	for i, r := range rows {
		src := raw.Jobs.Job[i]
		if len(r.ParseErrors) != 0 {
			t.Errorf("row %d: parse errors %q", i, r.ParseErrors)
		}
		if r.PostingID == nil || *r.PostingID != src["id"] || r.RowInPage != int64(i) {
			t.Errorf("row %d: id %v row_in_page %d, want %v %d", i, r.PostingID, r.RowInPage, src["id"], i)
		}
		salary := src["salary"].(map[string]any)
		if _, ok := salary["name"]; !ok {
			noName++
			if r.SalaryName != nil {
				t.Errorf("row %d: salary without a name → salary_name %q, want null", i, *r.SalaryName)
			}
		}
		exp := src["position"].(map[string]any)["experience-level"].(map[string]any)
		if r.ExperienceCode == nil || float64(*r.ExperienceCode) != exp["code"].(float64) {
			t.Errorf("row %d: experience_code %v, want %v", i, r.ExperienceCode, exp["code"])
		}
		if code := *r.CloseTypeCode; code == "2" || code == "3" {
			noDeadline++
			if r.ExpiresAt != nil || r.HasDeadline == nil || *r.HasDeadline {
				t.Errorf("row %d: close-type %s → expires_at %v has_deadline %v, want null false", i, code, r.ExpiresAt, r.HasDeadline)
			}
		} else if r.HasDeadline == nil || !*r.HasDeadline || r.ExpiresAt == nil {
			t.Errorf("row %d: close-type %s → has_deadline %v expires_at %v, want a deadline", i, code, r.HasDeadline, r.ExpiresAt)
		}
		for _, n := range r.LocationNames {
			if strings.Contains(n, "&") || strings.Contains(n, ",") {
				t.Errorf("row %d: location name %q not unescaped or not split", i, n)
			}
		}
		if r.RawJSON != compact(t, jobs[i]) {
			t.Errorf("row %d: raw_json is not the compacted original", i)
		}
	}
	if noName != 6 || noDeadline != 21 {
		t.Errorf("salaries without a name %d (want 6), rows without deadline %d (want 21)", noName, noDeadline)
	}
	if diff := cmp.Diff([]string{"101010"}, rows[0].LocationCodes); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"서울 > 강남구"}, rows[0].LocationNames); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"2", "16"}, rows[0].JobMidCodes); diff != "" {
		t.Error(diff)
	}
}

// TestSaraminRow_synthetic checks rows against the postings the fake rendered.
func TestSaraminRow_synthetic(t *testing.T) {
	t.Parallel()
	ps, err := saramintest.Generate(saramintest.Spec{Seed: 7, From: testNow.Add(-7 * 24 * time.Hour), To: testNow, PerDay: 300})
	if err != nil {
		t.Fatal(err)
	}
	tally := newDriftTally()
	for _, page := range syntheticPages(ps, 110, testNow) {
		jobs, err := splitPage(page.data)
		if err != nil {
			t.Fatal(err)
		}
		for i, j := range jobs {
			r := saraminRow(j, testRunID, 1, i, tally)
			p := ps[slices.IndexFunc(ps, func(p saramintest.Posting) bool { return p.ID == *r.PostingID })]
			got := []any{*r.Title, *r.CompanyName, r.JobCodes, r.JobCodeNames, r.Keywords, len(r.LocationNames), r.PostedAt.Time,
				*r.PostingDate, *r.ExperienceCode, *r.ExperienceMin, *r.ExperienceMax, r.ParseErrors}
			want := []any{html.UnescapeString(p.Title), html.UnescapeString(p.Company), p.JobCodes, p.JobCodeNames, p.Keywords,
				len(p.Locations), p.PostedAt.UTC(), DateOf(p.PostedAt.In(kst)), int64(p.ExpCode), int64(p.ExpMin), int64(p.ExpMax), []string{}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("posting %s (-want +got):\n%s", p.ID, diff)
			}
			wantDeadline := p.CloseType.Code == "1" || (p.CloseType.Code == "4" && !p.ExpiresAt.IsZero())
			if *r.HasDeadline != wantDeadline || (r.ExpiresAt != nil) != wantDeadline {
				t.Fatalf("posting %s close-type %s expires %v: has_deadline %v expires_at %v", p.ID, p.CloseType.Code, p.ExpiresAt, *r.HasDeadline, r.ExpiresAt)
			}
			if wantDeadline && !r.ExpiresAt.Time.Equal(p.ExpiresAt) {
				t.Fatalf("posting %s: expires_at %v, want %v", p.ID, r.ExpiresAt, p.ExpiresAt)
			}
			if (p.Salary.Name == "") != (r.SalaryName == nil) {
				t.Fatalf("posting %s: salary %+v → salary_name %v", p.ID, p.Salary, r.SalaryName)
			}
		}
	}
	if d := tally.result(); len(d) != 0 {
		t.Errorf("drift on synthetic postings: %+v", d)
	}
}

// TestSaraminRow_defects plants one defect per case: the row is always produced, with
// the broken field null and the reason in parse_errors, and the drift is recorded.
func TestSaraminRow_defects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		mutate     func(job map[string]any)
		raw        string // instead of mutate: the job's exact bytes
		wantErrors []string
		wantDrift  []Drift
		check      func(t *testing.T, r SaraminRow)
	}{
		{
			name:       "missing_id",
			mutate:     func(j map[string]any) { delete(j, "id") },
			wantErrors: []string{"id: missing"},
			wantDrift:  []Drift{{Field: "id", Kind: DriftMissing, Rows: 1}},
			check:      func(t *testing.T, r SaraminRow) { nilCheck(t, "posting_id", r.PostingID) },
		},
		{
			name:       "empty_id",
			mutate:     func(j map[string]any) { j["id"] = " " },
			wantErrors: []string{"id: missing"},
		},
		{
			name:      "id_as_number",
			mutate:    func(j map[string]any) { j["id"] = json.Number("48954525") },
			wantDrift: []Drift{{Field: "id", Kind: DriftRetyped, Rows: 1, ExampleType: "number"}},
			check:     func(t *testing.T, r SaraminRow) { eq(t, "posting_id", "48954525", *r.PostingID) },
		},
		{
			name:       "id_as_object",
			mutate:     func(j map[string]any) { j["id"] = map[string]any{} },
			wantErrors: []string{"id: not a string or number: {}"},
			wantDrift:  []Drift{{Field: "id", Kind: DriftRetyped, Rows: 1, ExampleType: "object"}},
		},
		{
			name:       "posting_timestamp_not_a_number",
			mutate:     func(j map[string]any) { j["posting-timestamp"] = "abc" },
			wantErrors: []string{`posting-timestamp: not unix seconds: "abc"`},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "posted_at", r.PostedAt)
				nilCheck(t, "posting_date", r.PostingDate)
				if r.PostingID == nil || r.ModifiedAt == nil {
					t.Error("other fields lost")
				}
			},
		},
		{
			name:      "timestamp_as_number",
			mutate:    func(j map[string]any) { j["modification-timestamp"] = json.Number("1725438128") },
			wantDrift: []Drift{{Field: "modification-timestamp", Kind: DriftRetyped, Rows: 1, ExampleType: "number"}},
			check:     func(t *testing.T, r SaraminRow) { eq(t, "modified_at", *ts("2024-09-04T08:22:08Z"), *r.ModifiedAt) },
		},
		{
			name:       "timestamp_out_of_range",
			mutate:     func(j map[string]any) { j["opening-timestamp"] = "99999999999999" },
			wantErrors: []string{`opening-timestamp: unix seconds out of range: "99999999999999"`},
		},
		{
			name:      "active_as_string",
			mutate:    func(j map[string]any) { j["active"] = "1" },
			wantDrift: []Drift{{Field: "active", Kind: DriftRetyped, Rows: 1, ExampleType: "string"}},
			check:     func(t *testing.T, r SaraminRow) { eq(t, "active", true, *r.Active) },
		},
		{
			name:      "active_zero",
			mutate:    func(j map[string]any) { j["active"] = json.Number("0") },
			check:     func(t *testing.T, r SaraminRow) { eq(t, "active", false, *r.Active) },
			wantDrift: nil,
		},
		{
			name:       "active_garbage",
			mutate:     func(j map[string]any) { j["active"] = "yes" },
			wantErrors: []string{`active: not 0 or 1: "yes"`},
			wantDrift:  []Drift{{Field: "active", Kind: DriftRetyped, Rows: 1, ExampleType: "string"}},
			check:      func(t *testing.T, r SaraminRow) { nilCheck(t, "active", r.Active) },
		},
		{
			name: "unknown_fields",
			mutate: func(j map[string]any) {
				position(j)["new-field"] = "x"
				j["top-new"] = []any{}
				position(j)["job-category"] = map[string]any{"code": "1"}
			},
			wantDrift: []Drift{
				{Field: "position.job-category.code", Kind: DriftUnknown, Rows: 1, ExampleType: "string"},
				{Field: "position.new-field", Kind: DriftUnknown, Rows: 1, ExampleType: "string"},
				{Field: "top-new", Kind: DriftUnknown, Rows: 1, ExampleType: "array"},
			},
		},
		{
			name:      "missing_title",
			mutate:    func(j map[string]any) { delete(position(j), "title") },
			wantDrift: []Drift{{Field: "position.title", Kind: DriftMissing, Rows: 1}},
			check:     func(t *testing.T, r SaraminRow) { nilCheck(t, "title", r.Title) },
		},
		{
			name: "experience_as_strings",
			mutate: func(j map[string]any) {
				e := position(j)["experience-level"].(map[string]any)
				e["code"], e["min"] = "2", " 3 "
			},
			wantDrift: []Drift{{Field: "position.experience-level.code", Kind: DriftRetyped, Rows: 1, ExampleType: "string"}, {Field: "position.experience-level.min", Kind: DriftRetyped, Rows: 1, ExampleType: "string"}},
			check: func(t *testing.T, r SaraminRow) {
				eq(t, "experience_code", int64(2), *r.ExperienceCode)
				eq(t, "experience_min", int64(3), *r.ExperienceMin)
			},
		},
		{
			name:       "experience_not_integer",
			mutate:     func(j map[string]any) { position(j)["experience-level"].(map[string]any)["max"] = json.Number("2.5") },
			wantErrors: []string{"position.experience-level.max: not an integer: 2.5"},
			check:      func(t *testing.T, r SaraminRow) { nilCheck(t, "experience_max", r.ExperienceMax) },
		},
		{
			name:   "salary_without_name",
			mutate: func(j map[string]any) { j["salary"] = map[string]any{"code": "104"} },
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "salary_name", r.SalaryName)
				eq(t, "salary_code", "104", *r.SalaryCode)
			},
		},
		{
			name: "escaped_names_and_commas",
			mutate: func(j map[string]any) {
				j["company"].(map[string]any)["detail"].(map[string]any)["name"] = "(주)R&amp;D솔루션"
				position(j)["title"] = "&lt;급구&gt; 개발자"
				position(j)["location"] = map[string]any{"code": "101010, 101150,", "name": "서울 &gt; 강남구 ,서울 &gt; 서초구,"}
				position(j)["required-education-level"] = map[string]any{"code": "7", "name": "대학졸업(2,3년)이상"}
				j["salary"] = map[string]any{"code": "12", "name": "2,400~2,600만원"}
				j["keyword"] = "R&amp;D,&#44;쉼표, ,"
			},
			check: func(t *testing.T, r SaraminRow) {
				eq(t, "company_name", "(주)R&D솔루션", *r.CompanyName)
				eq(t, "title", "<급구> 개발자", *r.Title)
				eq(t, "location_codes", []string{"101010", "101150"}, r.LocationCodes)
				eq(t, "location_names", []string{"서울 > 강남구", "서울 > 서초구"}, r.LocationNames)
				eq(t, "education_name", "대학졸업(2,3년)이상", *r.EducationName)
				eq(t, "salary_name", "2,400~2,600만원", *r.SalaryName)
				eq(t, "keywords", []string{"R&D", ",쉼표"}, r.Keywords)
			},
		},
		{
			name: "close_type_2_with_real_expiration",
			mutate: func(j map[string]any) {
				j["close-type"] = map[string]any{"code": "2", "name": "채용시"}
				j["expiration-timestamp"] = "1727708399"
			},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "expires_at", r.ExpiresAt)
				eq(t, "has_deadline", false, *r.HasDeadline)
			},
		},
		{
			name: "close_type_3_with_real_expiration",
			mutate: func(j map[string]any) {
				j["close-type"] = map[string]any{"code": "3", "name": "상시"}
				j["expiration-timestamp"] = "1727708399"
			},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "expires_at", r.ExpiresAt)
				eq(t, "has_deadline", false, *r.HasDeadline)
			},
		},
		{
			name: "close_type_1_with_far_future_expiration",
			mutate: func(j map[string]any) {
				j["close-type"] = map[string]any{"code": "1", "name": "접수마감일"}
				j["expiration-timestamp"] = "2100000000"
			},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "expires_at", r.ExpiresAt)
				eq(t, "has_deadline", false, *r.HasDeadline)
			},
		},
		{
			name: "close_type_1_last_second_of_2032",
			mutate: func(j map[string]any) {
				j["close-type"] = map[string]any{"code": "1", "name": "접수마감일"}
				j["expiration-timestamp"] = "1988117999" // 2032-12-31 23:59:59 KST
			},
			check: func(t *testing.T, r SaraminRow) {
				eq(t, "expires_at", *ts("2032-12-31T14:59:59Z"), *r.ExpiresAt)
				eq(t, "has_deadline", true, *r.HasDeadline)
			},
		},
		{
			name: "expiration_absent",
			mutate: func(j map[string]any) {
				j["close-type"] = map[string]any{"code": "4", "name": "수시"}
				delete(j, "expiration-timestamp")
				delete(j, "expiration-date")
			},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "expires_at", r.ExpiresAt)
				nilCheck(t, "expiration_date_text", r.ExpirationDateText)
				eq(t, "has_deadline", false, *r.HasDeadline)
			},
		},
		{
			name: "expiration_broken",
			mutate: func(j map[string]any) {
				j["close-type"] = map[string]any{"code": "1", "name": "접수마감일"}
				j["expiration-timestamp"] = "soon"
			},
			wantErrors: []string{`expiration-timestamp: not unix seconds: "soon"`},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "expires_at", r.ExpiresAt)
				nilCheck(t, "has_deadline", r.HasDeadline)
			},
		},
		{
			name: "date_texts",
			mutate: func(j map[string]any) {
				j["posting-date"] = "2019-07-07T17:17:17+0900"
				j["expiration-date"] = "2019-07-07 17:17"
			},
			wantErrors: []string{`expiration-date: not a date like 2006-01-02T15:04:05-0700: "2019-07-07 17:17"`},
			check: func(t *testing.T, r SaraminRow) {
				eq(t, "posting_date_text", "2019-07-07T17:17:17+0900", *r.PostingDateText)
				eq(t, "expiration_date_text", "2019-07-07 17:17", *r.ExpirationDateText)
			},
		},
		{
			name:       "counts",
			mutate:     func(j map[string]any) { j["read-cnt"], j["apply-cnt"] = "1,204", nil },
			wantErrors: []string{`read-cnt: not an integer: "1,204"`},
			wantDrift:  []Drift{{Field: "apply-cnt", Kind: DriftRetyped, Rows: 1, ExampleType: "null"}},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "read_count", r.ReadCount)
				nilCheck(t, "apply_count", r.ApplyCount)
			},
		},
		{
			name:       "position_not_an_object",
			mutate:     func(j map[string]any) { j["position"] = "개발자" },
			wantErrors: []string{`position: not an object: "개발자"`},
			wantDrift:  []Drift{{Field: "position", Kind: DriftRetyped, Rows: 1, ExampleType: "string"}},
			check: func(t *testing.T, r SaraminRow) {
				nilCheck(t, "title", r.Title)
				eq(t, "location_codes", []string{}, r.LocationCodes)
				if r.PostingID == nil || r.SalaryCode == nil {
					t.Error("fields outside position lost")
				}
			},
		},
		{
			name:       "job_not_an_object",
			raw:        `[1, 2]`,
			wantErrors: []string{"job: not an object: [1,2]"},
			wantDrift:  []Drift{{Field: "job", Kind: DriftRetyped, Rows: 1, ExampleType: "array"}},
			check:      func(t *testing.T, r SaraminRow) { eq(t, "raw_json", "[1,2]", r.RawJSON) },
		},
		{
			name: "many_defects_in_order",
			mutate: func(j map[string]any) {
				delete(j, "id")
				j["posting-timestamp"] = "abc"
				j["active"] = true
				j["keyword"] = json.Number("5")
				j["url"] = false
			},
			wantErrors: []string{"id: missing", "url: not a string: false", `posting-timestamp: not unix seconds: "abc"`},
			wantDrift: []Drift{
				{Field: "active", Kind: DriftRetyped, Rows: 1, ExampleType: "boolean"},
				{Field: "id", Kind: DriftMissing, Rows: 1},
				{Field: "keyword", Kind: DriftRetyped, Rows: 1, ExampleType: "number"},
				{Field: "url", Kind: DriftRetyped, Rows: 1, ExampleType: "boolean"},
			},
			check: func(t *testing.T, r SaraminRow) {
				eq(t, "active", true, *r.Active)
				eq(t, "keywords", []string{"5"}, r.Keywords)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := json.RawMessage(tt.raw)
			if tt.raw == "" {
				raw = sampleJob(t, "50000001", tt.mutate)
			}
			tally := newDriftTally()
			r := saraminRow(raw, testRunID, 2, 5, tally)
			if diff := cmp.Diff(tt.wantErrors, r.ParseErrors, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("parse_errors (-want +got):\n%s", diff)
			}
			if r.ParseErrors == nil {
				t.Error("parse_errors is nil; it must encode as []")
			}
			if diff := cmp.Diff(tt.wantDrift, tally.result(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("drift (-want +got):\n%s", diff)
			}
			if r.RunID != testRunID || r.Page != 2 || r.RowInPage != 5 || r.RawJSON != compact(t, raw) {
				t.Errorf("row identity: run %q page %d row %d raw %q", r.RunID, r.Page, r.RowInPage, r.RawJSON)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func nilCheck[T any](t *testing.T, field string, got *T) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want null", field, *got)
	}
}

func eq[T any](t *testing.T, field string, want, got T) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", field, diff)
	}
}

// TestSplitPage covers the envelope variants the collector accepts and the pages it
// would have refused.
func TestSplitPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		page     string
		wantJobs []string
		wantErr  string
	}{
		{name: "array", page: `{"jobs":{"count":2,"start":0,"total":"2","job":[{"id":"1"}, {"id":"2"}]}}`, wantJobs: []string{`{"id":"1"}`, `{"id":"2"}`}},
		{name: "single_object", page: `{"jobs":{"count":1,"start":0,"total":1,"job":{"id":"1"}}}`, wantJobs: []string{`{"id":"1"}`}},
		{name: "job_null", page: `{"jobs":{"count":0,"start":3,"total":"0","job":null}}`},
		{name: "job_missing", page: `{"jobs":{"count":0,"start":3,"total":"0"}}`},
		{name: "job_empty", page: `{"jobs":{"count":0,"start":3,"total":"0","job":[]}}`},
		{name: "invalid_json", page: `{"jobs":{"count":`, wantErr: "invalid JSON: unexpected end of JSON input"},
		{name: "not_an_object", page: `[1]`, wantErr: "not a JSON object but array"},
		{name: "api_error", page: `{"code":4,"message":"limit"}`, wantErr: `no "jobs" object`},
		{name: "jobs_null", page: `{"jobs":null}`, wantErr: `no "jobs" object`},
		{name: "jobs_array", page: `{"jobs":[]}`, wantErr: `"jobs" is not an object but array`},
		{name: "jobs_string", page: `{"jobs":"none"}`, wantErr: `"jobs" is not an object but string`},
		{name: "tricky_strings", page: `{"jobs":{"job":[ {"a":"],\\\"}{["} , "x,]" ,[1,{"b":[]}], 2 ,null ]}}`,
			wantJobs: []string{`{"a":"],\\\"}{["}`, `"x,]"`, `[1,{"b":[]}]`, `2`, `null`}},
		{name: "job_string", page: `{"jobs":{"job":"x"}}`, wantErr: `"job" is neither an array nor an object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			jobs, err := splitPage([]byte(tt.page))
			if gotErr := errString(err); gotErr != tt.wantErr {
				t.Fatalf("error %q, want %q", gotErr, tt.wantErr)
			}
			var got []string
			for _, j := range jobs {
				got = append(got, string(j))
			}
			if diff := cmp.Diff(tt.wantJobs, got); diff != "" {
				t.Errorf("jobs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSplitArray_matchesEncodingJSON cuts the real pages as json.Unmarshal does.
func TestSplitArray_matchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, name := range []string{sample2021, sample2024} {
		var env struct {
			Jobs struct {
				Job json.RawMessage `json:"job"`
			} `json:"jobs"`
		}
		if err := json.Unmarshal(realPage(t, name), &env); err != nil {
			t.Fatal(err)
		}
		var want []json.RawMessage
		if err := json.Unmarshal(env.Jobs.Job, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, splitArray(env.Jobs.Job)); diff != "" {
			t.Errorf("%s (-encoding/json +splitArray):\n%s", name, diff)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestTimestampAndDateJSON(t *testing.T) {
	t.Parallel()
	in := struct {
		T Timestamp `json:"t"`
		D Date      `json:"d"`
	}{Timestamp{time.Date(2026, 11, 21, 19, 30, 0, 999, kst)}, DateOf(time.Date(2026, 11, 21, 1, 0, 0, 0, kst))}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"t":"2026-11-21T10:30:00Z","d":"2026-11-21"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	out := in
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out.T.Equal(Timestamp{in.T.Truncate(time.Second)}) || !out.D.Equal(in.D) {
		t.Errorf("round trip: %+v, want %+v", out, in)
	}
}
