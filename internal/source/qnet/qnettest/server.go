// Package qnettest is a fake of Q-Net's certification statistics on data.go.kr
// (InquiryStatSVC getEventYearPiList/SiList) that speaks the real protocol — ServiceKey
// checks, both error envelopes, XML or JSON, empty answers for exams it does not
// cover, a daily quota — with injectable faults and deterministic statistics. Tests
// and the demo source use it.
package qnettest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/qnet"
)

// ServicePath is where the fake serves the operations, as the real host does.
const ServicePath = "/api/service/rest/InquiryStatSVC"

// Options shape the fake. The zero value accepts any non-empty key and covers every
// exam code.
type Options struct {
	// ServiceKey is the accepted key in its decoded form (…+…==); the Encoding form is
	// accepted here too. Empty accepts any non-empty key.
	ServiceKey string
	// Seed varies the synthetic statistics.
	Seed int64
	// Uncovered exam codes are answered 00 with an empty items element, as data.go.kr
	// answers exams outside Q-Net.
	Uncovered []string
	// DailyQuota is the accepted calls per KST day; over it the gateway answers 22.
	// 0 is unlimited.
	DailyQuota int
	// CommaCounts writes counts with thousands separators ("12,345"), as strings in JSON.
	CommaCounts bool
	// SparseCounts answers the year baseYY-3 with empty count elements and leaves the
	// year baseYY-4's count elements out.
	SparseCounts bool
	// OmitExamFields leaves jmcd and jmnm out of the item.
	OmitExamFields bool
	// ItemAsArray sends JSON's item as a one-element array instead of an object.
	ItemAsArray bool
	// Now is the fake's clock: what is tallied (years before the current KST year)
	// and which quota day it is. Default time.Now.
	Now func() time.Time
}

// Fault is injected into one upcoming request (first in, first out), before any check.
type Fault struct {
	// Code answers this result code: 01–11 in the service's envelope (JSON when asked
	// for), 12 and above in the gateway's XML envelope.
	Code string
	// Status answers this HTTP status with a plain-text body.
	Status int
	// Malformed answers 200 with an XML document cut short (a complete HTTP response).
	Malformed bool
	// Truncate declares the full Content-Length, sends half the body and drops the
	// connection.
	Truncate bool
	// EchoURL answers an HTML error page quoting the request URL, ServiceKey included
	// (HTTP 200, or Status when set), as misconfigured proxies do.
	EchoURL bool
	// Delay waits before answering; alone it is a slow but correct answer.
	Delay time.Duration
}

// Repeat returns n copies of f, for "n failures before success".
func Repeat(n int, f Fault) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// Recorded is one request as the fake saw it, the key removed.
type Recorded struct {
	Operation string
	// Query holds the parameters without ServiceKey.
	Query url.Values
	// HasKey says a ServiceKey was sent; KeyAccepted that it matched once decoded
	// (a double-encoded key does not).
	HasKey, KeyAccepted bool
}

// Server is a running fake.
type Server struct {
	srv  *httptest.Server
	opts Options
	key  string

	mu       sync.Mutex
	faults   []Fault
	calls    map[string]int // KST day → accepted calls
	requests []Recorded
}

// NewServer starts a fake.
func NewServer(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	key := opts.ServiceKey
	if d, err := url.PathUnescape(key); err == nil {
		key = d
	}
	s := &Server{opts: opts, key: key, calls: map[string]int{}}
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the service root to configure as the client's base URL.
func (s *Server) URL() string { return s.srv.URL + ServicePath }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Inject queues faults for the next requests, one per request.
func (s *Server) Inject(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f...)
}

// Requests returns what the fake received so far.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Calls returns today's quota-counted calls.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[s.day()]
}

// Covered reports whether the fake has statistics for examCode.
func (s *Server) Covered(examCode string) bool { return !slices.Contains(s.opts.Uncovered, examCode) }

// ExamName is the name the fake gives examCode.
func (s *Server) ExamName(examCode string) string { return profileFor(s.opts.Seed, examCode).name }

// Stats is the truth for one exam, stage and year: the counts the fake serves when no
// variant blanks them. Counts are nil for an uncovered exam and for years not tallied
// yet (the current KST year and later).
func (s *Server) Stats(examCode string, stage qnet.Stage, year int) qnet.YearStat {
	st := qnet.YearStat{Year: year, Stage: stage, ExamCode: examCode}
	if !s.Covered(examCode) || !stage.Valid() || year > qnet.DefaultBaseYear(s.opts.Now()) {
		return st
	}
	c := generate(s.opts.Seed, examCode, stage, year)
	st.Applicants, st.Passers, st.Registrants = &c.applicants, &c.passers, &c.registrants
	return st
}

