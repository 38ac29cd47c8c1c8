package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SaraminRow is one row of staging.saramin_postings. Field names, order and types follow
// sql/staging/saramin_postings.schema.json exactly (a test holds them together):
// pointers are NULLABLE columns and encode as null when unknown, slices are REPEATED
// columns and always encode as arrays, everything else is REQUIRED.
type SaraminRow struct {
	PostingID          *string    `json:"posting_id"`
	RunID              string     `json:"run_id"`
	Page               int64      `json:"page"`
	RowInPage          int64      `json:"row_in_page"`
	URL                *string    `json:"url"`
	Active             *bool      `json:"active"`
	CompanyName        *string    `json:"company_name"`
	CompanyHref        *string    `json:"company_href"`
	Title              *string    `json:"title"`
	IndustryCode       *string    `json:"industry_code"`
	IndustryName       *string    `json:"industry_name"`
	LocationCodes      []string   `json:"location_codes"`
	LocationNames      []string   `json:"location_names"`
	JobTypeCodes       []string   `json:"job_type_codes"`
	JobTypeNames       []string   `json:"job_type_names"`
	JobMidCodes        []string   `json:"job_mid_codes"`
	JobMidNames        []string   `json:"job_mid_names"`
	JobCodes           []string   `json:"job_codes"`
	JobCodeNames       []string   `json:"job_code_names"`
	Keywords           []string   `json:"keywords"`
	ExperienceCode     *int64     `json:"experience_code"`
	ExperienceMin      *int64     `json:"experience_min"`
	ExperienceMax      *int64     `json:"experience_max"`
	ExperienceName     *string    `json:"experience_name"`
	EducationCode      *string    `json:"education_code"`
	EducationName      *string    `json:"education_name"`
	SalaryCode         *string    `json:"salary_code"`
	SalaryName         *string    `json:"salary_name"`
	CloseTypeCode      *string    `json:"close_type_code"`
	CloseTypeName      *string    `json:"close_type_name"`
	PostedAt           *Timestamp `json:"posted_at"`
	ModifiedAt         *Timestamp `json:"modified_at"`
	OpenedAt           *Timestamp `json:"opened_at"`
	ExpiresAt          *Timestamp `json:"expires_at"`
	HasDeadline        *bool      `json:"has_deadline"`
	PostingDate        *Date      `json:"posting_date"`
	PostingDateText    *string    `json:"posting_date_text"`
	ExpirationDateText *string    `json:"expiration_date_text"`
	ReadCount          *int64     `json:"read_count"`
	ApplyCount         *int64     `json:"apply_count"`
	ParseErrors        []string   `json:"parse_errors"`
	Role               *string    `json:"role"`
	Skills             []string   `json:"skills"`
	SkillsVersion      *string    `json:"skills_version"`
	RawJSON            string     `json:"raw_json"`
}

// Timestamp is a BigQuery TIMESTAMP: RFC 3339 in UTC with whole seconds,
// "2026-11-21T10:30:00Z".
type Timestamp struct{ time.Time }

const timestampLayout = "2006-01-02T15:04:05Z"

// MarshalJSON writes the UTC time without fractional seconds.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(timestampLayout) + `"`), nil
}

// UnmarshalJSON reads an RFC 3339 time.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	t.Time = v.UTC()
	return nil
}

// Equal reports whether t and u are the same instant (for go-cmp).
func (t Timestamp) Equal(u Timestamp) bool { return t.Time.Equal(u.Time) }

// Date is a BigQuery DATE, a civil date "2026-11-21". Time holds its midnight in UTC.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// MarshalJSON writes YYYY-MM-DD.
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.UTC().Format(dateLayout) + `"`), nil
}

// UnmarshalJSON reads YYYY-MM-DD.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("date: %w", err)
	}
	v, err := time.Parse(dateLayout, s)
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	d.Time = v
	return nil
}

// Equal reports whether d and u are the same date (for go-cmp).
func (d Date) Equal(u Date) bool { return d.Time.Equal(u.Time) }

// kst is Korea Standard Time; Korea has had no daylight saving time since 1988.
var kst = time.FixedZone("KST", 9*60*60)

const (
	// noDeadlineFrom is 2033-01-01 00:00 KST: expirations from then on (both sentinels
	// the API uses, 1988118000 and 2019567600, among them) mean "no deadline".
	noDeadlineFrom = 1988118000
	// maxUnix is 9999-12-31T23:59:59Z, the end of BigQuery's TIMESTAMP range.
	maxUnix = 253402300799
	// sentDateLayout is the format of posting-date and expiration-date.
	sentDateLayout = "2006-01-02T15:04:05-0700"
)

