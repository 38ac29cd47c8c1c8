package retry

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Duration
	}{
		{name: "empty", in: "", want: 0},
		{name: "seconds", in: " 120 ", want: 2 * time.Minute},
		{name: "negative", in: "-5", want: 0},
		{name: "http_date", in: "Sun, 22 Nov 2026 01:00:30 GMT", want: 30 * time.Second},
		{name: "past_date", in: "Sun, 22 Nov 2026 00:59:00 GMT", want: 0},
		{name: "garbage", in: "soon", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := After(tt.in, now); got != tt.want {
				t.Errorf("After(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestSleep_endsWithTheContext(t *testing.T) {
	t.Parallel()
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	if err := Sleep(ctx, time.Hour); !errors.Is(err, cause) {
		t.Fatalf("Sleep on a cancelled context = %v, want its cause", err)
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Fatalf("Sleep(0) = %v", err)
	}
}
