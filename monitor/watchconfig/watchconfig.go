// Package watchconfig holds the settings of the pipeline watchers, apart from the
// watchers: the agent checks them when it starts without linking the warehouses and the
// Cloud Functions client that the watchers (run by `jobpulse monitor-probe`) need.
package watchconfig

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Defaults for the fields left zero.
const (
	// DefaultWindow is how long the pipeline may go without a working run; the default
	// pipeline_stale rule fires above the same 3 h (10800 s) for Saramin.
	DefaultWindow = 3 * time.Hour
	// DefaultLedgerTimeout bounds one read of the ledger: opening the warehouse and the query.
	DefaultLedgerTimeout = 10 * time.Second
	// DefaultFunctionsTimeout bounds one listing of the Cloud Functions.
	DefaultFunctionsTimeout = 15 * time.Second
)

// DefaultSources are the sources the pipeline collects.
func DefaultSources() []string { return []string{"saramin", "trends", "qnet"} }

// DefaultFunctions are the pipeline's Cloud Functions, by entry point.
func DefaultFunctions() []string {
	return []string{"CollectSaramin", "CollectTrends", "CollectCertifications", "ProcessRun"}
}

var (
	sourceRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	projectIDRE = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	regionRE    = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+$`)
)

// Ledger configures the ledger watcher. Zero fields take their defaults.
type Ledger struct {
	// Sources are expected to run. One that has never worked reports its age from Since,
	// so "never ran for 3 h" alerts after 3 h rather than at once. Sources found in the
	// ledger are reported whether listed here or not.
	Sources []string
	// Window is how long a source may go without a working run. Alerting is the rules'
	// job; the watcher logs when a source crosses it.
	Window time.Duration
	// Timeout bounds one read: opening the warehouse and the query.
	Timeout time.Duration
	// Since is when watching began; zero means the watcher's construction. The agent
	// runs the watcher in a fresh probe process each time and passes its own start.
	Since time.Time
}

// WithDefaults fills the zero fields.
func (c Ledger) WithDefaults() Ledger {
	if c.Sources == nil {
		c.Sources = DefaultSources()
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultLedgerTimeout
	}
	return c
}

// Validate reports every problem with c at once; zero fields take their defaults.
func (c Ledger) Validate() error {
	c = c.WithDefaults()
	var errs []error
	seen := map[string]bool{}
	for _, s := range c.Sources {
		switch {
		case !sourceRE.MatchString(s):
			errs = append(errs, fmt.Errorf("ledger source %q: want a lowercase source name as in meta.pipeline_runs, e.g. saramin", s))
		case seen[s]:
			errs = append(errs, fmt.Errorf("ledger source %q is listed twice", s))
		}
		seen[s] = true
	}
	if c.Window < 0 {
		errs = append(errs, fmt.Errorf("ledger window %s: want a positive duration such as 3h", c.Window))
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("ledger timeout %s: want a positive duration such as 10s", c.Timeout))
	}
	return errors.Join(errs...)
}

// Functions configures the Cloud Functions watcher. Leave Project and Region empty to
// go without it (see Enabled). Zero fields take their defaults.
type Functions struct {
	// Project and Region locate the functions: projects/PROJECT/locations/REGION.
	Project string
	Region  string
	// Functions are matched, case-insensitively, against the last segment of each
	// function's resource name or its entry point: Terraform deploys CollectSaramin as
	// jobpulse-collect-saramin, so the defaults match either way. A listed function
	// that is not deployed counts as not active.
	Functions []string
	// Timeout bounds one listing.
	Timeout time.Duration
}

// Enabled reports whether the watcher is configured at all.
func (c Functions) Enabled() bool { return c.Project != "" || c.Region != "" }

// WithDefaults fills the zero fields.
func (c Functions) WithDefaults() Functions {
	if c.Functions == nil {
		c.Functions = DefaultFunctions()
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultFunctionsTimeout
	}
	return c
}

// Validate reports every problem with c at once; zero fields take their defaults, and an
// empty (non-nil) list of functions is a mistake.
func (c Functions) Validate() error {
	var errs []error
	if c.Functions != nil && len(c.Functions) == 0 {
		errs = append(errs, errors.New("functions: list at least one function, or leave the list out for the defaults"))
	}
	c = c.WithDefaults()
	if !projectIDRE.MatchString(c.Project) {
		errs = append(errs, fmt.Errorf("functions project %q: want the Google Cloud project ID the pipeline is deployed to", c.Project))
	}
	if !regionRE.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("functions region %q: want the functions' region, e.g. asia-northeast3", c.Region))
	}
	seen := map[string]bool{}
	for _, f := range c.Functions {
		k := strings.ToLower(f)
		switch {
		// "," would split the probe's --functions flag; "/" is not in a name.
		case strings.TrimSpace(f) == "" || strings.ContainsAny(f, "/,"):
			errs = append(errs, fmt.Errorf("function %q: want a function name or entry point, e.g. ProcessRun", f))
		case seen[k]:
			errs = append(errs, fmt.Errorf("function %q is listed twice", f))
		}
		seen[k] = true
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Errorf("functions timeout %s: want a positive duration such as 15s", c.Timeout))
	}
	return errors.Join(errs...)
}
