package terraform_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// The source zip leaves out what is not deployed, holds everything `go build .` at the
// root reads, and is uploaded under its hash.
func TestArchive(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	b := m.resources["data.archive_file.src"]
	if b == nil {
		t.Fatal("data.archive_file.src is missing")
	}
	excludes, ok := literalStrings(b.Body.Attributes["excludes"])
	if !ok {
		t.Fatal("archive_file.src: excludes must be a constant list of patterns")
	}
	if !refersTo(b.Body.Attributes["source_dir"], "path.module") {
		t.Errorf("source_dir must be relative to path.module (the repository root is ${path.module}/../..)")
	}

	t.Run("excludes_cover_what_is_not_deployed", func(t *testing.T) {
		t.Parallel()
		for _, want := range []string{"cmd/**", "**/*_test.go", "infra/**", "docs/**", ".git/**", "data/**"} {
			if !slices.Contains(excludes, want) {
				t.Errorf("excludes lack %q", want)
			}
		}
		for _, p := range excludes {
			if !doublestar.ValidatePattern(p) {
				t.Errorf("exclude %q is not a valid glob", p)
			}
		}
	})

	t.Run("object_is_named_by_the_zip_hash", func(t *testing.T) {
		t.Parallel()
		obj := m.resources["google_storage_bucket_object.src"]
		if obj == nil {
			t.Fatal("google_storage_bucket_object.src is missing")
		}
		name := obj.Body.Attributes["name"]
		tmpl, ok := name.Expr.(*hclsyntax.TemplateExpr)
		if !ok || !refersTo(name, "data.archive_file.src.output_md5") {
			t.Fatalf("name must be a template over data.archive_file.src.output_md5, got %v", refs(name))
		}
		first, _ := tmpl.Parts[0].(*hclsyntax.LiteralValueExpr)
		last, _ := tmpl.Parts[len(tmpl.Parts)-1].(*hclsyntax.LiteralValueExpr)
		if first == nil || first.Val.AsString() != "src-" || last == nil || last.Val.AsString() != ".zip" {
			t.Error(`name must be "src-${data.archive_file.src.output_md5}.zip"`)
		}
		if !refersTo(obj.Body.Attributes["source"], "data.archive_file.src.output_path") {
			t.Error("source must be data.archive_file.src.output_path")
		}
	})

	// The functions build from this tree's zip, unless source_object names an earlier
	// one to roll back to.
	t.Run("source_object_is_the_tree_unless_rolled_back", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			rollback string
			want     string
		}{
			{"", testSourceObject},
			{"src-0123456789abcdef0123456789abcdef.zip", "src-0123456789abcdef0123456789abcdef.zip"},
		} {
			ev := evalDefaults(t, m, map[string]cty.Value{"source_object": cty.StringVal(tt.rollback)})
			if got := ev.local(t, "source_object").AsString(); got != tt.want {
				t.Errorf("source_object = %q: the functions build from %q, want %q", tt.rollback, got, tt.want)
			}
		}
	})

	// What the zip would hold, by the archive provider's own rule: each path relative
	// to source_dir is matched with doublestar.PathMatch, and a matching directory is
	// skipped whole.
	included := archiveContents(t, repoRoot, excludes)

	t.Run("holds_the_module_and_no_tests", func(t *testing.T) {
		t.Parallel()
		for _, want := range []string{"go.mod", "go.sum"} {
			if _, ok := included[want]; !ok {
				t.Errorf("the zip lacks %s", want)
			}
		}
		var sqlFiles int
		for name := range included {
			switch {
			case strings.HasSuffix(name, "_test.go"), strings.HasSuffix(name, ".test"):
				t.Errorf("the zip holds the test file %s", name)
			case strings.HasPrefix(name, "cmd/"), strings.HasPrefix(name, "infra/"), strings.HasPrefix(name, "docs/"),
				strings.HasPrefix(name, "data/"), strings.HasPrefix(name, ".git/"), strings.HasPrefix(name, "tools/"),
				strings.Contains(name, "node_modules/"):
				t.Errorf("the zip holds %s", name)
			case strings.HasPrefix(name, "sql/"):
				sqlFiles++
			}
		}
		// A source file is kilobytes; megabytes are a binary or data left in the tree.
		for name, size := range included {
			if size > 5<<20 {
				t.Errorf("the zip holds %s (%d MiB), a build or data file; add it to the excludes", name, size>>20)
			}
		}
		if sqlFiles == 0 {
			t.Error("the zip holds nothing under sql/, which the root package embeds")
		}
		t.Logf("the zip holds %d files", len(included))
	})

	// Everything `go build .` at the root reads must be in the zip: the Go files and
	// embedded files of every package of this module that the root package imports.
	t.Run("holds_the_root_package_and_its_imports", func(t *testing.T) {
		t.Parallel()
		files, err := rootBuildFiles(repoRoot)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Skip("no Go package at the module root yet")
		}
		for _, f := range files {
			if _, ok := included[f]; !ok {
				t.Errorf("the zip lacks %s, which `go build .` at the root needs", f)
			}
		}
	})
}

// archiveContents lists the files data.archive_file would zip, with their sizes: paths
// relative to root, with slashes.
func archiveContents(t *testing.T, root string, excludes []string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		var match bool
		for _, p := range excludes {
			ok, err := doublestar.PathMatch(filepath.FromSlash(p), rel)
			if err != nil {
				return fmt.Errorf("exclude %q: %w", p, err)
			}
			match = match || ok
		}
		switch {
		case d.IsDir() && match:
			return filepath.SkipDir
		case d.IsDir() || match:
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = info.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rootBuildFiles lists, relative to root, the Go and embedded files of the packages of
// this module that the root package's build reads. It returns nothing when the root
// holds no Go package.
func rootBuildFiles(root string) ([]string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "list", "-e", "-deps", "-json=Dir,ImportPath,GoFiles,CgoFiles,EmbedFiles,Module,Error", ".")
	cmd.Dir = abs
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.String())
	}
	type pkg struct {
		Dir        string
		ImportPath string
		GoFiles    []string
		CgoFiles   []string
		EmbedFiles []string
		Module     *struct{ Main bool }
		Error      *struct{ Err string }
	}
	var files []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			return nil, err
		}
		if p.Dir == abs && len(p.GoFiles) == 0 {
			return nil, nil // no root package (yet)
		}
		if p.Module == nil || !p.Module.Main {
			continue
		}
		rel, err := filepath.Rel(abs, p.Dir)
		if err != nil {
			return nil, err
		}
		for _, f := range slices.Concat(p.GoFiles, p.CgoFiles, p.EmbedFiles) {
			files = append(files, filepath.ToSlash(filepath.Join(rel, f)))
		}
	}
	sort.Strings(files)
	return files, nil
}
