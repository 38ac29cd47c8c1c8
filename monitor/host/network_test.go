package host

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// startFakeDNS serves DNS over UDP on loopback: A queries for the names in addrs get
// that address, AAAA queries for them an empty answer, anything else NXDOMAIN.
func startFakeDNS(t *testing.T, addrs map[string]net.IP) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := answerDNS(buf[:n], addrs); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

// answerDNS builds the response to one query (RFC 1035 §4.1): the header with the
// query's id, the question echoed, and an A record pointing back at the question's name.
func answerDNS(q []byte, addrs map[string]net.IP) []byte {
	if len(q) < 12 {
		return nil
	}
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	i++ // the root label
	if i+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i:])
	question := q[12 : i+4]
	ip, known := addrs[strings.ToLower(strings.Join(labels, "."))]

	resp := make([]byte, 12, 64)
	copy(resp, q[:2])
	flags := uint16(0x8180) // response, recursion desired and available
	if !known {
		flags |= 3 // NXDOMAIN
	}
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1)
	answer := known && qtype == 1
	if answer {
		binary.BigEndian.PutUint16(resp[6:], 1)
	}
	resp = append(resp, question...)
	if answer {
		// name: pointer to the question; type A; class IN; TTL 60; 4 bytes of address.
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
		resp = append(resp, ip.To4()...)
	}
	return resp
}

func resolverAt(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func fixedNow() time.Time { return time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC) }

func probeSamples(target, kind string, success float64, status int) map[string]float64 {
	l := `{kind="` + kind + `",target="` + target + `"}`
	m := map[string]float64{"probe_success" + l: success, "probe_duration_seconds" + l: 0}
	if status != 0 {
		m["probe_http_status"+l] = float64(status)
	}
	return m
}

