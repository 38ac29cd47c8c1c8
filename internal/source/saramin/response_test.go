package saramin

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeBody_variants(t *testing.T) {
	t.Parallel()
	job := `{"id":"41232704","posting-timestamp":"1632734241","modification-timestamp":"1632734240"}`
	ref := JobRef{ID: "41232704", PostedAt: time.Unix(1632734241, 0).UTC(), ModifiedAt: time.Unix(1632734240, 0).UTC()}
	tests := []struct {
		name string
		body string
		want *Page
	}{
		{"total_as_string_job_array", `{"jobs":{"count":1,"start":0,"total":"28327","job":[` + job + `]}}`,
			&Page{Count: 1, Total: 28327, Jobs: []JobRef{ref}}},
		{"total_as_number", `{"jobs":{"count":1,"start":2,"total":28327,"job":[` + job + `]}}`,
			&Page{Count: 1, Start: 2, Total: 28327, Jobs: []JobRef{ref}}},
		{"single_job_as_object", `{"jobs":{"count":"1","start":"0","total":"1","job":` + job + `}}`,
			&Page{Count: 1, Total: 1, Jobs: []JobRef{ref}}},
		{"job_missing_on_empty_page", `{"jobs":{"count":0,"start":0,"total":"0"}}`,
			&Page{Jobs: []JobRef{}}},
		{"job_null", `{"jobs":{"count":0,"start":0,"total":"0","job":null}}`,
			&Page{Jobs: []JobRef{}}},
		{"numeric_id", `{"jobs":{"count":1,"start":0,"total":"1","job":[{"id":41232704,"posting-timestamp":1632734241,"modification-timestamp":"1632734240"}]}}`,
			&Page{Count: 1, Total: 1, Jobs: []JobRef{ref}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeBody([]byte(tt.body), 200)
			if err != nil {
				t.Fatalf("decodeBody: %v", err)
			}
			tt.want.Raw = []byte(tt.body)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("page (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeBody_errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		wantCode  int
		permanent bool
		quota     bool
	}{
		{"top_level_numeric_code", `{"code":4,"message":"limit"}`, 4, true, true},
		{"top_level_string_code", `{"code":"2","message":"invalid key"}`, 2, true, false},
		{"nested_string_code", `{"error":{"code":"3","message":"bad param"}}`, 3, true, false},
		{"nested_numeric_code", `{"error":{"code":99,"message":"unknown"}}`, 99, false, false},
		{"key_missing", `{"code":1,"message":"no key"}`, 1, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeBody([]byte(tt.body), 400)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.Code != tt.wantCode || apiErr.Permanent() != tt.permanent || apiErr.HTTPStatus != 400 {
				t.Errorf("got code %d permanent %v status %d, want %d %v 400", apiErr.Code, apiErr.Permanent(), apiErr.HTTPStatus, tt.wantCode, tt.permanent)
			}
			if got := errors.Is(err, ErrQuotaExhausted); got != tt.quota {
				t.Errorf("errors.Is(err, ErrQuotaExhausted) = %v, want %v", got, tt.quota)
			}
		})
	}
}

// Row-level defects are data: the page lands and the warehouse rejects the row.
func TestDecodeBody_rowDefectsAreNotPageDefects(t *testing.T) {
	t.Parallel()
	body := `{"jobs":{"count":3,"start":0,"total":"3","job":[{"url":"x"},{"id":"2","posting-timestamp":"abc"},{"id":"3","posting-timestamp":"1632734241"}]}}`
	p, err := decodeBody([]byte(body), 200)
	if err != nil {
		t.Fatalf("decodeBody: %v", err)
	}
	want := []JobRef{{}, {ID: "2"}, {ID: "3", PostedAt: time.Unix(1632734241, 0).UTC()}}
	if diff := cmp.Diff(want, p.Jobs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDecodeBody_malformed(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"truncated":         `{"jobs":{"count":1,"start":0,"total":"1","job":[{"id":"1"`,
		"html":              `<html>502 Bad Gateway</html>`,
		"no_jobs_no_err":    `{"something":"else"}`,
		"job_not_an_object": `{"jobs":{"count":1,"start":0,"total":"1","job":[42]}}`,
		"bad_total":         `{"jobs":{"count":1,"start":0,"total":"many","job":[]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeBody([]byte(body), 200)
			var m *MalformedError
			if !errors.As(err, &m) {
				t.Fatalf("err = %v, want *MalformedError", err)
			}
			if string(m.Body) != body {
				t.Errorf("MalformedError.Body does not keep the exact bytes")
			}
		})
	}
}

func TestDecodeBody_realSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		jobs      int
		total     int
		firstID   string
		firstPost int64
	}{
		{"testdata/saramin-job-search-2021-09-27.json", 110, 28327, "41232704", 1632734241},
		{"testdata/saramin-job-2024-09.json", 1, 7493, "48954525", 1725438037},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			p, err := decodeBody(body, 200)
			if err != nil {
				t.Fatalf("decodeBody: %v", err)
			}
			if len(p.Jobs) != tt.jobs || p.Total != tt.total {
				t.Errorf("jobs=%d total=%d, want %d %d", len(p.Jobs), p.Total, tt.jobs, tt.total)
			}
			if p.Jobs[0].ID != tt.firstID || p.Jobs[0].PostedAt.Unix() != tt.firstPost {
				t.Errorf("first job = %+v, want id %s posted %d", p.Jobs[0], tt.firstID, tt.firstPost)
			}
			for i, j := range p.Jobs {
				if j.ID == "" || j.PostedAt.IsZero() {
					t.Errorf("job %d incomplete: %+v", i, j)
				}
			}
		})
	}
}