// Body is what the fake answers a valid request with, in format qnet.FormatXML or
// qnet.FormatJSON.
func (s *Server) Body(stage qnet.Stage, examCode string, baseYear int, format string) []byte {
	asJSON := format == qnet.FormatJSON
	if !s.Covered(examCode) {
		return renderItem(nil, asJSON, s.opts.ItemAsArray)
	}
	var counts [3][]field // applicants, passers, registrants by suffix
	for suffix := 1; suffix <= qnet.WindowYears; suffix++ {
		st := s.Stats(examCode, stage, baseYear-(suffix-1))
		for i, f := range []struct {
			prefix string
			v      *int64
		}{{"ilecnt", st.Applicants}, {"ilpcnt", st.Passers}, {"ilrcnt", st.Registrants}} {
			fl := field{name: f.prefix + strconv.Itoa(suffix), number: !s.opts.CommaCounts}
			switch {
			case s.opts.SparseCounts && suffix == 5:
				fl.absent = true
			case s.opts.SparseCounts && suffix == 4, f.v == nil:
				// empty element
			case s.opts.CommaCounts:
				fl.value = withCommas(*f.v)
			default:
				fl.value = strconv.FormatInt(*f.v, 10)
			}
			counts[i] = append(counts[i], fl)
		}
	}
	fields := slices.Concat(counts[0], counts[1], counts[2])
	if !s.opts.OmitExamFields {
		fields = append(fields,
			field{name: "jmcd", value: examCode, number: true},
			field{name: "jmnm", value: s.ExamName(examCode)})
	}
	return renderItem(fields, asJSON, s.opts.ItemAsArray)
}

func (s *Server) day() string { return s.opts.Now().In(qnet.KST).Format("2006-01-02") }

// ServeHTTP implements the two operations.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key, keyParam := q.Get("ServiceKey"), "ServiceKey"
	if key == "" {
		key, keyParam = q.Get("serviceKey"), "serviceKey"
	}
	op := strings.TrimPrefix(r.URL.Path, ServicePath+"/")
	rec := Recorded{Operation: op, Query: url.Values{}, HasKey: key != "", KeyAccepted: key != "" && (s.key == "" || key == s.key)}
	for k, v := range q {
		if k != keyParam {
			rec.Query[k] = v
		}
	}
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	var fault *Fault
	if len(s.faults) > 0 {
		fault = &s.faults[0]
		s.faults = s.faults[1:]
	}
	s.mu.Unlock()

	asJSON := q.Get("_type") == "json"
	if fault != nil {
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if s.serveFault(w, r, *fault, asJSON) {
			return
		}
	}

	var stage qnet.Stage
	switch op {
	case qnet.OperationWritten:
		stage = qnet.StageWritten
	case qnet.OperationPractical:
		stage = qnet.StagePractical
	default:
		s.answerCode(w, "12", asJSON)
		return
	}
	if !rec.KeyAccepted {
		s.answerCode(w, "30", asJSON)
		return
	}
	if !s.countCall() {
		s.answerCode(w, "22", asJSON)
		return
	}
	code, yy := strings.TrimSpace(q.Get("jmCd")), strings.TrimSpace(q.Get("baseYY"))
	if code == "" || yy == "" {
		s.answerCode(w, "11", asJSON)
		return
	}
	year, err := strconv.Atoi(yy)
	if err != nil || year < 1900 || year > 2100 || strings.Trim(code, "0123456789") != "" {
		s.answerCode(w, "10", asJSON)
		return
	}
	format := qnet.FormatXML
	if asJSON {
		format = qnet.FormatJSON
	}
	write(w, http.StatusOK, s.Body(stage, code, year, format))
}

func (s *Server) countCall() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.day()
	if s.opts.DailyQuota > 0 && s.calls[d] >= s.opts.DailyQuota {
		return false
	}
	s.calls[d]++
	return true
}

func (s *Server) answerCode(w http.ResponseWriter, code string, asJSON bool) {
	if gatewayCode(code) {
		write(w, http.StatusOK, gatewayXML(code))
		return
	}
	write(w, http.StatusOK, serviceError(code, asJSON))
}

func (s *Server) serveFault(w http.ResponseWriter, r *http.Request, f Fault, asJSON bool) bool {
	switch {
	case f.Code != "":
		s.answerCode(w, f.Code, asJSON)
	case f.EchoURL:
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<html><body><h1>Bad Gateway</h1><p>upstream failed for http://%s%s</p></body></html>", r.Host, r.URL.RequestURI())
	case f.Status != 0:
		http.Error(w, http.StatusText(f.Status), f.Status)
	case f.Malformed:
		body := s.Body(qnet.StageWritten, CodeEngineer, 2024, qnet.FormatXML)
		write(w, http.StatusOK, body[:len(body)*2/3])
	case f.Truncate:
		body := s.Body(qnet.StageWritten, CodeEngineer, 2024, qnet.FormatXML)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "cannot hijack", http.StatusInternalServerError)
			return true
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: text/xml;charset=UTF-8\r\nContent-Length: %d\r\n\r\n", len(body))
		buf.Write(body[:len(body)/2])
		buf.Flush()
	default:
		return false // a delay alone answers normally
	}
	return true
}

func write(w http.ResponseWriter, status int, body []byte) {
	if len(body) > 0 && body[0] == '{' {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	} else {
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	}
	w.WriteHeader(status)
	w.Write(body)
}
