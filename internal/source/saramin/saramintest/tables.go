package saramintest

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"sync"

	sqlfiles "github.com/jobpulse/jobpulse/sql"
)

// codeTables are the meta seeds the generator draws codes and names from, so synthetic
// postings only carry codes the warehouse knows (plus the deliberately unknown ones).
type codeTables struct {
	locations  []location
	byRegion   map[string][]location
	industries []codeName
	educations []codeName
	jobTypes   map[string]string
}

type codeName struct{ Code, Name string }

type location struct {
	code, name, region string
}

// seedTables parses the embedded seeds once per process.
var seedTables = sync.OnceValues(loadTables)

func loadTables() (codeTables, error) {
	var t codeTables
	rows, err := readSeed("meta/locations.csv")
	if err != nil {
		return t, err
	}
	for _, r := range rows {
		t.locations = append(t.locations, location{code: r[0], name: r[1], region: r[3]})
	}
	t.byRegion = map[string][]location{}
	for _, l := range t.locations {
		t.byRegion[l.region] = append(t.byRegion[l.region], l)
	}
	if t.industries, err = readCodeNames("meta/industries.csv"); err != nil {
		return t, err
	}
	if t.educations, err = readCodeNames("meta/education_levels.csv"); err != nil {
		return t, err
	}
	jt, err := readCodeNames("meta/job_types.csv")
	if err != nil {
		return t, err
	}
	t.jobTypes = map[string]string{}
	for _, c := range jt {
		t.jobTypes[c.Code] = c.Name
	}
	return t, nil
}

func readCodeNames(name string) ([]codeName, error) {
	rows, err := readSeed(name)
	if err != nil {
		return nil, err
	}
	out := make([]codeName, 0, len(rows))
	for _, r := range rows {
		out = append(out, codeName{Code: r[0], Name: r[1]})
	}
	return out, nil
}

func readSeed(name string) ([][]string, error) {
	f, err := sqlfiles.FS.Open(name)
	if err != nil {
		return nil, fmt.Errorf("open seed %s: %w", name, err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read seed %s: %w", name, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("seed %s: no rows", name)
	}
	return rows[1:], nil
}

func itoa(n int) string { return strconv.Itoa(n) }
