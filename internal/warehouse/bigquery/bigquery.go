// Package bigquery is the production warehouse engine: query and load jobs in BigQuery,
// labelled for cost attribution and capped by MaxBytesBilled.
package bigquery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// Warehouse runs the models in BigQuery.
type Warehouse struct {
	cfg    Config
	client *bq.Client
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// New connects to BigQuery in cfg.Project. Zero fields of cfg take their defaults. opts
// go to the client unchanged (credentials, or an endpoint in tests).
func New(ctx context.Context, cfg Config, opts ...option.ClientOption) (*Warehouse, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bigquery warehouse config: %w", err)
	}
	client, err := bq.NewClient(ctx, cfg.Project, opts...)
	if err != nil {
		return nil, fmt.Errorf("bigquery client for project %s: %w", cfg.Project, err)
	}
	client.Location = cfg.Location
	return &Warehouse{cfg: cfg, client: client}, nil
}

// Config returns the configuration in effect, defaults filled in.
func (w *Warehouse) Config() Config { return w.cfg }

// Dialect reports BigQuery Standard SQL.
func (w *Warehouse) Dialect() warehouse.Dialect { return warehouse.BigQuery }

// Ref renders t as a backquoted, project- and prefix-qualified table path.
func (w *Warehouse) Ref(t warehouse.Table) string {
	return "`" + w.cfg.Project + "." + w.dataset(t.Dataset) + "." + t.Name + "`"
}

func (w *Warehouse) dataset(layer string) string { return w.cfg.DatasetPrefix + layer }

// EnsureDatasets creates the layer datasets in the configured location. A dataset that
// already exists is kept, provided it lives in that location: BigQuery cannot join
// across locations, so a mismatch would only fail later and less clearly.
func (w *Warehouse) EnsureDatasets(ctx context.Context) error {
	var errs []error
	for _, layer := range warehouse.Datasets {
		name := w.dataset(layer)
		ds := w.client.Dataset(name)
		err := ds.Create(ctx, &bq.DatasetMetadata{
			Location: w.cfg.Location,
			Labels:   map[string]string{"app": "jobpulse"},
		})
		var gerr *googleapi.Error
		switch {
		case err == nil:
			continue
		case errors.As(err, &gerr) && gerr.Code == http.StatusConflict:
			md, err := ds.Metadata(ctx)
			if err != nil {
				errs = append(errs, fmt.Errorf("read dataset %s: %w", name, err))
				continue
			}
			if !strings.EqualFold(md.Location, w.cfg.Location) {
				errs = append(errs, fmt.Errorf("dataset %s.%s exists in %s, not %s: set location=%s in the warehouse URL or use another dataset_prefix",
					w.cfg.Project, name, md.Location, w.cfg.Location, md.Location))
			}
		default:
			errs = append(errs, fmt.Errorf("create dataset %s.%s: %w", w.cfg.Project, name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bigquery ensure datasets: %w", err)
	}
	return nil
}

// ExternalURIs returns the GCS wildcard URI and the hive partitioning prefix under which
// external tables read lakePrefix.
func (w *Warehouse) ExternalURIs(lakePrefix string) (pattern, hivePrefix string, err error) {
	if w.cfg.LakeBucket == "" {
		return "", "", errors.New("the BigQuery warehouse reads the lake from GCS: set JOBPULSE_LAKE=gs://BUCKET/PREFIX")
	}
	p := joinPath(w.cfg.LakePrefix, lakePrefix)
	if strings.Trim(lakePrefix, "/") == "" {
		return "", "", errors.New("external URIs: the lake prefix is empty")
	}
	hivePrefix = "gs://" + w.cfg.LakeBucket + "/" + p
	return hivePrefix + "/*.ndjson", hivePrefix, nil
}

// Close releases the client.
func (w *Warehouse) Close() error { return w.client.Close() }
