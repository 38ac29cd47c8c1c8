// Package retry holds what the API clients share when they wait between attempts:
// reading a Retry-After header and sleeping without outliving the request's context.
package retry

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// After parses a Retry-After value, delay-seconds or an HTTP date, into the wait it
// asks for; 0 when the value is absent, malformed or already past.
func After(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Sleep waits d, returning early with the context's cause when ctx ends first.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