func merge(ms ...map[string]float64) map[string]float64 {
	out := map[string]float64{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestNetwork_probes runs every kind of probe against local servers in one tick.
func TestNetwork_probes(t *testing.T) {
	t.Parallel()
	tls := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			w.WriteHeader(http.StatusOK)
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	// The tcp probe connects and hangs up without a handshake, which the server logs.
	tls.Config.ErrorLog = log.New(io.Discard, "", 0)
	tls.StartTLS()
	t.Cleanup(tls.Close)
	dns := startFakeDNS(t, map[string]net.IP{"api.example.test": net.IPv4(192, 0, 2, 10)})
	closed := closedAddr(t)

	cfg := Config{Targets: []Target{
		{Name: "api", Kind: KindHTTPS, Address: tls.URL + "/ok"},
		{Name: "api_down", Kind: KindHTTPS, Address: tls.URL + "/down"},
		{Name: "api_auth", Kind: KindHTTPS, Address: tls.URL + "/private"},
		{Name: "api_refused", Kind: KindHTTPS, Address: "https://" + closed + "/"},
		{Name: "db", Kind: KindTCP, Address: tls.Listener.Addr().String()},
		{Name: "db_closed", Kind: KindTCP, Address: closed},
		{Name: "dns", Kind: KindDNS, Address: "api.example.test"},
		{Name: "dns_nxdomain", Kind: KindDNS, Address: "missing.example.test"},
	}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	n := NewNetwork(cfg, Deps{Now: fixedNow, Resolver: resolverAt(dns), TLSConfig: tls.Client().Transport.(*http.Transport).TLSClientConfig})
	r := n.Collect(context.Background())
	if r.Err != nil {
		t.Fatalf("failing probes must not fail the collector: %v", r.Err)
	}
	want := merge(
		probeSamples("api", "https", 1, 200),
		// 5xx: the service answered, so the network path works; the status tells more.
		probeSamples("api_down", "https", 1, 503),
		probeSamples("api_auth", "https", 1, 401),
		probeSamples("api_refused", "https", 0, 0),
		probeSamples("db", "tcp", 1, 0),
		probeSamples("db_closed", "tcp", 0, 0),
		probeSamples("dns", "dns", 1, 0),
		probeSamples("dns_nxdomain", "dns", 0, 0),
	)
	if diff := cmp.Diff(want, values(r)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

func TestNetwork_defaultClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/login" {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/login", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	n := NewNetwork(Config{Targets: []Target{{Name: "web", Kind: KindHTTPS, Address: srv.URL + "/"}}}, Deps{Now: fixedNow})
	r := n.Collect(context.Background())
	if diff := cmp.Diff(probeSamples("web", "https", 1, 302), values(r)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

func TestNetwork_resolverFails(t *testing.T) {
	t.Parallel()
	broken := &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("no route to the name server")
	}}
	n := NewNetwork(Config{Targets: []Target{
		{Name: "dns", Kind: KindDNS, Address: "api.example.test"},
		{Name: "tcp_by_name", Kind: KindTCP, Address: "db.example.test:5432"},
	}}, Deps{Now: fixedNow, Resolver: broken})
	r := n.Collect(context.Background())
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	want := merge(probeSamples("dns", "dns", 0, 0), probeSamples("tcp_by_name", "tcp", 0, 0))
	if diff := cmp.Diff(want, values(r)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

// TestNetwork_hangingTarget: a target that never answers fails at its own timeout
// while the others finish; the tick is bounded by the slowest timeout.
func TestNetwork_hangingTarget(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	n := NewNetwork(Config{Targets: []Target{
		{Name: "hangs", Kind: KindHTTPS, Address: srv.URL, Timeout: time.Millisecond},
		{Name: "up", Kind: KindTCP, Address: srv.Listener.Addr().String(), Timeout: time.Hour},
	}}, Deps{Now: fixedNow})
	r := n.Collect(context.Background())
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	want := merge(probeSamples("hangs", "https", 0, 0), probeSamples("up", "tcp", 1, 0))
	if diff := cmp.Diff(want, values(r)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

// TestNetwork_secretNeverShown: a probe URL's token stays out of samples, errors and
// logs, whether the probe fails or succeeds, and out of config validation errors.
func TestNetwork_secretNeverShown(t *testing.T) {
	t.Parallel()
	const secret = "xoxb-SECRET-4242"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := Config{Targets: []Target{
		{Name: "hook_refused", Kind: KindHTTPS, Address: "http://user:" + secret + "@" + closedAddr(t) + "/services/" + secret + "?token=" + secret},
		{Name: "hook_5xx", Kind: KindHTTPS, Address: srv.URL + "/services/" + secret + "?token=" + secret},
	}}
	n := NewNetwork(cfg, Deps{Logger: logger})
	var seen strings.Builder
	for range 2 {
		r := n.Collect(context.Background())
		if r.Err != nil {
			seen.WriteString(r.Err.Error())
		}
		seen.WriteString(render(r))
	}
	bad := cfg
	bad.Targets = []Target{{Name: "hook", Kind: KindHTTPS, Address: "ftp://" + secret + "/" + secret}}
	seen.WriteString(bad.Validate().Error())

	if !strings.Contains(logs.String(), "probe failing") || !strings.Contains(logs.String(), "hook_refused") {
		t.Fatalf("the failing probe was not logged by name: %q", logs.String())
	}
	for what, text := range map[string]string{"logs": logs.String(), "samples, errors": seen.String()} {
		if strings.Contains(text, secret) {
			t.Errorf("%s show the secret:\n%s", what, text)
		}
	}
}

// TestNetwork_httpsRequest: the hand-made probe request is an HTTP/1.1 GET of the
// URL's path and query with the Host, User-Agent, Connection: close and, from the URL's
// user info, Basic credentials, as net/http's client would send it.
func TestNetwork_httpsRequest(t *testing.T) {
	t.Parallel()
	got := make(chan *http.Request, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	u := strings.Replace(srv.URL, "http://", "http://probe:pw@", 1) + "/health?x=1"
	n := NewNetwork(Config{Targets: []Target{{Name: "web", Kind: KindHTTPS, Address: u}}}, Deps{Now: fixedNow})
	if diff := cmp.Diff(probeSamples("web", "https", 1, 204), values(n.Collect(context.Background()))); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	r := <-got
	user, pw, _ := r.BasicAuth()
	type request struct{ Method, Proto, URI, Host, UserAgent, User, Password string }
	want := request{"GET", "HTTP/1.1", "/health?x=1", srv.Listener.Addr().String(), "jobpulse-monitor", "probe", "pw"}
	if diff := cmp.Diff(want, request{r.Method, r.Proto, r.RequestURI, r.Host, r.UserAgent(), user, pw}); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if !r.Close {
		t.Error("the probe did not ask to close the connection")
	}
}

// TestNetwork_httpsThroughProxy: a probe the environment routes through a proxy asks
// the proxy, with the absolute URL, as net/http does.
func TestNetwork_httpsThroughProxy(t *testing.T) {
	t.Parallel()
	asked := make(chan string, 1)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked <- r.RequestURI
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(proxy.Close)
	proxyURL, err := url.Parse(proxy.URL)
	if err != nil {
		t.Fatal(err)
	}
	n := NewNetwork(Config{Targets: []Target{{Name: "web", Kind: KindHTTPS, Address: "http://api.example.test/ping"}}},
		Deps{Now: fixedNow, Proxy: http.ProxyURL(proxyURL)})
	if diff := cmp.Diff(probeSamples("web", "https", 1, http.StatusTeapot), values(n.Collect(context.Background()))); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if got := <-asked; got != "http://api.example.test/ping" {
		t.Errorf("the proxy was asked for %q, want the absolute URL", got)
	}
}
