package lake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Watermark records how far a source has been collected: every record published
// at or before Through is in the lake.
type Watermark struct {
	Source    string    `json:"source"`
	Through   time.Time `json:"through"`
	RunID     string    `json:"run_id"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ReadWatermark returns the source's watermark and its generation, for a later
// WriteWatermark. An absent watermark is the zero Watermark with generation 0.
func ReadWatermark(ctx context.Context, s Store, source string) (Watermark, int64, error) {
	var w Watermark
	gen, err := readJSON(ctx, s, WatermarkPath(source), &w)
	if err != nil {
		return Watermark{}, 0, fmt.Errorf("read watermark of %s: %w", source, err)
	}
	return w, gen, nil
}

// WriteWatermark replaces the watermark if it still has generation gen (0: if it
// is still absent). When another run moved it first the error wraps
// ErrPrecondition.
func WriteWatermark(ctx context.Context, s Store, w Watermark, gen int64) error {
	if w.Source == "" {
		return errors.New("write watermark: source is required")
	}
	if _, err := writeJSON(ctx, s, WatermarkPath(w.Source), w, gen); err != nil {
		return fmt.Errorf("write watermark of %s: %w", w.Source, err)
	}
	return nil
}

// ErrQuotaExhausted reports that a source's daily API call budget is spent.
var ErrQuotaExhausted = errors.New("daily quota exhausted")

// QuotaState is one day's API call count for a source.
type QuotaState struct {
	Source string `json:"source"`
	Day    string `json:"day"`
	Limit  int    `json:"limit"`
	Calls  int    `json:"calls"`
	// Exhausted is set when the API itself reported the quota spent, whatever
	// the count says.
	Exhausted bool      `json:"exhausted"`
	UpdatedAt time.Time `json:"updated_at"`
}

// casAttempts bounds the read-modify-write retries of a Budget. Each lost round
// means another writer succeeded, so this only runs out under heavy contention.
const casAttempts = 20

// Budget counts a source's API calls per day in the lake, so that every process
// and function instance shares one count. Each call is counted before it is made.
type Budget struct {
	store  Store
	source string
	limit  int
	loc    *time.Location
	now    func() time.Time
}

// NewBudget returns a Budget of limit calls a day, where the day is now() in loc
// (Saramin's quota resets at midnight KST). A nil loc means UTC.
func NewBudget(s Store, source string, limit int, loc *time.Location, now func() time.Time) *Budget {
	if loc == nil {
		loc = time.UTC
	}
	return &Budget{store: s, source: source, limit: limit, loc: loc, now: now}
}

func (b *Budget) day() string { return b.now().In(b.loc).Format(dtLayout) }

// Take counts one call. It returns an error wrapping ErrQuotaExhausted, without
// counting, when the day's budget is spent.
func (b *Budget) Take(ctx context.Context) error {
	err := b.update(ctx, func(q *QuotaState) error {
		if q.Exhausted || q.Calls >= b.limit {
			return ErrQuotaExhausted
		}
		q.Calls++
		return nil
	})
	if err != nil {
		return fmt.Errorf("take call from %s budget: %w", b.source, err)
	}
	return nil
}

// Exhaust marks today's budget spent, for when the API says so before the count
// does.
func (b *Budget) Exhaust(ctx context.Context) error {
	err := b.update(ctx, func(q *QuotaState) error {
		q.Exhausted = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("exhaust %s budget: %w", b.source, err)
	}
	return nil
}

// State returns today's count.
func (b *Budget) State(ctx context.Context) (QuotaState, error) {
	q, _, err := b.read(ctx, b.day())
	if err != nil {
		return QuotaState{}, fmt.Errorf("read %s budget: %w", b.source, err)
	}
	return q, nil
}

func (b *Budget) read(ctx context.Context, day string) (QuotaState, int64, error) {
	q := QuotaState{Source: b.source, Day: day, Limit: b.limit}
	gen, err := readJSON(ctx, b.store, QuotaPath(b.source, day), &q)
	if err != nil {
		return QuotaState{}, 0, err
	}
	q.Limit = b.limit // the configured limit wins over a stale stored one
	return q, gen, nil
}

// update applies change to today's state with a compare-and-swap loop. An error
// from change is returned as is and nothing is written.
func (b *Budget) update(ctx context.Context, change func(*QuotaState) error) error {
	for attempt := range casAttempts {
		day := b.day()
		q, gen, err := b.read(ctx, day)
		if err != nil {
			return err
		}
		if err := change(&q); err != nil {
			return err
		}
		q.UpdatedAt = b.now()
		_, err = writeJSON(ctx, b.store, QuotaPath(b.source, day), q, gen)
		if !errors.Is(err, ErrPrecondition) {
			return err
		}
		// Jittered backoff, so that the losers of a round do not collide again.
		wait := rand.N(time.Duration(attempt+1) * 2 * time.Millisecond)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return fmt.Errorf("gave up after %d concurrent updates: %w", casAttempts, ErrPrecondition)
}

// readJSON decodes the object at name into v and returns its generation; an
// absent object leaves v alone and returns generation 0.
func readJSON(ctx context.Context, s Store, name string, v any) (int64, error) {
	obj, err := s.Get(ctx, name)
	if errors.Is(err, ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(obj.Data, v); err != nil {
		return 0, fmt.Errorf("decode %s: %w", name, err)
	}
	return obj.Generation, nil
}

// writeJSON writes v at name if the object still has generation gen.
func writeJSON(ctx context.Context, s Store, name string, v any, gen int64) (int64, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return 0, fmt.Errorf("encode %s: %w", name, err)
	}
	return s.Put(ctx, name, append(data, '\n'), IfGeneration(gen))
}
