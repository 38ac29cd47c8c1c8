package host

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/jobpulse/jobpulse/monitor/sample"
)

// Network probes whether the host can reach the configured targets, all at once, each
// within its own timeout:
//
//	probe_success{target,kind}            1 reachable, 0 not
//	probe_duration_seconds{target,kind}   how long the probe took
//	probe_http_status{target,kind}        the status code, https probes that got one
//
// dns resolves the hostname; tcp opens (and closes) a connection; https sends a GET and
// succeeds on any HTTP response, 5xx included: the probe answers "can this host reach
// that service over the network" (DNS, routing, firewall, TLS all worked), not "is the
// service healthy". A 503 therefore reports probe_success 1 with probe_http_status 503,
// so a rule can still alert on the status without calling it a network failure.
//
// A failing probe is a sample, not a collector error: the collector failed only if it
// could not run the probes. Logs and errors name the target, never its address, which
// for https may carry a token.
type Network struct {
	targets  []Target
	resolver *net.Resolver
	dialer   *net.Dialer
	tls      *tls.Config
	proxy    func(*http.Request) (*url.URL, error)
	// proxied sends the https probes that go through a proxy; the others are made by
	// hand (see probeHTTPS).
	proxied *http.Client
	now     func() time.Time
	logger  *slog.Logger

	mu sync.Mutex
	// failing holds the targets whose last probe failed, to log changes only.
	failing map[string]bool
}

var _ Collector = (*Network)(nil)

// NewNetwork returns the network collector for cfg.Targets.
func NewNetwork(cfg Config, deps Deps) *Network {
	cfg, deps = cfg.withDefaults(), deps.withDefaults()
	resolver := deps.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	tlsConfig := deps.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	tlsConfig = tlsConfig.Clone()
	// Resuming a session skips the certificate chain's verification, most of a
	// handshake's CPU; the handshake and the round trip still prove the path works.
	if tlsConfig.ClientSessionCache == nil {
		tlsConfig.ClientSessionCache = tls.NewLRUClientSessionCache(len(cfg.Targets))
	}
	proxy := deps.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	// Keep-alive probes on a connection closed at once are system calls for nothing.
	dialer := &net.Dialer{Resolver: resolver, KeepAlive: -1}
	return &Network{
		targets:  cfg.Targets,
		resolver: resolver,
		dialer:   dialer,
		tls:      tlsConfig,
		proxy:    proxy,
		proxied: &http.Client{
			Transport: &http.Transport{
				Proxy: proxy, DialContext: dialer.DialContext, TLSClientConfig: tlsConfig,
				DisableKeepAlives: true, ForceAttemptHTTP2: false,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		now:     deps.Now,
		logger:  deps.Logger,
		failing: map[string]bool{},
	}
}

// Name implements Collector.
func (n *Network) Name() string { return "network" }

type probeResult struct {
	err      error
	duration time.Duration
	status   int
}

// Collect implements Collector.
func (n *Network) Collect(ctx context.Context) sample.Result {
	return observe(n.Name(), n.now, func(time.Time) (gather, error) {
		if len(n.targets) == 0 {
			return gather{noData: true}, nil
		}
		results := make([]probeResult, len(n.targets))
		var wg sync.WaitGroup
		for i, t := range n.targets {
			wg.Go(func() { results[i] = n.probe(ctx, t) })
		}
		wg.Wait()

		var g gather
		for i, t := range n.targets {
			r := results[i]
			n.logChange(t, r.err)
			labels := func() map[string]string { return map[string]string{"target": t.Name, "kind": t.Kind} }
			ok := 0.0
			if r.err == nil {
				ok = 1
			}
			g.samples = append(g.samples,
				sample.Sample{Name: "probe_success", Labels: labels(), Value: ok},
				sample.Sample{Name: "probe_duration_seconds", Labels: labels(), Value: r.duration.Seconds()},
			)
			if r.status != 0 {
				g.samples = append(g.samples, sample.Sample{Name: "probe_http_status", Labels: labels(), Value: float64(r.status)})
			}
		}
		return g, nil
	})
}

func (n *Network) probe(ctx context.Context, t Target) probeResult {
	ctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	start := n.now()
	var r probeResult
	switch t.Kind {
	case KindDNS:
		r.err = n.probeDNS(ctx, t.Address)
	case KindTCP:
		r.err = n.probeTCP(ctx, t.Address)
	case KindHTTPS:
		r.status, r.err = n.probeHTTPS(ctx, t.Address)
	default:
		r.err = fmt.Errorf("unknown probe kind %q", t.Kind)
	}
	r.duration = n.now().Sub(start)
	return r
}

func (n *Network) probeDNS(ctx context.Context, host string) error {
	addrs, err := n.resolver.LookupHost(ctx, host)
	if err != nil {
		return err
	}
	if len(addrs) == 0 {
		return errors.New("no addresses")
	}
	return nil
}

func (n *Network) probeTCP(ctx context.Context, addr string) error {
	conn, err := n.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	return conn.Close()
}

// probeHTTPS sends a GET on a new connection and reads the status line. It speaks
// HTTP/1.1 itself over a dialled (and, for https, TLS) connection rather than through
// an http.Transport, which starts three goroutines per connection: a probe is one
// request on a connection closed right after, and the Transport's machinery cost more
// CPU than the rest of a tick. Probes that the environment sends through a proxy
// (HTTPS_PROXY, …) go through a Transport, which knows how to talk to one.
func (n *Network) probeHTTPS(ctx context.Context, addr string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, addr, nil)
	if err != nil {
		return 0, redact(err)
	}
	req.Header.Set("User-Agent", "jobpulse-monitor")
	if p, err := n.proxy(req); err != nil || p != nil {
		return n.probeProxied(req)
	}
	host := req.URL.Hostname()
	port := req.URL.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[req.URL.Scheme]
	}
	conn, err := n.dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return 0, fmt.Errorf("dial: %w", err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return 0, fmt.Errorf("set deadline: %w", err)
		}
	}
	if req.URL.Scheme == "https" {
		cfg := n.tls.Clone()
		cfg.ServerName = host
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return 0, fmt.Errorf("tls handshake: %w", err)
		}
		conn = tc
	}
	if u := req.URL.User; u != nil { // as http.Client does
		pw, _ := u.Password()
		req.SetBasicAuth(u.Username(), pw)
	}
	req.Close = true // "Connection: close": one request per connection
	if err := req.Write(conn); err != nil {
		return 0, fmt.Errorf("send the request: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4<<10), req)
	if err != nil {
		return 0, fmt.Errorf("read the response: %w", err)
	}
	// The body is not read: the status line already proves reachability, and the
	// connection is closed either way.
	resp.Body.Close()
	return resp.StatusCode, nil
}

// probeProxied is probeHTTPS through the environment's proxy.
func (n *Network) probeProxied(req *http.Request) (int, error) {
	resp, err := n.proxied.Do(req)
	if err != nil {
		return 0, redact(err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// redact drops the URL net/http puts into its errors: the address of an https probe
// may carry a token in its path or query.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return errors.New("invalid probe URL")
}

// logChange logs a probe that starts or stops failing, with the reason, so the log says
// why probe_success dropped without repeating it every tick.
func (n *Network) logChange(t Target, err error) {
	n.mu.Lock()
	was := n.failing[t.Name]
	n.failing[t.Name] = err != nil
	n.mu.Unlock()
	switch {
	case err != nil && !was:
		n.logger.Warn("probe failing", "target", t.Name, "kind", t.Kind, "err", err)
	case err == nil && was:
		n.logger.Info("probe succeeding again", "target", t.Name, "kind", t.Kind)
	}
}
