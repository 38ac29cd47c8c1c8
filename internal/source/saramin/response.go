package saramin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Page is one job-search response: the exact bytes received and the little the collector
// needs to page and to account for records. Full decoding of jobs is the normalizer's job.
type Page struct {
	Raw   []byte
	Start int
	Count int
	Total int
	Jobs  []JobRef
}

// JobRef identifies one job in a page.
type JobRef struct {
	ID         string
	PostedAt   time.Time
	ModifiedAt time.Time
}

// flexInt decodes a JSON number, a numeric string, or null/"" (as 0). The API sends
// total as a string and some codes as numbers or strings depending on the field and year.
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*f = 0
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*f = 0
			return nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %s", truncate(b, 40))
	}
	*f = flexInt(n)
	return nil
}

// flexJobs decodes `job` as an array, a single object, or null.
type flexJobs []jobStub

func (f *flexJobs) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = nil
		return nil
	case len(b) > 0 && b[0] == '{':
		var one jobStub
		if err := json.Unmarshal(b, &one); err != nil {
			return fmt.Errorf("job: %w", err)
		}
		*f = flexJobs{one}
		return nil
	}
	var list []jobStub
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("job is neither an array nor an object: %w", err)
	}
	*f = list
	return nil
}

type errorEnvelope struct {
	Code    *flexInt `json:"code"`
	Message string   `json:"message"`
}

type envelope struct {
	Jobs *struct {
		Count flexInt  `json:"count"`
		Start flexInt  `json:"start"`
		Total flexInt  `json:"total"`
		Job   flexJobs `json:"job"`
	} `json:"jobs"`
	// Both error shapes seen in the wild: top-level code/message, or nested under "error".
	errorEnvelope
	Error *errorEnvelope `json:"error"`
}

// jobStub is the little the collector reads of a job. Its fields are decoded leniently:
// a job with a missing id or a broken timestamp is still data to land, and the warehouse
// rejects it with a reason. Only a page whose structure is broken is malformed.
type jobStub struct {
	ID       json.RawMessage `json:"id"`
	Posted   json.RawMessage `json:"posting-timestamp"`
	Modified json.RawMessage `json:"modification-timestamp"`
}

// decodeBody classifies a response body: a page, an API error, or malformed bytes.
func decodeBody(body []byte, status int) (*Page, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, &MalformedError{Reason: "invalid JSON: " + err.Error(), Body: body}
	}
	if ee := env.apiError(); ee != nil {
		ee.HTTPStatus = status
		return nil, ee
	}
	if env.Jobs == nil {
		return nil, &MalformedError{Reason: `neither "jobs" nor an error envelope`, Body: body}
	}
	p := &Page{
		Raw:   body,
		Start: int(env.Jobs.Start),
		Count: int(env.Jobs.Count),
		Total: int(env.Jobs.Total),
		Jobs:  make([]JobRef, 0, len(env.Jobs.Job)),
	}
	for _, js := range env.Jobs.Job {
		id, _ := idString(js.ID) // "" when missing: counted as a record, not as an id
		p.Jobs = append(p.Jobs, JobRef{ID: id, PostedAt: lenientUnix(js.Posted), ModifiedAt: lenientUnix(js.Modified)})
	}
	return p, nil
}

func (e envelope) apiError() *APIError {
	for _, ee := range []*errorEnvelope{e.Error, &e.errorEnvelope} {
		if ee != nil && ee.Code != nil {
			return &APIError{Code: int(*ee.Code), Message: ee.Message}
		}
	}
	return nil
}

// idString accepts the id as a string (documented) or a bare number.
func idString(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil && s != "" {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil && n != "" {
		return n.String(), nil
	}
	return "", fmt.Errorf("missing or invalid id: %s", truncate(raw, 40))
}

// lenientUnix reads Unix seconds as a number or a string; anything else is the zero time.
func lenientUnix(raw json.RawMessage) time.Time {
	var n flexInt
	if len(raw) == 0 || json.Unmarshal(raw, &n) != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(n), 0).UTC()
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
