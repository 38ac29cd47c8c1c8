package main

import (
	"fmt"
	"net"
	"net/http"
)

// probeTarget is the local listener the agent's tcp and http probes reach: the
// benchmark runs without outside network, and a probe that always times out would
// measure the timeout, not the agent.
type probeTarget struct {
	ln  net.Listener
	srv *http.Server
}

// startProbeTarget serves 204 No Content on a free loopback port.
func startProbeTarget() (*probeTarget, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start probe target: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})}
	// Serve only fails once Close is called or the listener breaks; a broken target
	// shows up as the agent's probe failing, in its log.
	go func() { _ = srv.Serve(ln) }()
	return &probeTarget{ln: ln, srv: srv}, nil
}

// Addr is the listener's host:port.
func (p *probeTarget) Addr() net.Addr { return p.ln.Addr() }

// Close stops serving.
func (p *probeTarget) Close() error { return p.srv.Close() }
