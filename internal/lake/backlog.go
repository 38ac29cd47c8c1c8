package lake

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Backlog is the work a source's last run could not finish — Trends keywords that failed
// or were never asked because Google blocked the run, Q-Net exams that failed — so the
// next run does it first. Sources that page through a time window use the Watermark
// instead.
type Backlog struct {
	Source string        `json:"source"`
	Items  []BacklogItem `json:"items"`
	// RunID is the run that left the backlog.
	RunID     string    `json:"run_id"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BacklogItem is one unit of unfinished work.
type BacklogItem struct {
	Key    string `json:"key"`              // a keyword, an exam code
	Reason string `json:"reason,omitempty"` // why it is unfinished (never secrets)
	// Since is when the item first failed; Attempts counts the runs that tried it.
	Since    time.Time `json:"since"`
	Attempts int       `json:"attempts"`
}

// Keys returns the items' keys in order.
func (b Backlog) Keys() []string {
	out := make([]string, len(b.Items))
	for i, it := range b.Items {
		out[i] = it.Key
	}
	return out
}

// ReadBacklog returns the source's backlog and its generation; an absent backlog is
// empty with generation 0.
func ReadBacklog(ctx context.Context, s Store, source string) (Backlog, int64, error) {
	var b Backlog
	gen, err := readJSON(ctx, s, BacklogPath(source), &b)
	if err != nil {
		return Backlog{}, 0, fmt.Errorf("read backlog of %s: %w", source, err)
	}
	return b, gen, nil
}

// WriteBacklog replaces the backlog if it still has generation gen (0: still absent).
// When another run replaced it first the error wraps ErrPrecondition.
func WriteBacklog(ctx context.Context, s Store, b Backlog, gen int64) error {
	if b.Source == "" {
		return errors.New("write backlog: source is required")
	}
	if b.Items == nil {
		b.Items = []BacklogItem{}
	}
	if _, err := writeJSON(ctx, s, BacklogPath(b.Source), b, gen); err != nil {
		return fmt.Errorf("write backlog of %s: %w", b.Source, err)
	}
	return nil
}
