package notify

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// Console prints each run's and each alert's message as plain text: the notifier when
// no Slack webhook is configured.
type Console struct {
	mu       sync.Mutex
	w        io.Writer
	renderer Renderer
}

var (
	_ Notifier      = (*Console)(nil)
	_ AlertNotifier = (*Console)(nil)
)

// NewConsole returns a Console writing to w. Only WithRenderer applies.
func NewConsole(w io.Writer, opts ...Option) *Console {
	o := newOptions(opts)
	return &Console{w: w, renderer: o.renderer}
}

// Notify writes the summary's text followed by a blank line.
func (c *Console) Notify(ctx context.Context, s RunSummary) error {
	text := c.renderer.Text(s)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintf(c.w, "%s\n\n", text); err != nil {
		return fmt.Errorf("notify console: %w", err)
	}
	return nil
}

// NotifyAlert writes the alert's text followed by a blank line.
func (c *Console) NotifyAlert(ctx context.Context, a Alert) error {
	text := c.renderer.AlertText(a)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := fmt.Fprintf(c.w, "%s\n\n", text); err != nil {
		return fmt.Errorf("notify console: %w", err)
	}
	return nil
}
