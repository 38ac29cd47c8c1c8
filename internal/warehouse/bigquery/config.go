package bigquery

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Defaults for the fields of Config left zero.
const (
	DefaultLocation       = "asia-northeast3"
	DefaultDatasetPrefix  = "jobpulse_"
	DefaultMaxBytesBilled = int64(10 << 30) // 10 GiB
)

// Config locates the BigQuery warehouse and bounds what its jobs may cost.
type Config struct {
	// Project runs the jobs, is billed for them and holds the datasets.
	Project string
	// Location is where datasets are created and jobs run.
	Location string
	// DatasetPrefix is prepended to every layer name: jobpulse_meta, jobpulse_core, …
	DatasetPrefix string
	// MaxBytesBilled fails any query job that would bill more than this.
	MaxBytesBilled int64
	// LakeBucket and LakePrefix locate the lake in GCS, which external tables read.
	LakeBucket string
	LakePrefix string
}

var (
	// Project IDs are lowercase letters, digits and hyphens, starting with a letter.
	// (Legacy domain-scoped IDs, "example.com:project", cannot be a URL host.)
	projectRE = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	// Dataset names are letters, digits and underscores.
	datasetPrefixRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	locationRE      = regexp.MustCompile(`^[A-Za-z]+[A-Za-z0-9-]*$`)
	bucketRE        = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*[a-z0-9]$`)
)

// withDefaults fills the zero fields that have defaults.
func (c Config) withDefaults() Config {
	if c.Location == "" {
		c.Location = DefaultLocation
	}
	if c.DatasetPrefix == "" {
		c.DatasetPrefix = DefaultDatasetPrefix
	}
	if c.MaxBytesBilled == 0 {
		c.MaxBytesBilled = DefaultMaxBytesBilled
	}
	return c
}

// Validate reports every problem with c at once.
func (c Config) Validate() error {
	var errs []error
	switch {
	case c.Project == "":
		errs = append(errs, errors.New("project is required, e.g. bigquery://my-project"))
	case !projectRE.MatchString(c.Project):
		errs = append(errs, fmt.Errorf("project %q is not a valid Google Cloud project ID", c.Project))
	}
	if !locationRE.MatchString(c.Location) {
		errs = append(errs, fmt.Errorf("location %q is not a BigQuery location such as %s or US", c.Location, DefaultLocation))
	}
	if !datasetPrefixRE.MatchString(c.DatasetPrefix) {
		errs = append(errs, fmt.Errorf("dataset prefix %q may hold only letters, digits and underscores", c.DatasetPrefix))
	}
	if c.MaxBytesBilled <= 0 {
		errs = append(errs, fmt.Errorf("max bytes billed %d must be positive", c.MaxBytesBilled))
	}
	if c.LakeBucket != "" && !bucketRE.MatchString(c.LakeBucket) {
		errs = append(errs, fmt.Errorf("lake bucket %q is not a valid GCS bucket name", c.LakeBucket))
	}
	if c.LakeBucket == "" && c.LakePrefix != "" {
		errs = append(errs, fmt.Errorf("lake prefix %q is set without a lake bucket", c.LakePrefix))
	}
	return errors.Join(errs...)
}

// ParseURL parses a warehouse URL of the form
//
//	bigquery://PROJECT?location=asia-northeast3&dataset_prefix=jobpulse_&max_bytes_billed=10737418240
//
// Every query parameter is optional and defaults as Config describes. The lake is not
// part of the URL; set LakeBucket and LakePrefix from the lake's own configuration.
func ParseURL(s string) (Config, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Config{}, fmt.Errorf("parse BigQuery warehouse URL: %w", err)
	}
	var errs []error
	if u.Scheme != "bigquery" {
		errs = append(errs, fmt.Errorf("scheme %q is not bigquery", u.Scheme))
	}
	if u.Opaque != "" {
		errs = append(errs, errors.New("the project must follow bigquery:// (two slashes)"))
	}
	if u.User != nil {
		errs = append(errs, errors.New("credentials do not belong in the URL; use Application Default Credentials"))
	}
	if u.Port() != "" {
		errs = append(errs, fmt.Errorf("unexpected port %q", u.Port()))
	}
	if u.Path != "" && u.Path != "/" {
		errs = append(errs, fmt.Errorf("unexpected path %q; the URL names only a project", u.Path))
	}
	if u.Fragment != "" {
		errs = append(errs, fmt.Errorf("unexpected fragment %q", u.Fragment))
	}
	cfg := Config{Project: u.Hostname()}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		errs = append(errs, fmt.Errorf("query: %w", err))
	}
	for _, key := range slices.Sorted(maps.Keys(q)) {
		vals := q[key]
		if len(vals) > 1 {
			errs = append(errs, fmt.Errorf("%s is given %d times", key, len(vals)))
			continue
		}
		v := vals[0]
		switch key {
		case "location":
			if v == "" {
				errs = append(errs, errors.New("location is empty"))
			}
			cfg.Location = v
		case "dataset_prefix":
			if v == "" {
				errs = append(errs, errors.New("dataset_prefix is empty; the layers need a prefix"))
			}
			cfg.DatasetPrefix = v
		case "max_bytes_billed":
			n, err := strconv.ParseInt(v, 10, 64)
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("max_bytes_billed %q is not a whole number of bytes", v))
			case n <= 0:
				errs = append(errs, fmt.Errorf("max_bytes_billed %d must be positive", n))
			default:
				cfg.MaxBytesBilled = n
			}
		default:
			errs = append(errs, fmt.Errorf("unknown parameter %q (known: location, dataset_prefix, max_bytes_billed)", key))
		}
	}
	// Empty or malformed values were left zero above, so the defaults fill them and
	// Validate does not report them twice.
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("BigQuery warehouse URL %q: %w", redact(s), errors.Join(errs...))
	}
	return cfg, nil
}

// redact drops any password so that an error message never repeats it.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// joinPath joins GCS object path segments, skipping empty ones and stray slashes.
func joinPath(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.Trim(p, "/")
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(p)
	}
	return b.String()
}
