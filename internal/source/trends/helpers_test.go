package trends_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/trends"
	"github.com/jobpulse/jobpulse/internal/source/trends/trendstest"
)

// start is the tests' "now": 10:30 KST on a Saturday.
var start = time.Date(2026, 11, 21, 1, 30, 0, 0, time.UTC)

// clock is a virtual clock whose Sleep advances time instantly; the client and the fake
// share it, so waits are observable as time without any real waiting.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{t: start} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// env is a fake and a client wired to one virtual clock, logging into a buffer.
type env struct {
	fake   *trendstest.Server
	client *trends.Client
	clock  *clock
	logs   *syncBuffer
}

// syncBuffer lets concurrent queries log into one buffer.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newEnv starts a fake and a client. Spacing is off and jitter is at its maximum unless
// mod says otherwise, so waits are exact.
func newEnv(t testing.TB, opts trendstest.Options, mod func(*trends.Config)) *env {
	t.Helper()
	clk := newClock()
	opts.Now = clk.Now
	fake := trendstest.NewServer(opts)
	t.Cleanup(fake.Close)
	cfg := trends.DefaultConfig()
	cfg.BaseURL = fake.URL()
	cfg.Timeout = 5 * time.Second
	cfg.Spacing = 0
	if mod != nil {
		mod(&cfg)
	}
	logs := &syncBuffer{}
	c, err := trends.NewClient(cfg,
		trends.WithClock(clk.Now),
		trends.WithSleep(clk.Sleep),
		trends.WithJitter(func(d time.Duration) time.Duration { return d }),
		trends.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	return &env{fake: fake, client: c, clock: clk, logs: logs}
}

func paths(reqs []trendstest.Recorded) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Path)
	}
	return out
}

// assertNoCookie fails when s holds any cookie value the fake issued, raw or escaped.
func assertNoCookie(t testing.TB, fake *trendstest.Server, what, s string) {
	t.Helper()
	for _, v := range fake.Cookies() {
		for _, form := range []string{v, url.QueryEscape(v), strings.TrimPrefix(v, "511=")} {
			if strings.Contains(s, form) {
				t.Errorf("%s leaks a cookie value: %s", what, strings.ReplaceAll(s, form, "<NID>"))
			}
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
