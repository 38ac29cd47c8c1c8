// Package looker builds Looker Studio Linking API URLs: one link that creates a report
// whose data sources are the BigQuery core marts.
package looker

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// CreateURL is the Linking API endpoint; the configuration is its query string.
const CreateURL = "https://lookerstudio.google.com/reporting/create"

// DataSource is one BigQuery table the report reads.
type DataSource struct {
	// Alias names the data source in the Linking API: ds0, ds1, … With a template
	// report it must be the alias of the template data source this one replaces;
	// Looker Studio, not this package, knows the template's aliases.
	Alias string
	// Table is the mart as the SQL models name it: core.<table>.
	Table string
	// Name is the data source's name in Looker Studio; empty leaves Looker Studio's.
	Name string
}

// DefaultSources returns the core marts a jobpulse report reads, each with its alias
// and a human name. A template report built from the default link holds its data
// sources under these aliases, so the order is fixed: new marts are appended with the
// next alias, never inserted, and an alias is never reused for another table.
func DefaultSources() []DataSource {
	return []DataSource{
		{Alias: "ds0", Table: "core.recruit", Name: "jobpulse · postings (core.recruit)"},
		{Alias: "ds1", Table: "core.datajob", Name: "jobpulse · data jobs (core.datajob)"},
		{Alias: "ds2", Table: "core.posting_skills", Name: "jobpulse · posting skills (core.posting_skills)"},
		{Alias: "ds3", Table: "core.skill_demand_weekly", Name: "jobpulse · weekly skill demand (core.skill_demand_weekly)"},
		{Alias: "ds4", Table: "core.recruit_daily", Name: "jobpulse · daily postings (core.recruit_daily)"},
	}
}

var (
	// The same rules as the BigQuery warehouse URL (package bigquery).
	projectRE       = regexp.MustCompile(`^[a-z][a-z0-9-]*[a-z0-9]$`)
	datasetPrefixRE = regexp.MustCompile(`^[A-Za-z0-9_]*$`)
	// Looker Studio names data sources ds0, ds1, … in the order they were added.
	aliasRE = regexp.MustCompile(`^ds(0|[1-9][0-9]*)$`)
	tableRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// Report IDs are the UUID in a report's address: /reporting/<id>/page/….
	reportIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// ReportURL returns the Linking API URL that creates a report named reportName over
// sources, each a table of the dataset datasetPrefix+"core" in project. templateID,
// when not empty, is the report to copy; without it Looker Studio starts from a blank
// report. An empty reportName leaves the name to Looker Studio.
//
// Parameters come in a fixed order (the template, the name, then each source's in the
// order given), so the same input always gives the same URL. Every value is
// percent-encoded, a space as %20.
//
// ds.<alias>.refreshFields is left out on purpose: whether Looker Studio keeps the
// template data source's field list or reads the table's schema again is its own
// per-connector default, and forcing either way could drop fields the template's
// charts use. The marts need no calculated fields, so nothing is lost either way.
//
// ReportURL reports every problem with its input at once.
func ReportURL(project, datasetPrefix, reportName, templateID string, sources []DataSource) (string, error) {
	var errs []error
	switch {
	case project == "":
		errs = append(errs, errors.New("project is required: the Google Cloud project that holds the core dataset"))
	case !projectRE.MatchString(project):
		errs = append(errs, fmt.Errorf("project %q is not a valid Google Cloud project ID", project))
	}
	if !datasetPrefixRE.MatchString(datasetPrefix) {
		errs = append(errs, fmt.Errorf("dataset prefix %q may hold only letters, digits and underscores", datasetPrefix))
	}
	if templateID != "" && !reportIDRE.MatchString(templateID) {
		errs = append(errs, fmt.Errorf("template %q is not a Looker Studio report ID: give the ID that follows /reporting/ in the report's address", templateID))
	}
	if len(sources) == 0 {
		errs = append(errs, errors.New("no data sources: give at least one core table"))
	}
	aliases := make(map[string]int, len(sources))
	for i, s := range sources {
		if !aliasRE.MatchString(s.Alias) {
			errs = append(errs, fmt.Errorf("data source %d (%s): alias %q is not of the form ds0, ds1, …", i, s.Table, s.Alias))
		} else if j, dup := aliases[s.Alias]; dup {
			errs = append(errs, fmt.Errorf("data source %d (%s): alias %s is already data source %d (%s)", i, s.Table, s.Alias, j, sources[j].Table))
		} else {
			aliases[s.Alias] = i
		}
		if _, ok := coreTable(s.Table); !ok {
			errs = append(errs, fmt.Errorf("data source %d (%s): table %q is not a core mart; want core.<table>", i, s.Alias, s.Table))
		}
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}

	var q query
	q.add("c.reportId", templateID)
	q.add("r.reportName", reportName)
	for _, s := range sources {
		table, _ := coreTable(s.Table)
		ds := "ds." + s.Alias + "."
		q.add(ds+"connector", "bigQuery")
		q.add(ds+"type", "TABLE")
		q.add(ds+"projectId", project)
		q.add(ds+"datasetId", datasetPrefix+"core")
		q.add(ds+"tableId", table)
		q.add(ds+"datasourceName", s.Name)
	}
	return CreateURL + "?" + q.String(), nil
}

// coreTable returns the table name of "core.<table>".
func coreTable(s string) (string, bool) {
	layer, table, ok := strings.Cut(s, ".")
	if !ok || layer != "core" || !tableRE.MatchString(table) {
		return "", false
	}
	return table, true
}

// query is a query string in insertion order (url.Values sorts its keys).
type query []string

// add appends key=value, skipping empty values: an absent parameter lets Looker
// Studio apply its default.
func (q *query) add(key, value string) {
	if value != "" {
		*q = append(*q, escape(key)+"="+escape(value))
	}
}

func (q query) String() string { return strings.Join(q, "&") }

// escape percent-encodes s for a query string. QueryEscape writes a space as "+",
// which only form decoders read as a space; %20 means a space to every decoder.
// A literal "+" is already %2B, so the replacement cannot touch it.
func escape(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }
