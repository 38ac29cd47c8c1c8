package normalize

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/jobpulse/jobpulse/internal/lake"
)

const (
	// SaraminSource is the Saramin source's name in the lake.
	SaraminSource = "saramin"
	// SaraminTable is the clean table Saramin jobs normalize into.
	SaraminTable = "saramin_postings"
	// SaraminVersion identifies the rules SaraminRun applies; bump it when a change
	// alters the rows it writes, so clean manifests tell which rules made them.
	SaraminVersion = "saramin/2"
)

// quarantinePrefix names the pages this package quarantines, apart from the collector's.
const quarantinePrefix = "clean-page-"

// SaraminRun normalizes the committed Saramin collect run whose raw manifest is stored
// at manifestName (a lake name, e.g. lake.RawManifest("saramin", dt, runID)).
//
// It writes one clean NDJSON part per raw page that holds jobs, part number = page
// number, and the clean manifest last. A re-run replaces exactly this run's clean
// output. Every job becomes a row, however broken; pages that are not job-search
// responses are quarantined and reported, not fatal. It fails when the raw run is
// unreadable or inconsistent with its manifest, or on a storage error.
func SaraminRun(ctx context.Context, store lake.Store, manifestName string, opts Options) (Result, error) {
	cl, err := defaultClassifier()
	if err != nil {
		return Result{}, fmt.Errorf("normalize %s: %w", manifestName, err)
	}
	tally := newDriftTally()
	return runPages(ctx, store, manifestName, opts, pageCodec{
		source: SaraminSource, table: SaraminTable, version: SaraminVersion, kind: "a job-search response",
		encode: func(m lake.Manifest, page int, _ lake.PageEntry, data []byte) ([]byte, int, error) {
			jobs, err := splitPage(data)
			if err != nil {
				return nil, 0, &pageError{reason: err.Error()}
			}
			out, err := encodeRows(jobs, m.RunID, page, tally, cl)
			return out, len(jobs), err
		},
		drift: tally.result,
	})
}

// clearRun deletes this run's previous clean output and the pages it quarantined, so
// a re-run replaces exactly its own output. The clean manifest goes first: a run
// interrupted from here on is uncommitted, never a committed mix of old and new parts.
func clearRun(ctx context.Context, store lake.Store, m lake.Manifest, res Result) error {
	if err := store.Delete(ctx, res.Manifest); err != nil {
		return fmt.Errorf("clear previous clean output: %w", err)
	}
	for _, prefix := range []string{res.CleanPrefix, lake.Quarantine(m.Source, m.DT, m.RunID, quarantinePrefix)} {
		names, err := store.List(ctx, prefix)
		if err != nil {
			return fmt.Errorf("clear previous clean output: %w", err)
		}
		for _, n := range names {
			if err := store.Delete(ctx, n); err != nil {
				return fmt.Errorf("clear previous clean output: %w", err)
			}
		}
	}
	return nil
}

// pageNumber parses a raw page file name, page-00001.json → 1.
func pageNumber(name string) (int, error) {
	var n int
	if _, err := fmt.Sscanf(name, "page-%d.json", &n); err != nil || n < 1 || fmt.Sprintf("page-%05d.json", n) != name {
		return 0, fmt.Errorf("raw manifest lists %q, which is not a page-NNNNN.json name", name)
	}
	return n, nil
}

// checkPage compares a raw page with its manifest entry: raw objects are immutable,
// so a difference means corruption and the run must not be normalized as if whole.
func checkPage(obj lake.Object, pe lake.PageEntry) error {
	sum := sha256.Sum256(obj.Data)
	if int64(len(obj.Data)) != pe.Bytes || !strings.EqualFold(hex.EncodeToString(sum[:]), pe.SHA256) {
		return fmt.Errorf("raw page %s differs from its manifest entry (size or sha256); "+
			"the raw run is damaged: restore the page or re-collect the window", obj.Name)
	}
	return nil
}

// splitPage returns the exact bytes of each job of a job-search response. It accepts
// every envelope the collector accepts: job as an array, a single object, null or
// missing (an empty page).
func splitPage(data []byte) ([]json.RawMessage, error) {
	var env struct {
		Jobs *struct {
			Job json.RawMessage `json:"job"`
		} `json:"jobs"`
	}
	var typeErr *json.UnmarshalTypeError
	switch err := json.Unmarshal(data, &env); {
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return nil, errors.New("not a JSON object but " + typeErr.Value)
	case errors.As(err, &typeErr):
		return nil, fmt.Errorf("%q is not an object but %s", typeErr.Field, typeErr.Value)
	case err != nil:
		return nil, errors.New("invalid JSON: " + err.Error())
	case env.Jobs == nil:
		return nil, errors.New(`no "jobs" object`)
	}
	job := env.Jobs.Job
	switch {
	case len(job) == 0 || bytes.Equal(job, []byte("null")):
		return nil, nil
	case job[0] == '{':
		return []json.RawMessage{job}, nil
	case job[0] == '[':
		return splitArray(job), nil
	}
	return nil, errors.New(`"job" is neither an array nor an object`)
}

// splitArray cuts a JSON array that is known to be valid into its elements' exact
// bytes in one pass, without the two extra scans of json.Unmarshal.
func splitArray(a []byte) []json.RawMessage {
	out := []json.RawMessage{}
	depth, start := 0, -1
	inString, escaped := false, false
	for i, c := range a {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth == 1 {
				continue // the array itself
			}
		case ']', '}':
			depth--
			if depth == 0 {
				if start >= 0 {
					out = append(out, bytes.TrimRight(a[start:i], " \t\n\r"))
				}
				return out
			}
		case ',':
			if depth == 1 {
				out = append(out, bytes.TrimRight(a[start:i], " \t\n\r"))
				start = -1
				continue
			}
		}
		if start < 0 {
			start = i
		}
	}
	return out
}

// encodeRows renders a page's jobs as NDJSON, each enriched with its skills and role.
func encodeRows(jobs []json.RawMessage, runID string, page int, tally *driftTally, cl *classifier) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "서울 > 강남구", not "서울 \u003e 강남구"
	for i, raw := range jobs {
		row := saraminRow(raw, runID, page, i, tally)
		cl.enrich(&row)
		if err := enc.Encode(row); err != nil {
			return nil, fmt.Errorf("encode row %d: %w", i, err)
		}
	}
	return buf.Bytes(), nil
}

// quarantine keeps a page that is not the response its source sends, with the reason. Both
// objects are replaced on a re-run.
func quarantine(ctx context.Context, store lake.Store, m lake.Manifest, page int, raw lake.Object, kind, reason string) (QuarantinedPage, error) {
	base := fmt.Sprintf("%s%05d", quarantinePrefix, page)
	q := QuarantinedPage{Page: page, Object: lake.Quarantine(m.Source, m.DT, m.RunID, base+path.Ext(raw.Name)), Reason: reason}
	if _, err := store.Put(ctx, q.Object, raw.Data, lake.Precondition{}); err != nil {
		return q, fmt.Errorf("quarantine page %d: %w", page, err)
	}
	text := fmt.Sprintf("%s is not %s: %s\n", raw.Name, kind, reason)
	if _, err := store.Put(ctx, lake.Quarantine(m.Source, m.DT, m.RunID, base+".reason.txt"), []byte(text), lake.Precondition{}); err != nil {
		return q, fmt.Errorf("quarantine page %d: %w", page, err)
	}
	return q, nil
}
