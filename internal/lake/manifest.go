package lake

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Outcomes of a collect run.
const (
	OutcomeSuccess        = "success"
	OutcomeNoNewPostings  = "no_new_postings"
	OutcomeQuotaExhausted = "quota_exhausted"
)

// Window is a time range, inclusive at both ends.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// PageEntry describes one raw page of a run.
type PageEntry struct {
	// Name is the file name within the run directory, e.g. page-00001.json.
	Name string `json:"name"`
	// Params are the page's request parameters, never secrets.
	Params  map[string]string `json:"params,omitempty"`
	Records int               `json:"records"`
	Bytes   int64             `json:"bytes"`
	// SHA256 is the hex digest of the exact bytes stored.
	SHA256 string `json:"sha256"`
}

// Manifest is the commit marker of a collect run: it is written after every page,
// so a run without one is incomplete and its pages are ignored.
type Manifest struct {
	Source     string    `json:"source"`
	RunID      string    `json:"run_id"`
	DT         string    `json:"dt"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// Outcome is one of OutcomeSuccess, OutcomeNoNewPostings, OutcomeQuotaExhausted.
	Outcome string  `json:"outcome"`
	Window  *Window `json:"window,omitempty"`
	// CoveredThrough is set when every record published at or before it was
	// collected; the watermark may advance to it.
	CoveredThrough *time.Time `json:"covered_through,omitempty"`
	// Params are the run parameters, never secrets.
	Params      map[string]string `json:"params,omitempty"`
	Calls       int               `json:"calls"`
	Pages       []PageEntry       `json:"pages"`
	Records     int               `json:"records"`
	DistinctIDs int               `json:"distinct_ids"`
	Warnings    []string          `json:"warnings,omitempty"`
}

// Validate reports every missing or inconsistent field.
func (m Manifest) Validate() error {
	var errs []error
	if m.Source == "" {
		errs = append(errs, errors.New("source is required"))
	}
	if m.RunID == "" {
		errs = append(errs, errors.New("run_id is required"))
	}
	if _, err := time.Parse(dtLayout, m.DT); err != nil {
		errs = append(errs, fmt.Errorf("dt %q is not YYYY-MM-DD", m.DT))
	}
	if m.StartedAt.IsZero() || m.FinishedAt.IsZero() {
		errs = append(errs, errors.New("started_at and finished_at are required"))
	} else if m.FinishedAt.Before(m.StartedAt) {
		errs = append(errs, errors.New("finished_at is before started_at"))
	}
	switch m.Outcome {
	case OutcomeSuccess, OutcomeNoNewPostings, OutcomeQuotaExhausted:
	default:
		errs = append(errs, fmt.Errorf("outcome %q is not one of %s, %s, %s",
			m.Outcome, OutcomeSuccess, OutcomeNoNewPostings, OutcomeQuotaExhausted))
	}
	if m.Window != nil && m.Window.To.Before(m.Window.From) {
		errs = append(errs, errors.New("window ends before it starts"))
	}
	for i, p := range m.Pages {
		if p.Name == "" || strings.Contains(p.Name, "/") {
			errs = append(errs, fmt.Errorf("pages[%d]: name %q must be a file name in the run directory", i, p.Name))
		}
		if b, err := hex.DecodeString(p.SHA256); err != nil || len(b) != sha256.Size {
			errs = append(errs, fmt.Errorf("pages[%d]: sha256 %q is not a hex SHA-256", i, p.SHA256))
		}
	}
	return errors.Join(errs...)
}

// WriteManifest validates m and writes it, once, to RawManifest(m.Source, m.DT,
// m.RunID). It returns the manifest's name. A second write for the same run fails
// with ErrPrecondition: a committed run is immutable.
func WriteManifest(ctx context.Context, s Store, m Manifest) (string, error) {
	if err := m.Validate(); err != nil {
		return "", fmt.Errorf("write manifest: %w", err)
	}
	if m.Pages == nil {
		m.Pages = []PageEntry{} // "pages": [] reads better than null for an empty run
	}
	name := RawManifest(m.Source, m.DT, m.RunID)
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", fmt.Errorf("write manifest %s: %w", name, err)
	}
	if _, err := s.Put(ctx, name, append(data, '\n'), IfAbsent()); err != nil {
		return "", fmt.Errorf("write manifest: %w", err)
	}
	return name, nil
}

// ReadManifest reads the manifest stored at name.
func ReadManifest(ctx context.Context, s Store, name string) (Manifest, error) {
	obj, err := s.Get(ctx, name)
	if err != nil {
		return Manifest{}, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(obj.Data, &m); err != nil {
		return Manifest{}, fmt.Errorf("read manifest %s: %w", name, err)
	}
	return m, nil
}

// ListManifests returns the names of the source's raw manifests, sorted; since dt
// and run ids sort by time, so do the names.
func ListManifests(ctx context.Context, s Store, source string) ([]string, error) {
	names, err := s.List(ctx, "raw/"+source+"/")
	if err != nil {
		return nil, fmt.Errorf("list manifests of %s: %w", source, err)
	}
	var out []string
	for _, n := range names {
		if path.Base(n) == manifestFile {
			out = append(out, n)
		}
	}
	return out, nil
}

// Verify re-reads every page the manifest lists and checks its size and SHA-256,
// reporting every mismatch.
func (m Manifest) Verify(ctx context.Context, s Store) error {
	var errs []error
	prefix := RawRunPrefix(m.Source, m.DT, m.RunID)
	for _, p := range m.Pages {
		obj, err := s.Get(ctx, prefix+p.Name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n := int64(len(obj.Data)); n != p.Bytes {
			errs = append(errs, fmt.Errorf("%s: %d bytes, manifest says %d", obj.Name, n, p.Bytes))
		}
		sum := sha256.Sum256(obj.Data)
		if got := hex.EncodeToString(sum[:]); !strings.EqualFold(got, p.SHA256) {
			errs = append(errs, fmt.Errorf("%s: sha256 %s, manifest says %s", obj.Name, got, p.SHA256))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("verify run %s/%s: %w", m.Source, m.RunID, err)
	}
	return nil
}

// NewPageEntry describes data stored as the page file name, computing its size and
// digest so that collectors cannot get them wrong.
func NewPageEntry(name string, data []byte, records int, params map[string]string) PageEntry {
	sum := sha256.Sum256(data)
	return PageEntry{Name: name, Params: params, Records: records, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}