// saraminRow converts one raw job (the exact bytes of one element of jobs.job) into a
// clean row. It never fails: a field that does not parse becomes null (or [] for an
// array) and the reason goes to ParseErrors. Drift observations go to tally when it
// is not nil.
func saraminRow(raw []byte, runID string, page, index int, tally *driftTally) SaraminRow {
	row := SaraminRow{
		RunID: runID, Page: int64(page), RowInPage: int64(index),
		LocationCodes: []string{}, LocationNames: []string{},
		JobTypeCodes: []string{}, JobTypeNames: []string{},
		JobMidCodes: []string{}, JobMidNames: []string{},
		JobCodes: []string{}, JobCodeNames: []string{},
		Keywords: []string{}, ParseErrors: []string{}, Skills: []string{},
	}
	var compact bytes.Buffer
	compact.Grow(len(raw))
	if err := json.Compact(&compact, raw); err != nil {
		// Unreachable for bytes cut out of a page that parsed; kept verbatim if it happens.
		row.RawJSON = string(raw)
		row.ParseErrors = append(row.ParseErrors, "job: invalid JSON: "+err.Error())
		return row
	}
	row.RawJSON = compact.String()

	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keeps number literals exact and tells numbers from strings
	var v any
	if err := dec.Decode(&v); err != nil {
		row.ParseErrors = append(row.ParseErrors, "job: invalid JSON: "+err.Error())
		return row
	}
	job, ok := v.(map[string]any)
	if !ok {
		row.ParseErrors = append(row.ParseErrors, "job: not an object: "+literal(v))
		tally.observe("job", DriftRetyped, jsonType(v))
		return row
	}
	tally.walk(job)

	r := &jobReader{errs: row.ParseErrors}
	row.PostingID = r.id(job)
	row.URL = r.str(job, "url", "url", false)
	row.Active = r.active(job)

	detail := r.object(r.object(job, "company", "company"), "detail", "company.detail")
	row.CompanyName = r.str(detail, "name", "company.detail.name", true)
	row.CompanyHref = r.str(detail, "href", "company.detail.href", false)

	pos := r.object(job, "position", "position")
	row.Title = r.str(pos, "title", "position.title", true)
	industry := r.object(pos, "industry", "position.industry")
	row.IndustryCode = r.str(industry, "code", "position.industry.code", false)
	row.IndustryName = r.str(industry, "name", "position.industry.name", true)
	loc := r.object(pos, "location", "position.location")
	row.LocationCodes = r.list(loc, "code", "position.location.code", false)
	row.LocationNames = r.list(loc, "name", "position.location.name", true)
	jt := r.object(pos, "job-type", "position.job-type")
	row.JobTypeCodes = r.list(jt, "code", "position.job-type.code", false)
	row.JobTypeNames = r.list(jt, "name", "position.job-type.name", true)
	mid := r.object(pos, "job-mid-code", "position.job-mid-code")
	row.JobMidCodes = r.list(mid, "code", "position.job-mid-code.code", false)
	row.JobMidNames = r.list(mid, "name", "position.job-mid-code.name", true)
	jc := r.object(pos, "job-code", "position.job-code")
	row.JobCodes = r.list(jc, "code", "position.job-code.code", false)
	row.JobCodeNames = r.list(jc, "name", "position.job-code.name", true)
	row.Keywords = r.list(job, "keyword", "keyword", true)

	exp := r.object(pos, "experience-level", "position.experience-level")
	row.ExperienceCode = r.integer(exp, "code", "position.experience-level.code")
	row.ExperienceMin = r.integer(exp, "min", "position.experience-level.min")
	row.ExperienceMax = r.integer(exp, "max", "position.experience-level.max")
	row.ExperienceName = r.str(exp, "name", "position.experience-level.name", true)
	edu := r.object(pos, "required-education-level", "position.required-education-level")
	row.EducationCode = r.str(edu, "code", "position.required-education-level.code", false)
	row.EducationName = r.str(edu, "name", "position.required-education-level.name", true)
	salary := r.object(job, "salary", "salary")
	row.SalaryCode = r.str(salary, "code", "salary.code", false)
	row.SalaryName = r.str(salary, "name", "salary.name", true)
	closeType := r.object(job, "close-type", "close-type")
	row.CloseTypeCode = r.str(closeType, "code", "close-type.code", false)
	row.CloseTypeName = r.str(closeType, "name", "close-type.name", true)

	posted, hasPosted := r.unix(job, "posting-timestamp")
	if hasPosted {
		row.PostedAt = &Timestamp{posted}
		d := DateOf(posted.In(kst))
		row.PostingDate = &d
	}
	if t, ok := r.unix(job, "modification-timestamp"); ok {
		row.ModifiedAt = &Timestamp{t}
	}
	if t, ok := r.unix(job, "opening-timestamp"); ok {
		row.OpenedAt = &Timestamp{t}
	}
	nErrs := len(r.errs)
	expires, hasExpiry := r.unix(job, "expiration-timestamp")
	expiryBroken := len(r.errs) > nErrs
	code := ""
	if row.CloseTypeCode != nil {
		code = strings.TrimSpace(*row.CloseTypeCode)
	}
	switch {
	case code == "2" || code == "3": // 채용시, 상시: whatever the expiration says
		row.HasDeadline = ptr(false)
	case expiryBroken: // unknown
	case !hasExpiry || expires.Unix() >= noDeadlineFrom:
		row.HasDeadline = ptr(false)
	default:
		row.HasDeadline = ptr(true)
		row.ExpiresAt = &Timestamp{expires}
	}

	row.PostingDateText = r.dateText(job, "posting-date")
	row.ExpirationDateText = r.dateText(job, "expiration-date")
	row.ReadCount = r.integer(job, "read-cnt", "read-cnt")
	row.ApplyCount = r.integer(job, "apply-cnt", "apply-cnt")
	row.ParseErrors = r.errs
	return row
}

// jobReader extracts typed fields from a decoded job and collects parse errors. Every
// getter returns the zero value (nil) for a field that is absent or JSON null, and for
// one that does not parse, after recording why.
type jobReader struct {
	errs []string
}

func (r *jobReader) fail(path, reason string, v any) {
	r.errs = append(r.errs, path+": "+reason+": "+literal(v))
}

// object returns the object at key of m (nil when m is nil).
func (r *jobReader) object(m map[string]any, key, path string) map[string]any {
	switch v := m[key].(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	default:
		r.fail(path, "not an object", v)
		return nil
	}
}

// text returns a string field; a number is accepted as its literal.
func (r *jobReader) text(m map[string]any, key, path string) (string, bool) {
	switch v := m[key].(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	default:
		r.fail(path, "not a string", v)
		return "", false
	}
}

// str returns a single-valued string field as sent (commas included), HTML entities
// unescaped when unescape is set.
func (r *jobReader) str(m map[string]any, key, path string, unescape bool) *string {
	s, ok := r.text(m, key, path)
	if !ok {
		return nil
	}
	if unescape {
		s = html.UnescapeString(s)
	}
	return &s
}

// list splits a multi-valued field on commas. Entities are unescaped after the split so
// that an escaped comma (&#44;) stays inside its item.
func (r *jobReader) list(m map[string]any, key, path string, unescape bool) []string {
	out := []string{}
	s, ok := r.text(m, key, path)
	if !ok {
		return out
	}
	for item := range strings.SplitSeq(s, ",") {
		if unescape {
			item = html.UnescapeString(item)
		}
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// id returns the posting id: a string, or a number taken as its literal.
func (r *jobReader) id(job map[string]any) *string {
	switch v := job["id"].(type) {
	case nil:
	case string:
		if s := strings.TrimSpace(v); s != "" {
			return &s
		}
	case json.Number:
		s := v.String()
		return &s
	default:
		r.fail("id", "not a string or number", v)
		return nil
	}
	r.errs = append(r.errs, "id: missing")
	return nil
}

// integer returns an INT64 field sent as a number or a numeric string; "" is unknown.
func (r *jobReader) integer(m map[string]any, key, path string) *int64 {
	var s string
	switch v := m[key].(type) {
	case nil:
		return nil
	case json.Number:
		s = v.String()
	case string:
		if s = strings.TrimSpace(v); s == "" {
			return nil
		}
	default:
		r.fail(path, "not an integer", v)
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		r.fail(path, "not an integer", m[key])
		return nil
	}
	return &n
}

// unix returns a time sent as Unix seconds in a string (documented) or a number.
func (r *jobReader) unix(job map[string]any, key string) (time.Time, bool) {
	var s string
	switch v := job[key].(type) {
	case nil:
		return time.Time{}, false
	case json.Number:
		s = v.String()
	case string:
		if s = strings.TrimSpace(v); s == "" {
			return time.Time{}, false
		}
	default:
		r.fail(key, "not unix seconds", v)
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		r.fail(key, "not unix seconds", job[key])
		return time.Time{}, false
	}
	if n <= 0 || n > maxUnix {
		r.fail(key, "unix seconds out of range", job[key])
		return time.Time{}, false
	}
	return time.Unix(n, 0).UTC(), true
}

// active reads 1/0 as a number or a string (one real sample sends "1"); true/false too.
func (r *jobReader) active(job map[string]any) *bool {
	var s string
	switch v := job["active"].(type) {
	case nil:
		return nil
	case bool:
		return &v
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	}
	switch s {
	case "1":
		return ptr(true)
	case "0":
		return ptr(false)
	}
	r.fail("active", "not 0 or 1", job["active"])
	return nil
}

// dateText returns posting-date / expiration-date as sent, checking its format.
func (r *jobReader) dateText(job map[string]any, key string) *string {
	s := r.str(job, key, key, false)
	if s == nil {
		return nil
	}
	if _, err := time.Parse(sentDateLayout, *s); err != nil {
		r.fail(key, "not a date like "+sentDateLayout, *s)
	}
	return s
}

// literal renders a value for a parse error message: JSON, cut to a readable length.
func literal(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("%v", v)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	const limit = 60
	if len(b) <= limit {
		return string(b)
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut]) + "…"
}

func ptr[T any](v T) *T { return &v }
