package lake_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/lake"
)

func TestWatermark_Absent(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		w, gen, err := lake.ReadWatermark(t.Context(), s, "saramin")
		if err != nil {
			t.Fatalf("ReadWatermark: %v", err)
		}
		if diff := cmp.Diff(lake.Watermark{}, w); diff != "" || gen != 0 {
			t.Errorf("ReadWatermark = gen %d (-want +got):\n%s", gen, diff)
		}
	})
}

func TestWatermark_RoundTrip(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		want := lake.Watermark{
			Source:    "saramin",
			Through:   time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC),
			RunID:     "r1",
			UpdatedAt: time.Date(2026, 11, 21, 10, 31, 0, 0, time.UTC),
		}
		if err := lake.WriteWatermark(ctx, s, want, 0); err != nil {
			t.Fatalf("WriteWatermark: %v", err)
		}
		got, gen, err := lake.ReadWatermark(ctx, s, "saramin")
		if err != nil {
			t.Fatalf("ReadWatermark: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("ReadWatermark (-want +got):\n%s", diff)
		}
		if gen == 0 {
			t.Error("ReadWatermark generation 0 for a written watermark")
		}
		// Writing as if it were still absent loses.
		if err := lake.WriteWatermark(ctx, s, want, 0); !errors.Is(err, lake.ErrPrecondition) {
			t.Errorf("WriteWatermark over existing with gen 0: %v, want ErrPrecondition", err)
		}
	})
}

// TestWatermark_RacingWriters runs overlapping collect runs: all read the same
// watermark, then all try to advance it. Exactly one may win.
func TestWatermark_RacingWriters(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing bool
	}{
		{name: "absent", existing: false},
		{name: "existing", existing: true},
	}
	const writers = 16
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachStore(t, func(t *testing.T, s lake.Store) {
				ctx := t.Context()
				base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
				if tc.existing {
					if err := lake.WriteWatermark(ctx, s, lake.Watermark{Source: "saramin", Through: base}, 0); err != nil {
						t.Fatal(err)
					}
				}
				var (
					read, start sync.WaitGroup
					wins        atomic.Int32
					errs        = make(chan error, writers)
				)
				read.Add(writers)
				start.Add(1)
				for i := range writers {
					go func() {
						w, gen, err := lake.ReadWatermark(ctx, s, "saramin")
						read.Done()
						if err != nil {
							errs <- err
							return
						}
						start.Wait() // everyone has read before anyone writes
						w.Source, w.RunID = "saramin", string(rune('a'+i))
						w.Through = base.Add(time.Duration(i+1) * time.Hour)
						err = lake.WriteWatermark(ctx, s, w, gen)
						if err == nil {
							wins.Add(1)
						}
						errs <- err
					}()
				}
				read.Wait()
				start.Done()
				for range writers {
					if err := <-errs; err != nil && !errors.Is(err, lake.ErrPrecondition) {
						t.Errorf("WriteWatermark: %v, want nil or ErrPrecondition", err)
					}
				}
				if got := wins.Load(); got != 1 {
					t.Errorf("%d writers won, want exactly 1", got)
				}
			})
		})
	}
}

// clock is a settable time source shared by goroutines.
type clock struct{ ns atomic.Int64 }

func newClock(t time.Time) *clock {
	c := &clock{}
	c.set(t)
	return c
}
func (c *clock) set(t time.Time) { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }

var kst = time.FixedZone("KST", 9*60*60)

func TestBudget_ConcurrentTakes(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		// 23:59 KST on the 21st; still the 21st in UTC after KST midnight, too.
		clk := newClock(time.Date(2026, 11, 21, 14, 59, 0, 0, time.UTC))
		b := lake.NewBudget(s, "saramin", 5, kst, clk.now)

		const goroutines, takes = 8, 10
		var (
			wg        sync.WaitGroup
			successes atomic.Int32
		)
		for range goroutines {
			wg.Go(func() {
				for range takes {
					err := b.Take(ctx)
					switch {
					case err == nil:
						successes.Add(1)
					case !errors.Is(err, lake.ErrQuotaExhausted):
						t.Errorf("Take: %v, want nil or ErrQuotaExhausted", err)
					}
				}
			})
		}
		wg.Wait()
		if got := successes.Load(); got != 5 {
			t.Errorf("%d Takes succeeded, want 5", got)
		}
		got, err := b.State(ctx)
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		want := lake.QuotaState{Source: "saramin", Day: "2026-11-21", Limit: 5, Calls: 5, UpdatedAt: clk.now()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("State (-want +got):\n%s", diff)
		}

		clk.set(time.Date(2026, 11, 21, 15, 0, 1, 0, time.UTC)) // 00:00:01 KST on the 22nd
		got, err = b.State(ctx)
		if err != nil {
			t.Fatalf("State on the next day: %v", err)
		}
		want = lake.QuotaState{Source: "saramin", Day: "2026-11-22", Limit: 5}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("State on the next day (-want +got):\n%s", diff)
		}
		if err := b.Take(ctx); err != nil {
			t.Errorf("Take on the next day: %v", err)
		}
		names, err := s.List(ctx, "state/saramin/")
		if err != nil {
			t.Fatal(err)
		}
		wantNames := []string{lake.QuotaPath("saramin", "2026-11-21"), lake.QuotaPath("saramin", "2026-11-22")}
		if diff := cmp.Diff(wantNames, names); diff != "" {
			t.Errorf("quota documents (-want +got):\n%s", diff)
		}
	})
}

func TestBudget_Exhaust(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s lake.Store) {
		ctx := t.Context()
		clk := newClock(time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC))
		b := lake.NewBudget(s, "saramin", 500, kst, clk.now)
		if err := b.Take(ctx); err != nil {
			t.Fatalf("Take: %v", err)
		}
		if err := b.Exhaust(ctx); err != nil {
			t.Fatalf("Exhaust: %v", err)
		}
		if err := b.Take(ctx); !errors.Is(err, lake.ErrQuotaExhausted) {
			t.Errorf("Take after Exhaust: %v, want ErrQuotaExhausted", err)
		}
		got, err := b.State(ctx)
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		want := lake.QuotaState{Source: "saramin", Day: "2026-11-21", Limit: 500, Calls: 1, Exhausted: true, UpdatedAt: clk.now()}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("State (-want +got):\n%s", diff)
		}
		// Another process sharing the lake sees the same budget.
		other := lake.NewBudget(s, "saramin", 500, kst, clk.now)
		if err := other.Take(ctx); !errors.Is(err, lake.ErrQuotaExhausted) {
			t.Errorf("Take by another Budget after Exhaust: %v, want ErrQuotaExhausted", err)
		}
	})
}
