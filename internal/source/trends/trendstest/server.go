// Package trendstest is a fake of the Google Trends web flow — NID cookie, explore with
// widget tokens, multiline interest over time — that speaks its real protocol, scales
// values per request as Google does from a known ground truth, and injects the faults
// seen in the wild (429 bursts and blocks, stale cookies, failing keywords, malformed,
// truncated and slow answers). Tests and the demo source use it.
package trendstest

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Endpoint selects which requests a Fault hits.
type Endpoint int

const (
	// EndpointAPI is explore or multiline, whichever comes first.
	EndpointAPI Endpoint = iota
	// EndpointExplore is /trends/api/explore.
	EndpointExplore
	// EndpointMultiline is /trends/api/widgetdata/multiline.
	EndpointMultiline
	// EndpointCookie is the explore page that issues the NID cookie.
	EndpointCookie
)

// Paths the fake serves.
const (
	PathCookie    = "/trends/"
	PathExplore   = "/trends/api/explore"
	PathMultiline = "/trends/api/widgetdata/multiline"
)

// Fault is a wrong answer. Queued with Inject it hits one upcoming request (first in,
// first out, among those its Endpoint matches); in Options.Failing it hits every request
// that asks for a keyword.
type Fault struct {
	Endpoint Endpoint
	// Status answers with this HTTP status and Google's HTML error page (429, 500, 400, …).
	Status     int
	RetryAfter string // Retry-After header value, with Status
	// Malformed answers 200 with a body that is not the expected JSON.
	Malformed bool
	// Truncate declares the full Content-Length, sends half the body and drops the connection.
	Truncate bool
	// EchoCookie puts the request's Cookie header into the body (of a 500 unless Status or
	// Malformed say otherwise): a proxy dumping the request, the worst case for redaction.
	EchoCookie bool
	// Delay waits before answering; alone it is a slow but correct answer.
	Delay time.Duration
}

// Options shape the fake. The zero value serves KR with seed 0 at time.Now.
type Options struct {
	// Seed picks the ground truth of every keyword.
	Seed uint64
	// Now is the fake's clock: what "today" is, and when requests are recorded.
	Now func() time.Time
	// Geo is the only region accepted (default KR).
	Geo string
	// Truth overrides the generated ground truth of some keywords (case-insensitive).
	Truth map[string]func(time.Time) float64
	// Unknown keywords have no data: value 0 and hasData false everywhere.
	Unknown []string
	// Failing keywords get their fault on every explore (or, by Endpoint, multiline)
	// request that asks for them.
	Failing map[string]Fault
	// BlockAfter, when > 0, blocks the client after that many answered multiline
	// requests: every API request gets 429 from then on, as Google's IP blocks do.
	BlockAfter int
}

// Recorded is one request as the fake saw it. The cookie value is not kept, so test
// output never shows it.
type Recorded struct {
	Path  string
	Query url.Values
	// HasCookie says an NID cookie came with the request; CookieValid that the fake had
	// issued it and it is still valid.
	HasCookie, CookieValid bool
	// At is the fake clock's time when the request arrived.
	At     time.Time
	Status int
}

// Server is a running fake.
type Server struct {
	srv     *httptest.Server
	opts    Options
	key     []byte // signs tokens
	truth   map[string]func(time.Time) float64
	unknown map[string]bool
	failing map[string]Fault

	mu       sync.Mutex
	cookies  map[string]bool // issued value → still valid
	issued   []string
	tokens   map[string]issuedWidget
	faults   []Fault
	requests []Recorded
	answered int // multiline successes
}

// issuedWidget is what a token stands for.
type issuedWidget struct {
	req   string // the widget request, byte for byte
	terms []string
	span  span
}

// NewServer starts a fake.
func NewServer(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Geo == "" {
		opts.Geo = "KR"
	}
	s := &Server{
		opts:    opts,
		key:     []byte(rand.Text()),
		truth:   map[string]func(time.Time) float64{},
		unknown: map[string]bool{},
		failing: map[string]Fault{},
		cookies: map[string]bool{},
		tokens:  map[string]issuedWidget{},
	}
	for k, f := range opts.Truth {
		s.truth[normalize(k)] = f
	}
	for _, k := range opts.Unknown {
		s.unknown[normalize(k)] = true
	}
	for k, f := range opts.Failing {
		s.failing[normalize(k)] = f
	}
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the base URL to configure the client with.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Inject queues faults for upcoming requests, one request each.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// ExpireCookies invalidates every cookie issued so far: API requests get 429 until the
// client fetches a new one.
func (s *Server) ExpireCookies() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.cookies)
}

// Requests returns what the fake received so far.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.requests)
	for i := range out {
		out[i].Query = cloneValues(out[i].Query)
	}
	return out
}

