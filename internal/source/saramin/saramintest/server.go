// Package saramintest is a fake of the Saramin Open API job-search endpoint that speaks
// its real protocol — parameters, both error envelopes, quota counting — with injectable
// faults, plus a deterministic synthetic dataset. Tests and the demo source use it.
package saramintest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Envelope selects which of the two error shapes seen in the wild the fake sends.
type Envelope int

const (
	// EnvelopeTopLevel is {"code": 4, "message": "…"}.
	EnvelopeTopLevel Envelope = iota
	// EnvelopeNested is {"error": {"code": "4", "message": "…"}}.
	EnvelopeNested
)

// Options shape the fake's protocol variants. The zero value is a permissive API.
type Options struct {
	// Keys are the accepted access keys; empty accepts any non-empty key.
	Keys []string
	// DailyQuota is the calls per key per KST day; 0 is unlimited.
	DailyQuota int
	// MaxPages is the deepest page served; deeper pages come back empty, silently,
	// which is the worst case for a client. 0 is unlimited.
	MaxPages int
	// Envelope and CodeAsString choose the error format; ErrorStatus is the HTTP status
	// of error responses (the real one is undocumented; 0 means 200).
	Envelope     Envelope
	CodeAsString bool
	ErrorStatus  int
	// ActiveAsString sends "active":"1" as one real sample does.
	ActiveAsString bool
	// SingleJobAsObject sends a one-job page's "job" as an object, not an array.
	SingleJobAsObject bool
	// OmitEmptyJob drops "job" from empty pages.
	OmitEmptyJob bool
	// Now is the fake's clock (what is published, what quota day it is).
	Now func() time.Time
}

// Fault is injected into one upcoming request (first in, first out).
type Fault struct {
	Status     int           // answer with this HTTP status and a plain body (429, 500, 503, …)
	RetryAfter string        // Retry-After header value, with Status
	Code       int           // answer with this API error code in the configured envelope
	Delay      time.Duration // wait before answering (alone: a slow but correct answer)
	Truncate   bool          // declare the full Content-Length, send half the page, drop the connection
	Malformed  bool          // 200 with a body that is not JSON
	EchoURL    bool          // 500 whose body echoes the request URL, access key included
}

// Recorded is one request as the fake saw it, access key removed.
type Recorded struct {
	Query  url.Values
	HasKey bool
	Accept string
}

// Server is a running fake.
type Server struct {
	URL  string
	srv  *httptest.Server
	opts Options

	mu       sync.Mutex
	postings []Posting
	faults   []Fault
	calls    map[string]int // key + "|" + KST day
	requests []Recorded
	after    func(n int)
}

// NewServer starts a fake serving postings.
func NewServer(opts Options, postings ...Posting) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, postings: slices.Clone(postings), calls: map[string]int{}}
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Add publishes more postings (e.g. postings published while a run pages).
func (s *Server) Add(p ...Posting) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postings = append(s.postings, p...)
}

