package normalize

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"

	"github.com/jobpulse/jobpulse/internal/lake"
)

// pageCodec is what differs between sources: how one raw page becomes NDJSON rows.
type pageCodec struct {
	source, table, version string
	// kind names a valid page for the quarantine note ("a job-search response").
	kind string
	// encode returns a page's rows as NDJSON and their count. A *pageError quarantines
	// the page; any other error fails the run.
	encode func(m lake.Manifest, page int, pe lake.PageEntry, data []byte) ([]byte, int, error)
	// drift reports the schema drift seen over the run (nil: not tracked).
	drift func() []Drift
}

// pageError is a raw page that is not what its source sends: it is quarantined.
type pageError struct{ reason string }

func (e *pageError) Error() string { return e.reason }

// runPages normalizes the committed collect run whose raw manifest is manifestName with
// codec: one clean part per raw page that holds rows (part number = page number), then
// the clean manifest last. A re-run replaces exactly this run's clean output.
func runPages(ctx context.Context, store lake.Store, manifestName string, opts Options, codec pageCodec) (Result, error) {
	m, err := lake.ReadManifest(ctx, store, manifestName)
	if err != nil {
		return Result{}, fmt.Errorf("normalize %s: %w", manifestName, err)
	}
	if err := m.Validate(); err != nil {
		return Result{}, fmt.Errorf("normalize %s: invalid manifest: %w", manifestName, err)
	}
	if m.Source != codec.source {
		return Result{}, fmt.Errorf("normalize %s: source is %q, not %q", manifestName, m.Source, codec.source)
	}
	if want := lake.RawManifest(m.Source, m.DT, m.RunID); manifestName != want {
		return Result{}, fmt.Errorf("normalize %s: the manifest describes run %s of %s, whose manifest is %s",
			manifestName, m.RunID, m.DT, want)
	}
	log := opts.logger().With("source", m.Source, "run_id", m.RunID, "table", codec.table)
	res := Result{
		Table: codec.table, RunID: m.RunID, DT: m.DT, RawRecords: m.Records,
		CleanPrefix: lake.CleanRunPrefix(codec.table, m.DT, m.RunID),
		Manifest:    lake.CleanManifest(codec.table, m.DT, m.RunID),
		Parts:       []Part{}, Quarantined: []QuarantinedPage{}, Drift: []Drift{},
	}
	fail := func(err error) (Result, error) {
		return res, fmt.Errorf("normalize %s run %s: %w", m.Source, m.RunID, err)
	}
	if err := clearRun(ctx, store, m, res); err != nil {
		return fail(err)
	}

	rawPrefix := lake.RawRunPrefix(m.Source, m.DT, m.RunID)
	missing := 0 // raw records on quarantined pages
	seen := make(map[int]bool, len(m.Pages))
	for _, pe := range m.Pages {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		page, err := pageNumber(pe.Name)
		if err != nil {
			return fail(err)
		}
		if seen[page] { // two entries would write one part
			return fail(fmt.Errorf("raw manifest lists %s twice", pe.Name))
		}
		seen[page] = true
		obj, err := store.Get(ctx, rawPrefix+pe.Name)
		if err != nil {
			return fail(fmt.Errorf("read raw page: %w", err))
		}
		if err := checkPage(obj, pe); err != nil {
			return fail(err)
		}
		data, rows, err := codec.encode(m, page, pe, obj.Data)
		var bad *pageError
		switch {
		case errors.As(err, &bad):
			q, qerr := quarantine(ctx, store, m, page, obj, codec.kind, bad.reason)
			if qerr != nil {
				return fail(qerr)
			}
			q.Records = pe.Records
			missing += pe.Records
			res.Quarantined = append(res.Quarantined, q)
			log.WarnContext(ctx, "raw page is not "+codec.kind+"; quarantined",
				"page", page, "reason", q.Reason, "object", store.URL(q.Object))
			continue
		case err != nil:
			return fail(fmt.Errorf("page %d: %w", page, err))
		case rows == 0:
			continue
		}
		name := lake.CleanPart(codec.table, m.DT, m.RunID, page)
		if _, err := store.Put(ctx, name, data, lake.Precondition{}); err != nil {
			return fail(fmt.Errorf("write clean part: %w", err))
		}
		sum := sha256.Sum256(data)
		res.Parts = append(res.Parts, Part{
			Name: path.Base(name), Rows: rows, Bytes: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		})
		res.Rows += rows
	}
	if codec.drift != nil {
		res.Drift = codec.drift()
	}

	cm := CleanManifest{
		Table: codec.table, RunID: m.RunID, DT: m.DT, SourceManifest: manifestName,
		NormalizerVersion: codec.version, Parts: res.Parts, Rows: res.Rows,
		Quarantined: res.Quarantined, Drift: res.Drift, RawRecords: m.Records,
	}
	data, err := json.MarshalIndent(cm, "", "  ")
	if err != nil {
		return fail(fmt.Errorf("encode clean manifest: %w", err))
	}
	if _, err := store.Put(ctx, res.Manifest, append(data, '\n'), lake.Precondition{}); err != nil {
		return fail(fmt.Errorf("write clean manifest: %w", err))
	}

	if res.Rows+missing != m.Records {
		log.WarnContext(ctx, "clean rows do not reconcile with the raw manifest's records",
			"rows", res.Rows, "quarantined_records", missing, "raw_records", m.Records)
	}
	for _, d := range res.Drift {
		log.WarnContext(ctx, "schema drift", "field", d.Field, "kind", d.Kind, "rows", d.Rows, "example_type", d.ExampleType)
	}
	log.InfoContext(ctx, "normalized", "rows", res.Rows, "parts", len(res.Parts),
		"quarantined", len(res.Quarantined), "drift", len(res.Drift), "manifest", store.URL(res.Manifest))
	return res, nil
}
