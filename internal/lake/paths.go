package lake

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// dtLayout is the layout of the dt= partition value.
const dtLayout = "2006-01-02"

// RawRunPrefix is the directory of one collect run's raw pages and manifest.
func RawRunPrefix(source, dt, runID string) string {
	return "raw/" + source + "/dt=" + dt + "/run=" + runID + "/"
}

// RawPage is the name of a raw response page; page numbers start at 1.
func RawPage(source, dt, runID string, page int) string {
	return RawRunPrefix(source, dt, runID) + pageFile(page)
}

// pageFile is a raw page's file name within its run directory.
func pageFile(page int) string { return fmt.Sprintf("page-%05d.json", page) }

// RawManifest is the name of a collect run's manifest, its commit marker.
func RawManifest(source, dt, runID string) string {
	return RawRunPrefix(source, dt, runID) + manifestFile
}

const manifestFile = "_MANIFEST.json"

// CleanRunPrefix is the directory of one run's clean NDJSON parts for a table.
func CleanRunPrefix(table, dt, runID string) string {
	return "clean/" + table + "/dt=" + dt + "/run=" + runID + "/"
}

// CleanPart is the name of one clean NDJSON part; part numbers start at 1.
func CleanPart(table, dt, runID string, part int) string {
	return CleanRunPrefix(table, dt, runID) + fmt.Sprintf("part-%05d.ndjson", part)
}

// CleanManifest is the name of the manifest of a run's clean parts for a table.
func CleanManifest(table, dt, runID string) string {
	return CleanRunPrefix(table, dt, runID) + manifestFile
}

// Quarantine is the name of a page that could not be parsed, kept for inspection.
func Quarantine(source, dt, runID, name string) string {
	return "quarantine/" + source + "/dt=" + dt + "/run=" + runID + "/" + name
}

// WatermarkPath is the name of a source's watermark document.
func WatermarkPath(source string) string { return "state/" + source + "/watermark.json" }

// BacklogPath is the name of the work a source's last run left for the next one.
func BacklogPath(source string) string { return "state/" + source + "/backlog.json" }

// QuotaPath is the name of a source's API call count for one day (YYYY-MM-DD).
func QuotaPath(source, day string) string { return "state/" + source + "/quota-" + day + ".json" }

// ParseRunPath parses a raw or clean run path (the run prefix or any object in it)
// back into its source (or table), dt and run id.
func ParseRunPath(name string) (sourceOrTable, dt, runID string, ok bool) {
	parts := strings.SplitN(name, "/", 5)
	if len(parts) < 4 || (parts[0] != "raw" && parts[0] != "clean") || parts[1] == "" {
		return "", "", "", false
	}
	dt, okDT := strings.CutPrefix(parts[2], "dt=")
	runID, okRun := strings.CutPrefix(parts[3], "run=")
	if !okDT || !okRun || runID == "" {
		return "", "", "", false
	}
	if _, err := time.Parse(dtLayout, dt); err != nil {
		return "", "", "", false
	}
	return parts[1], dt, runID, true
}

// checkName rejects names that would escape the lake root or collide with the
// local store's hidden temp and lock files. Both stores apply it so that a name
// that works on a laptop also works in GCS and the other way round.
func checkName(name string) error {
	if name == "" {
		return errors.New("invalid object name: empty")
	}
	if strings.HasPrefix(name, "/") {
		return fmt.Errorf("invalid object name %q: must be relative to the lake root", name)
	}
	for _, part := range strings.Split(name, "/") {
		switch {
		case part == "":
			return fmt.Errorf("invalid object name %q: empty path segment", name)
		case part == "..":
			return fmt.Errorf("invalid object name %q: must not contain \"..\"", name)
		case strings.HasPrefix(part, "."):
			return fmt.Errorf("invalid object name %q: segments must not start with \".\"", name)
		case strings.ContainsRune(part, 0):
			return fmt.Errorf("invalid object name %q: contains NUL", name)
		}
	}
	return nil
}

// checkPrefix rejects list prefixes that would escape the lake root. A prefix may
// be empty and may end in a partial segment.
func checkPrefix(prefix string) error {
	if strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("invalid prefix %q: must be relative to the lake root", prefix)
	}
	for _, part := range strings.Split(prefix, "/") {
		if part == ".." {
			return fmt.Errorf("invalid prefix %q: must not contain \"..\"", prefix)
		}
	}
	return nil
}

// CheckName reports whether name is a valid object name: relative, without empty or
// ".." segments. Store implementations outside this package call it.
func CheckName(name string) error { return checkName(name) }

// CheckPrefix reports whether prefix is a valid listing prefix.
func CheckPrefix(prefix string) error { return checkPrefix(prefix) }