// Inject queues faults for the next requests, one per request.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// AfterRequest sets a hook called after the n-th request (1-based) was answered.
func (s *Server) AfterRequest(f func(n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after = f
}

// Requests returns what the fake received so far.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Calls returns the quota-counted calls of key today.
func (s *Server) Calls(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[key+"|"+s.day()]
}

// Published returns the ids a search with query (job_mid_cd, loc_mcd, …) would find
// now in a published window (inclusive): the ground truth a collector's output is
// compared with.
func (s *Server) Published(from, to time.Time, query url.Values) []string {
	sp, err := parseSearch(query)
	if err != nil {
		panic(fmt.Sprintf("saramintest: Published: %v", err))
	}
	sp.pubMin, sp.pubMax = from, to
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	now := s.opts.Now()
	for _, p := range s.postings {
		if v, ok := p.At(now); ok && sp.match(v) {
			ids = append(ids, v.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func (s *Server) day() string { return s.opts.Now().In(kst).Format("2006-01-02") }

// ServeHTTP implements the job-search endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := q.Get("access-key")
	rec := Recorded{Query: url.Values{}, HasKey: key != "", Accept: r.Header.Get("Accept")}
	for k, v := range q {
		if k != "access-key" {
			rec.Query[k] = v
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	n := len(s.requests)
	var fault *Fault
	if len(s.faults) > 0 {
		fault = &s.faults[0]
		s.faults = s.faults[1:]
	}
	after := s.after
	s.mu.Unlock()
	if after != nil {
		defer after(n)
	}

	if fault != nil {
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if s.serveFault(w, r, *fault) {
			return
		}
	}
	if r.URL.Path != "/job-search" {
		http.NotFound(w, r)
		return
	}
	if key == "" {
		s.apiError(w, 1, "access-key is missing")
		return
	}
	if len(s.opts.Keys) > 0 && !slices.Contains(s.opts.Keys, key) {
		s.apiError(w, 2, "invalid access-key")
		return
	}
	if !s.countCall(key) {
		s.apiError(w, 4, "daily api call limit exceeded")
		return
	}
	sp, err := parseSearch(q)
	if err != nil {
		s.apiError(w, 3, err.Error())
		return
	}
	body := s.search(sp, !strings.Contains(r.Header.Get("Accept"), "json"))
	if bytes.HasPrefix(body, []byte("<?xml")) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.Write(body)
}

func (s *Server) countCall(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key + "|" + s.day()
	if s.opts.DailyQuota > 0 && s.calls[k] >= s.opts.DailyQuota {
		return false
	}
	s.calls[k]++
	return true
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	switch {
	case f.Code != 0:
		s.apiError(w, f.Code, "injected error")
	case f.EchoURL:
		http.Error(w, "internal error while handling "+r.URL.String(), http.StatusInternalServerError)
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		http.Error(w, http.StatusText(f.Status), f.Status)
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"jobs": {"count": 110, "start": 0, "total": "12"<html>upstream proxy error</html>`))
	case f.Truncate:
		body := []byte(`{"jobs":{"count":1,"start":0,"total":"1","job":[{"id":"1","position":{"title":"잘린 응답"}}]}}`)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot hijack", http.StatusInternalServerError)
			return true
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		buf.Write(body[:len(body)/2])
		buf.Flush()
	default:
		return false // a delay alone answers normally
	}
	return true
}

func (s *Server) apiError(w http.ResponseWriter, code int, msg string) {
	var c any = code
	if s.opts.CodeAsString {
		c = strconv.Itoa(code)
	}
	var body any = map[string]any{"code": c, "message": msg}
	if s.opts.Envelope == EnvelopeNested {
		body = map[string]any{"error": map[string]any{"code": c, "message": msg}}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if s.opts.ErrorStatus != 0 {
		w.WriteHeader(s.opts.ErrorStatus)
	}
	w.Write(marshal(body))
}

type searchParams struct {
	start, count     int
	sort             string
	pubMin, pubMax   time.Time
	jobMids, locMcds []string
	jobCds           []string
	keywords         string
	fields           map[string]bool
}

func parseSearch(q url.Values) (searchParams, error) {
	sp := searchParams{count: 10, sort: "pd", fields: map[string]bool{}}
	var err error
	if v := q.Get("start"); v != "" {
		if sp.start, err = strconv.Atoi(v); err != nil || sp.start < 0 {
			return sp, fmt.Errorf("invalid start %q", v)
		}
	}
	if v := q.Get("count"); v != "" {
		if sp.count, err = strconv.Atoi(v); err != nil || sp.count < 1 || sp.count > 110 {
			return sp, fmt.Errorf("invalid count %q (1..110)", v)
		}
	}
	if v := q.Get("sort"); v != "" {
		if !slices.Contains([]string{"pd", "pa", "ud", "ua", "da", "dd", "rc", "ac", "re"}, v) {
			return sp, fmt.Errorf("invalid sort %q", v)
		}
		sp.sort = v
	}
	for name, dst := range map[string]*time.Time{"published_min": &sp.pubMin, "published_max": &sp.pubMax} {
		if v := q.Get(name); v != "" {
			if *dst, err = parseTime(v); err != nil {
				return sp, fmt.Errorf("invalid %s %q", name, v)
			}
		}
	}
	sp.jobMids = splitMulti(q.Get("job_mid_cd"))
	sp.locMcds = splitMulti(q.Get("loc_mcd"))
	sp.jobCds = splitMulti(q.Get("job_cd"))
	sp.keywords = q.Get("keywords")
	for _, f := range splitMulti(q.Get("fields")) {
		sp.fields[f] = true
	}
	return sp, nil
}

// splitMulti splits multi-value parameters on '+', ' ' or ','. ('+' arrives as ' '
// after query decoding when it was not escaped.)
func splitMulti(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == '+' || r == ' ' || r == ',' })
}

// parseTime accepts the formats public clients send: "YYYY-MM-DD HH:MM:SS" and
// "YYYY-MM-DD" in KST, or Unix seconds.
func parseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, kst); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown time format")
}

func (s *Server) search(sp searchParams, asXML bool) []byte {
	s.mu.Lock()
	now := s.opts.Now()
	var hits []Posting
	for _, p := range s.postings {
		if v, ok := p.At(now); ok && sp.match(v) {
			hits = append(hits, v)
		}
	}
	s.mu.Unlock()
	sortPostings(hits, sp.sort)

	total := len(hits)
	var page []Posting
	if s.opts.MaxPages == 0 || sp.start < s.opts.MaxPages {
		lo := min(sp.start*sp.count, total)
		page = hits[lo:min(lo+sp.count, total)]
	}
	if asXML {
		return renderXML(page, sp.start, total)
	}
	jobs := make([]jobJSON, 0, len(page))
	for _, p := range page {
		jobs = append(jobs, p.render(now, sp.fields, s.opts.ActiveAsString))
	}
	list := map[string]any{"count": len(jobs), "start": sp.start, "total": strconv.Itoa(total)}
	switch {
	case len(jobs) == 1 && s.opts.SingleJobAsObject:
		list["job"] = jobs[0]
	case len(jobs) == 0 && s.opts.OmitEmptyJob:
	default:
		list["job"] = jobs
	}
	return marshal(map[string]any{"jobs": list})
}

func (sp searchParams) match(p Posting) bool {
	if !sp.pubMin.IsZero() && p.PostedAt.Before(sp.pubMin) {
		return false
	}
	if !sp.pubMax.IsZero() && p.PostedAt.After(sp.pubMax) {
		return false
	}
	if len(sp.jobMids) > 0 && !slices.ContainsFunc(p.JobMids, func(c codeName) bool { return slices.Contains(sp.jobMids, c.Code) }) {
		return false
	}
	if len(sp.locMcds) > 0 && !slices.ContainsFunc(p.Locations, func(l location) bool { return slices.Contains(sp.locMcds, l.code[:3]+"000") }) {
		return false
	}
	if len(sp.jobCds) > 0 && !slices.ContainsFunc(p.JobCodes, func(c string) bool { return slices.Contains(sp.jobCds, c) }) {
		return false
	}
	if sp.keywords != "" {
		hay := strings.ToLower(p.Title + " " + p.Company + " " + strings.Join(p.Keywords, " "))
		if !strings.Contains(hay, strings.ToLower(sp.keywords)) {
			return false
		}
	}
	return true
}

func sortPostings(ps []Posting, order string) {
	key := func(p Posting) time.Time { return p.PostedAt }
	if order == "ua" || order == "ud" {
		key = func(p Posting) time.Time { return p.ModifiedAt }
	}
	desc := order != "pa" && order != "ua"
	slices.SortStableFunc(ps, func(a, b Posting) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if desc {
			return -c
		}
		return c
	})
}

// marshal encodes like the real API: "&gt;" and "&amp;" stay literal, no \u003e.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("saramintest: marshal: %v", err)) // only our own types reach here
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func renderXML(page []Posting, start, total int) []byte {
	type xmlJob struct {
		ID    string `xml:"id"`
		Title string `xml:"position>title"`
	}
	type xmlJobs struct {
		Count int      `xml:"count,attr"`
		Start int      `xml:"start,attr"`
		Total int      `xml:"total,attr"`
		Job   []xmlJob `xml:"job"`
	}
	doc := struct {
		XMLName xml.Name `xml:"job-search"`
		Jobs    xmlJobs  `xml:"jobs"`
	}{Jobs: xmlJobs{Count: len(page), Start: start, Total: total}}
	for _, p := range page {
		doc.Jobs.Job = append(doc.Jobs.Job, xmlJob{ID: p.ID, Title: p.Title})
	}
	out, err := xml.Marshal(doc)
	if err != nil {
		panic(fmt.Sprintf("saramintest: marshal xml: %v", err)) // only our own types reach here
	}
	return append([]byte(xml.Header), out...)
}