// CookieIssues is the number of NID cookies issued.
func (s *Server) CookieIssues() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.issued)
}

// Cookies returns every NID value issued, for tests that prove a client never leaks one.
func (s *Server) Cookies() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.issued)
}

// Truth is the ground truth of keyword at t, before per-request scaling.
func (s *Server) Truth(keyword string, t time.Time) float64 {
	k := normalize(keyword)
	if s.unknown[k] {
		return 0
	}
	if f, ok := s.truth[k]; ok {
		return f(t)
	}
	return Popularity(s.opts.Seed, k, t)
}

// ServeHTTP implements the three endpoints of the flow.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var ep Endpoint
	switch r.URL.Path {
	case PathCookie, "/trends":
		ep = EndpointCookie
	case PathExplore:
		ep = EndpointExplore
	case PathMultiline:
		ep = EndpointMultiline
	default:
		http.NotFound(w, r)
		return
	}
	rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	nid, _ := r.Cookie("NID")

	s.mu.Lock()
	rec := Recorded{Path: r.URL.Path, Query: r.URL.Query(), HasCookie: nid != nil, At: s.opts.Now()}
	rec.CookieValid = nid != nil && s.cookies[nid.Value]
	s.requests = append(s.requests, rec)
	idx := len(s.requests) - 1
	fault := s.takeFault(ep)
	blocked := s.opts.BlockAfter > 0 && s.answered >= s.opts.BlockAfter
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.requests[idx].Status = rw.status
		s.mu.Unlock()
	}()

	if fault != nil && s.serveFault(rw, r, *fault) {
		return
	}
	if ep == EndpointCookie {
		s.serveCookie(rw)
		return
	}
	// Google answers 429 to API requests without a cookie it issued.
	if !rec.CookieValid || blocked {
		s.errorPage(rw, http.StatusTooManyRequests, "")
		return
	}
	if err := checkLocale(r.URL.Query()); err != nil {
		s.errorPage(rw, http.StatusBadRequest, err.Error())
		return
	}
	if ep == EndpointExplore {
		s.serveExplore(rw, r)
		return
	}
	s.serveMultiline(rw, r)
}

// takeFault pops the first queued fault for ep; s.mu is held.
func (s *Server) takeFault(ep Endpoint) *Fault {
	for i, f := range s.faults {
		if f.Endpoint == ep || (f.Endpoint == EndpointAPI && ep != EndpointCookie) {
			s.faults = slices.Delete(s.faults, i, i+1)
			return &f
		}
	}
	return nil
}

func (s *Server) serveCookie(w http.ResponseWriter) {
	// Real NIDs look like "511=<base64ish>"; the "=" inside the value is a parsing trap.
	v := "511=" + rand.Text() + rand.Text()
	s.mu.Lock()
	s.cookies[v] = true
	s.issued = append(s.issued, v)
	s.mu.Unlock()
	w.Header().Add("Set-Cookie", "NID="+v+"; expires="+s.opts.Now().Add(183*24*time.Hour).UTC().Format(http.TimeFormat)+"; path=/; domain=.google.com; HttpOnly")
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	fmt.Fprint(w, "<!doctype html><html lang=\"ko\"><head><title>Google 트렌드</title></head><body></body></html>")
}

var hlPattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z]{2,4})?$`)

func checkLocale(q url.Values) error {
	if !hlPattern.MatchString(q.Get("hl")) {
		return fmt.Errorf("bad hl %q", q.Get("hl"))
	}
	tz, err := strconv.Atoi(q.Get("tz"))
	if err != nil || tz < -840 || tz > 720 {
		return fmt.Errorf("bad tz %q", q.Get("tz"))
	}
	return nil
}

// exploreReq is the client's req parameter.
type exploreReq struct {
	ComparisonItem []struct {
		Keyword string `json:"keyword"`
		Geo     string `json:"geo"`
		Time    string `json:"time"`
	} `json:"comparisonItem"`
	Category int    `json:"category"`
	Property string `json:"property"`
}

func (s *Server) serveExplore(w http.ResponseWriter, r *http.Request) {
	var req exploreReq
	if err := json.Unmarshal([]byte(r.URL.Query().Get("req")), &req); err != nil {
		s.errorPage(w, http.StatusBadRequest, "req is not JSON")
		return
	}
	n := len(req.ComparisonItem)
	if n < 1 || n > 5 {
		s.errorPage(w, http.StatusBadRequest, fmt.Sprintf("%d comparison items", n))
		return
	}
	terms := make([]string, n)
	for i, it := range req.ComparisonItem {
		switch {
		case normalize(it.Keyword) == "":
			s.errorPage(w, http.StatusBadRequest, "empty keyword")
			return
		case it.Geo != s.opts.Geo:
			s.errorPage(w, http.StatusBadRequest, fmt.Sprintf("geo %q", it.Geo))
			return
		case it.Time != req.ComparisonItem[0].Time:
			s.errorPage(w, http.StatusBadRequest, "mixed time ranges")
			return
		}
		terms[i] = it.Keyword
	}
	for _, t := range terms {
		if f, ok := s.failing[normalize(t)]; ok && f.Endpoint != EndpointMultiline && s.serveFault(w, r, f) {
			return
		}
	}
	tz, _ := strconv.Atoi(r.URL.Query().Get("tz"))
	timeRange := req.ComparisonItem[0].Time
	sp, err := resolveSpan(timeRange, s.opts.Now(), tz)
	if err != nil {
		s.errorPage(w, http.StatusBadRequest, err.Error())
		return
	}
	hl := r.URL.Query().Get("hl")
	widgetReq := marshal(s.widgetRequest(terms, sp, hl, req))
	token := s.sign(widgetReq)
	s.mu.Lock()
	s.tokens[token] = issuedWidget{req: string(widgetReq), terms: terms, span: sp}
	s.mu.Unlock()

	type widget struct {
		Request    json.RawMessage `json:"request"`
		Bullets    []any           `json:"bullets,omitempty"`
		Resolution string          `json:"resolution,omitempty"`
		Token      string          `json:"token"`
		ID         string          `json:"id"`
		Type       string          `json:"type"`
		Title      string          `json:"title"`
		Template   string          `json:"template"`
		Version    string          `json:"version"`
	}
	var bullets []any
	for _, t := range terms {
		bullets = append(bullets, map[string]string{"text": t})
	}
	widgets := []widget{{Request: widgetReq, Bullets: bullets, Resolution: sp.resolution, Token: token, ID: "TIMESERIES",
		Type: "fe_line_chart", Title: "시간 흐름에 따른 관심도 변화", Template: "fe", Version: "1"}}
	for i, t := range terms {
		id := "RELATED_QUERIES"
		if n > 1 {
			id = fmt.Sprintf("RELATED_QUERIES_%d", i)
		}
		rq := marshal(map[string]any{
			"restriction": map[string]any{
				"geo":                            map[string]string{"country": s.opts.Geo},
				"time":                           sp.widgetTime,
				"originalTimeRangeForExploreUrl": timeRange,
				"complexKeywordsRestriction":     map[string]any{"keyword": []map[string]string{{"type": "BROAD", "value": t}}},
			},
			"keywordType":     "QUERY",
			"metric":          []string{"TOP", "RISING"},
			"requestOptions":  map[string]any{"property": req.Property, "backend": "IZG", "category": req.Category},
			"language":        hl,
			"userCountryCode": s.opts.Geo,
		})
		widgets = append(widgets, widget{Request: rq, Token: s.sign(rq), ID: id,
			Type: "fe_related_searches", Title: "관련 검색어", Template: "fe", Version: "1"})
	}
	keywords := make([]map[string]string, 0, n)
	for _, t := range terms {
		keywords = append(keywords, map[string]string{"keyword": t, "name": t, "type": "검색어"})
	}
	body := marshal(map[string]any{"widgets": widgets, "keywords": keywords, "timeRanges": []string{sp.widgetTime}, "examples": []any{}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write([]byte(")]}'\n"))
	w.Write(body)
}

// widgetItem and widgetReq spell the TIMESERIES request the way Google does. Their field
// order is not alphabetical, so a client that decodes and re-encodes the request (instead
// of passing it on byte for byte) sends different bytes and is refused.
type widgetItem struct {
	Geo                        map[string]string `json:"geo"`
	ComplexKeywordsRestriction struct {
		Keyword []keywordRestriction `json:"keyword"`
	} `json:"complexKeywordsRestriction"`
}

type keywordRestriction struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type widgetReq struct {
	Time           string       `json:"time"`
	Resolution     string       `json:"resolution"`
	Locale         string       `json:"locale"`
	ComparisonItem []widgetItem `json:"comparisonItem"`
	RequestOptions struct {
		Property string `json:"property"`
		Backend  string `json:"backend"`
		Category int    `json:"category"`
	} `json:"requestOptions"`
	UserConfig struct {
		UserType string `json:"userType"`
	} `json:"userConfig"`
}

func (s *Server) widgetRequest(terms []string, sp span, hl string, req exploreReq) widgetReq {
	wr := widgetReq{Time: sp.widgetTime, Resolution: sp.resolution, Locale: hl}
	for _, t := range terms {
		var it widgetItem
		it.Geo = map[string]string{"country": s.opts.Geo}
		it.ComplexKeywordsRestriction.Keyword = []keywordRestriction{{Type: "BROAD", Value: t}}
		wr.ComparisonItem = append(wr.ComparisonItem, it)
	}
	wr.RequestOptions.Property = req.Property
	wr.RequestOptions.Backend = "IZG"
	wr.RequestOptions.Category = req.Category
	wr.UserConfig.UserType = "USER_TYPE_LEGIT_USER"
	return wr
}

// sign makes an opaque token bound to the request bytes and to this server.
func (s *Server) sign(b []byte) string {
	m := hmac.New(sha256.New, s.key)
	m.Write(b)
	m.Write([]byte(rand.Text())) // two identical requests still get distinct tokens
	return "APP6_UEAAAAA" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:28]
}

type timelinePoint struct {
	Time           string   `json:"time"`
	FormattedTime  string   `json:"formattedTime"`
	FormattedAxis  string   `json:"formattedAxisTime"`
	Value          []int    `json:"value"`
	HasData        []bool   `json:"hasData"`
	FormattedValue []string `json:"formattedValue"`
	IsPartial      bool     `json:"isPartial,omitempty"`
}

func (s *Server) serveMultiline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	iw, ok := s.tokens[q.Get("token")]
	s.mu.Unlock()
	switch {
	case !ok:
		s.errorPage(w, http.StatusUnauthorized, "unknown token")
		return
	case q.Get("req") != iw.req:
		s.errorPage(w, http.StatusBadRequest, "req does not match the token")
		return
	}
	for _, t := range iw.terms {
		if f, ok := s.failing[normalize(t)]; ok && f.Endpoint == EndpointMultiline && s.serveFault(w, r, f) {
			return
		}
	}
	body := s.timeline(iw)
	s.mu.Lock()
	s.answered++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write([]byte(")]}',\n"))
	w.Write(body)
}

// timeline scales the truth as Google does: the largest value of any term at any point
// of this request is 100, the rest in proportion, rounded.
func (s *Server) timeline(iw issuedWidget) []byte {
	truth := make([][]float64, len(iw.span.points))
	peak := 0.0
	for i, t := range iw.span.points {
		truth[i] = make([]float64, len(iw.terms))
		for j, k := range iw.terms {
			truth[i][j] = s.Truth(k, t)
			peak = max(peak, truth[i][j])
		}
	}
	data := make([]timelinePoint, 0, len(iw.span.points))
	for i, t := range iw.span.points {
		p := timelinePoint{Time: strconv.FormatInt(t.Unix(), 10), FormattedTime: formatTime(t, iw.span.resolution),
			FormattedAxis: t.Format("2006. 1. 2.")}
		for j, k := range iw.terms {
			v := 0
			if peak > 0 {
				v = int(math.Round(100 * truth[i][j] / peak))
			}
			fv := strconv.Itoa(v)
			if v == 0 && truth[i][j] > 0 {
				fv = "<1"
			}
			p.Value = append(p.Value, v)
			p.HasData = append(p.HasData, !s.unknown[normalize(k)])
			p.FormattedValue = append(p.FormattedValue, fv)
		}
		p.IsPartial = iw.span.partial && i == len(iw.span.points)-1
		data = append(data, p)
	}
	return marshal(map[string]any{"default": map[string]any{"timelineData": data, "averages": []int{}}})
}

// errorPage answers like Google's front end: an HTML page, whatever the client accepts.
func (s *Server) errorPage(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error %d (%s)!!1</title>\n  <p><b>%d.</b> <ins>That’s an error.</ins>\n  <p>%s <ins>That’s all we know.</ins>\n",
		status, http.StatusText(status), status, detail)
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	echo := ""
	if f.EchoCookie {
		echo = "request headers: Cookie: " + r.Header.Get("Cookie")
	}
	switch {
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, ")]}',\n<html><body>upstream proxy error %s</body></html>", echo)
	case f.Truncate:
		body := []byte(`)]}',` + "\n" + `{"default":{"timelineData":[{"time":"1700000000","formattedTime":"잘린 응답","value":[50],"hasData":[true],"formattedValue":["50"]}]}}`)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot hijack", http.StatusInternalServerError)
			return true
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
		buf.Write(body[:len(body)/2])
		buf.Flush()
	case f.Status != 0 || f.EchoCookie:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		s.errorPage(w, status, echo)
	default:
		return false // a delay alone answers normally
	}
	return true
}

// statusWriter remembers the status for Recorded; Unwrap lets Hijack through.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// marshal encodes like Google: compact, UTF-8 as is, "&" and "<" literal.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("trendstest: marshal: %v", err)) // only our own types reach here
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
