// Package pipeline holds the steps of a run — collect, process, ledger — wired over the
// lake, the sources and the warehouse. Every step is keyed by the run id, so re-running a
// step replaces exactly its own output.
package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// NewRunID returns a sortable run id such as 20261121T103000Z-saramin-3f9a1c.
func NewRunID(source string, at time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return at.UTC().Format("20060102T150405Z") + "-" + source + "-" + hex.EncodeToString(b[:])
}
