package terraform_test

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// module is the Terraform configuration of this folder, parsed but not evaluated:
// terraform validate needs the provider registry, so the tests read the syntax tree.
type module struct {
	files     map[string][]byte           // file name → bytes: the .tf files, the tfvars example, .tflint.hcl
	blocks    []*hclsyntax.Block          // top-level blocks of every .tf file, in file order
	resources map[string]*hclsyntax.Block // "type.name" and "data.type.name"
	variables map[string]*hclsyntax.Block
	locals    map[string]*hclsyntax.Attribute
}

// parseModule parses the .tf files of dir (and terraform.tfvars.example, for the
// formatting check) and indexes their top-level blocks.
func parseModule(dir string) (*module, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no .tf files in %s", dir)
	}
	m := &module{
		files:     map[string][]byte{},
		resources: map[string]*hclsyntax.Block{},
		variables: map[string]*hclsyntax.Block{},
		locals:    map[string]*hclsyntax.Attribute{},
	}
	parser := hclparse.NewParser()
	var errs []string
	// The tfvars example and the tflint configuration are HCL too, formatted alike.
	for _, name := range append(names, filepath.Join(dir, "terraform.tfvars.example"), filepath.Join(dir, ".tflint.hcl")) {
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		base := filepath.Base(name)
		m.files[base] = src
		f, diags := parser.ParseHCL(src, base)
		if diags.HasErrors() {
			errs = append(errs, diags.Error())
			continue
		}
		if !strings.HasSuffix(base, ".tf") {
			continue
		}
		if err := m.add(f.Body.(*hclsyntax.Body)); err != nil {
			errs = append(errs, fmt.Sprintf("%s: %v", base, err))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("parse: %s", strings.Join(errs, "\n"))
	}
	return m, nil
}

// parseSource parses one snippet as a module, for the tests of the checks themselves.
func parseSource(src string) (*module, error) {
	f, diags := hclsyntax.ParseConfig([]byte(src), "snippet.tf", hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	m := &module{
		files:     map[string][]byte{"snippet.tf": []byte(src)},
		resources: map[string]*hclsyntax.Block{},
		variables: map[string]*hclsyntax.Block{},
		locals:    map[string]*hclsyntax.Attribute{},
	}
	return m, m.add(f.Body.(*hclsyntax.Body))
}

func (m *module) add(body *hclsyntax.Body) error {
	for _, b := range body.Blocks {
		m.blocks = append(m.blocks, b)
		var key string
		switch {
		case b.Type == "resource" && len(b.Labels) == 2:
			key = b.Labels[0] + "." + b.Labels[1]
		case b.Type == "data" && len(b.Labels) == 2:
			key = "data." + b.Labels[0] + "." + b.Labels[1]
		case b.Type == "variable" && len(b.Labels) == 1:
			if _, dup := m.variables[b.Labels[0]]; dup {
				return fmt.Errorf("variable %q declared twice", b.Labels[0])
			}
			m.variables[b.Labels[0]] = b
			continue
		case b.Type == "locals":
			for name, a := range b.Body.Attributes {
				if _, dup := m.locals[name]; dup {
					return fmt.Errorf("local %q declared twice", name)
				}
				m.locals[name] = a
			}
			continue
		default:
			continue
		}
		if _, dup := m.resources[key]; dup {
			return fmt.Errorf("%s declared twice", key)
		}
		m.resources[key] = b
	}
	return nil
}

var loadModule = sync.OnceValues(func() (*module, error) { return parseModule(".") })

// mustModule returns this folder's module, parsed once for all tests.
func mustModule(t *testing.T) *module {
	t.Helper()
	m, err := loadModule()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// ofType returns the resources (or, with "data.", data sources) of one type, sorted
// by address.
func (m *module) ofType(typ string) []string {
	var addrs []string
	for addr := range m.resources {
		if strings.HasPrefix(addr, typ+".") && strings.Count(strings.TrimPrefix(addr, typ+"."), ".") == 0 {
			addrs = append(addrs, addr)
		}
	}
	sort.Strings(addrs)
	return addrs
}

// resourceTypes returns the type of every resource and data source (data ones as
// "data.TYPE").
func (m *module) resourceTypes() map[string]string {
	types := map[string]string{}
	for addr := range m.resources {
		types[addr] = addr[:strings.LastIndex(addr, ".")]
	}
	return types
}

// nested returns the blocks of type typ directly inside body.
func nested(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// attrAt follows single nested blocks to an attribute: attrAt(b, "service_config",
// "service_account_email"). It returns nil when a block is missing or repeated, or
// the attribute is not set.
func attrAt(body *hclsyntax.Body, path ...string) *hclsyntax.Attribute {
	for _, typ := range path[:len(path)-1] {
		bs := nested(body, typ)
		if len(bs) != 1 {
			return nil
		}
		body = bs[0].Body
	}
	return body.Attributes[path[len(path)-1]]
}

// blockAt follows single nested blocks: blockAt(b, "build_config", "source").
func blockAt(body *hclsyntax.Body, path ...string) *hclsyntax.Block {
	var b *hclsyntax.Block
	for _, typ := range path {
		bs := nested(body, typ)
		if len(bs) != 1 {
			return nil
		}
		b, body = bs[0], bs[0].Body
	}
	return b
}

// literal returns the value of an expression that needs no variables: a quoted
// string, a number, a bool, or a list of them.
func literal(a *hclsyntax.Attribute) (cty.Value, bool) {
	if a == nil {
		return cty.NilVal, false
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return cty.NilVal, false
	}
	return v, true
}

// literalString returns an attribute's value when it is a constant string.
func literalString(a *hclsyntax.Attribute) (string, bool) {
	v, ok := literal(a)
	if !ok || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// literalStrings returns an attribute's value when it is a constant list of strings.
func literalStrings(a *hclsyntax.Attribute) ([]string, bool) {
	v, ok := literal(a)
	if !ok || v.IsNull() || !(v.Type().IsTupleType() || v.Type().IsListType()) {
		return nil, false
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.Type() != cty.String {
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

// refs renders every reference in an expression as an address:
// google_service_account.collector.email, google_bigquery_dataset.layer["meta"].dataset_id,
// google_cloudfunctions2_function.process_run.service_config[0].uri.
func refs(a *hclsyntax.Attribute) []string {
	if a == nil {
		return nil
	}
	return exprRefs(a.Expr)
}

func exprRefs(e hclsyntax.Expression) []string {
	var out []string
	for _, tr := range e.Variables() {
		var sb strings.Builder
		for _, step := range tr {
			switch s := step.(type) {
			case hcl.TraverseRoot:
				sb.WriteString(s.Name)
			case hcl.TraverseAttr:
				sb.WriteString("." + s.Name)
			case hcl.TraverseIndex:
				switch {
				case s.Key.Type() == cty.String:
					fmt.Fprintf(&sb, "[%q]", s.Key.AsString())
				case s.Key.Type() == cty.Number:
					fmt.Fprintf(&sb, "[%s]", s.Key.AsBigFloat().String())
				}
			}
		}
		out = append(out, sb.String())
	}
	return out
}

// refersTo reports whether an attribute references an address or something inside it:
// refersTo(a, "google_service_account.collector") matches google_service_account.collector.email.
func refersTo(a *hclsyntax.Attribute, addr string) bool {
	return slices.ContainsFunc(refs(a), func(r string) bool {
		return r == addr || strings.HasPrefix(r, addr+".") || strings.HasPrefix(r, addr+"[")
	})
}

// stringLiterals returns every constant piece of text in the module's expressions
// (quoted strings and the literal parts of templates), with where it is. Comments are
// not expressions, so a comment may name what the code must not contain.
func (m *module) stringLiterals() []located {
	var out []located
	for _, b := range m.blocks {
		_ = hclsyntax.VisitAll(b, func(n hclsyntax.Node) hcl.Diagnostics {
			if lit, ok := n.(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() {
				out = append(out, located{lit.Val.AsString(), lit.SrcRange})
			}
			return nil
		})
	}
	return out
}

type located struct {
	text string
	rng  hcl.Range
}

// evaluator evaluates locals and outputs the way Terraform would for the few
// functions this module's locals use, with variables at their defaults unless set, and
// stand-ins for the resource attributes the locals read.
type evaluator struct {
	vars      map[string]cty.Value
	resources map[string]cty.Value // root name → object, e.g. google_storage_bucket
	locals    map[string]cty.Value
	errs      map[string]hcl.Diagnostics
}

// urlencode is Terraform's urlencode: Go's url.QueryEscape.
var urlencodeFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(url.QueryEscape(args[0].AsString())), nil
	},
})

var functions = map[string]function.Function{
	"concat":    stdlib.ConcatFunc,
	"flatten":   stdlib.FlattenFunc,
	"join":      stdlib.JoinFunc,
	"lower":     stdlib.LowerFunc,
	"merge":     stdlib.MergeFunc,
	"replace":   stdlib.ReplaceFunc,
	"toset":     stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	"tostring":  stdlib.MakeToFunc(cty.String),
	"urlencode": urlencodeFunc,
}

// evaluate evaluates every local it can. overrides set variables; resources stand in
// for resource attributes (google_storage_bucket → {lake = {name = …}}).
func (m *module) evaluate(overrides map[string]cty.Value, resources map[string]cty.Value) (*evaluator, error) {
	e := &evaluator{vars: map[string]cty.Value{}, resources: resources, locals: map[string]cty.Value{}, errs: map[string]hcl.Diagnostics{}}
	for name, b := range m.variables {
		if v, ok := overrides[name]; ok {
			e.vars[name] = v
			continue
		}
		def, ok := literal(b.Body.Attributes["default"])
		if !ok {
			return nil, fmt.Errorf("variable %q has no constant default and no test value", name)
		}
		e.vars[name] = def
	}
	for name := range overrides {
		if _, ok := m.variables[name]; !ok {
			return nil, fmt.Errorf("test sets variable %q, which the module does not declare", name)
		}
	}
	// Locals may refer to each other in any order: evaluate until nothing more can be.
	for progress := true; progress; {
		progress = false
		for name, a := range m.locals {
			if _, done := e.locals[name]; done {
				continue
			}
			v, diags := a.Expr.Value(e.context())
			if diags.HasErrors() || !v.IsWhollyKnown() {
				e.errs[name] = diags
				continue
			}
			delete(e.errs, name)
			e.locals[name] = v
			progress = true
		}
	}
	return e, nil
}

func (e *evaluator) context() *hcl.EvalContext {
	vars := map[string]cty.Value{
		"var":   cty.ObjectVal(e.vars),
		"local": cty.ObjectVal(e.locals),
	}
	if len(e.locals) == 0 {
		vars["local"] = cty.EmptyObjectVal
	}
	for name, v := range e.resources {
		vars[name] = v
	}
	return &hcl.EvalContext{Variables: vars, Functions: functions}
}

// local returns an evaluated local, failing the test with the reason it could not be.
func (e *evaluator) local(t *testing.T, name string) cty.Value {
	t.Helper()
	v, ok := e.locals[name]
	if !ok {
		t.Fatalf("local.%s could not be evaluated: %v", name, e.errs[name])
	}
	return v
}

// expr evaluates an expression against the evaluated locals.
func (e *evaluator) expr(t *testing.T, a *hclsyntax.Attribute) cty.Value {
	t.Helper()
	if a == nil {
		t.Fatal("no expression to evaluate")
	}
	v, diags := a.Expr.Value(e.context())
	if diags.HasErrors() {
		t.Fatalf("evaluate %s: %v", a.SrcRange, diags)
	}
	return v
}

// exprEach evaluates an expression of a for_each resource for one key (each.key and
// each.value are both the key).
func (e *evaluator) exprEach(t *testing.T, a *hclsyntax.Attribute, key string) cty.Value {
	t.Helper()
	ctx := e.context()
	ctx.Variables["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(key), "value": cty.StringVal(key)})
	v, diags := a.Expr.Value(ctx)
	if diags.HasErrors() {
		t.Fatalf("evaluate %s: %v", a.SrcRange, diags)
	}
	return v
}

// stringMap converts an object or map of strings.
func stringMap(t *testing.T, v cty.Value) map[string]string {
	t.Helper()
	if !(v.Type().IsObjectType() || v.Type().IsMapType()) {
		t.Fatalf("want a map of strings, got %s", v.Type().FriendlyName())
	}
	out := map[string]string{}
	for k, e := range v.AsValueMap() {
		if e.Type() != cty.String {
			t.Fatalf("%s: want a string, got %s", k, e.Type().FriendlyName())
		}
		out[k] = e.AsString()
	}
	return out
}

// instance is one instance of a resource: the resource itself, or one key of its
// for_each.
type instance struct {
	// name is the resource name with the key: process_run, collect["trends"].
	name string
	body *hclsyntax.Body
	// key is the for_each key, "" without for_each.
	key string
	// each is each.value when the for_each is a local or a variable; cty.NilVal when
	// it chains another resource's instances (whose attributes are not known offline).
	each cty.Value
	// chained is the address of the resource a chained for_each iterates over.
	chained string
}

// addr is the instance's address: google_cloudfunctions2_function.collect["trends"].
func (i instance) addr(typ string) string { return typ + "." + i.name }

// instances expands the resources of one type into their instances, sorted by name.
// A for_each must be a local or variable map (or set), or another for_each resource.
func (m *module) instances(t *testing.T, ev *evaluator, typ string) []instance {
	t.Helper()
	var out []instance
	for _, addr := range m.ofType(typ) {
		name := strings.TrimPrefix(addr, typ+".")
		b := m.resources[addr]
		fe := b.Body.Attributes["for_each"]
		if fe == nil {
			out = append(out, instance{name: name, body: b.Body})
			continue
		}
		for key, each := range m.forEach(t, ev, fe) {
			inst := instance{name: fmt.Sprintf("%s[%q]", name, key), body: b.Body, key: key, each: each}
			if each == cty.NilVal {
				inst.chained = refs(fe)[0]
			}
			out = append(out, inst)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// forEach evaluates a for_each to its keys and each.value (cty.NilVal when it is
// another resource, whose keys are its own for_each's).
func (m *module) forEach(t *testing.T, ev *evaluator, fe *hclsyntax.Attribute) map[string]cty.Value {
	t.Helper()
	if rs := refs(fe); len(rs) == 1 && !strings.HasPrefix(rs[0], "local.") && !strings.HasPrefix(rs[0], "var.") {
		b := m.resources[rs[0]]
		if b == nil || b.Body.Attributes["for_each"] == nil {
			t.Fatalf("%s: for_each over %s, which is not a for_each resource of this module", fe.SrcRange, rs[0])
		}
		out := map[string]cty.Value{}
		for k := range m.forEach(t, ev, b.Body.Attributes["for_each"]) {
			out[k] = cty.NilVal
		}
		return out
	}
	v := ev.expr(t, fe)
	out := map[string]cty.Value{}
	switch {
	case v.Type().IsSetType():
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			out[e.AsString()] = e
		}
	case v.Type().IsMapType() || v.Type().IsObjectType():
		for k, e := range v.AsValueMap() {
			out[k] = e
		}
	default:
		t.Fatalf("%s: for_each is a %s, want a map or a set", fe.SrcRange, v.Type().FriendlyName())
	}
	return out
}

// context is the evaluation context of one instance: each.key and each.value set.
func (i instance) context(ev *evaluator) *hcl.EvalContext {
	ctx := ev.context()
	if i.key != "" {
		each := map[string]cty.Value{"key": cty.StringVal(i.key)}
		if i.each != cty.NilVal {
			each["value"] = i.each
		}
		ctx.Variables["each"] = cty.ObjectVal(each)
	}
	return ctx
}

// eval evaluates an attribute of the instance.
func (i instance) eval(t *testing.T, ev *evaluator, a *hclsyntax.Attribute) cty.Value {
	t.Helper()
	if a == nil {
		t.Fatalf("%s: no expression to evaluate", i.name)
	}
	v, diags := a.Expr.Value(i.context(ev))
	if diags.HasErrors() {
		t.Fatalf("%s: evaluate %s: %v", i.name, a.SrcRange, diags)
	}
	return v
}

// str evaluates an attribute of the instance to a string ("" when it is not one).
func (i instance) str(t *testing.T, ev *evaluator, a *hclsyntax.Attribute) string {
	t.Helper()
	if a == nil {
		return ""
	}
	v := i.eval(t, ev, a)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// refs renders the references of an attribute of the instance with its key
// substituted: [each.key] becomes ["trends"], and each.value of a chained for_each the
// instance of the resource it iterates over.
func (i instance) refs(t *testing.T, a *hclsyntax.Attribute) []string {
	t.Helper()
	if a == nil {
		return nil
	}
	return substituteRefs(t, a.Expr, i.key, i.chained, nil)
}

// substituteRefs renders the references of e after textual substitution of the key
// ([each.key]), of each.value for a chained for_each, and of named iterator values
// (a dynamic block's secret_environment_variables.value).
func substituteRefs(t *testing.T, e hclsyntax.Expression, key, chained string, iterators map[string]string) []string {
	t.Helper()
	rng := e.Range()
	src := string(rng.SliceBytes(mustSource(t, rng.Filename)))
	if key != "" {
		src = strings.ReplaceAll(src, "[each.key]", fmt.Sprintf("[%q]", key))
		if chained != "" {
			src = strings.ReplaceAll(src, "each.value", fmt.Sprintf("%s[%q]", chained, key))
		}
	}
	for it, v := range iterators {
		src = strings.ReplaceAll(src, it+".value", fmt.Sprintf("%q", v))
	}
	x, diags := hclsyntax.ParseExpression([]byte(src), rng.Filename, rng.Start)
	if diags.HasErrors() {
		t.Fatalf("reparse %s: %v", rng, diags)
	}
	return exprRefs(x)
}

// mustSource returns the bytes of one of the module's files.
func mustSource(t *testing.T, name string) []byte {
	t.Helper()
	m := mustModule(t)
	src, ok := m.files[name]
	if !ok {
		t.Fatalf("no file %s in the module", name)
	}
	return src
}

// localItem returns the expression of one item of a local object: local.NAME["KEY"].
func (m *module) localItem(ref string) hclsyntax.Expression {
	rest, ok := strings.CutPrefix(ref, "local.")
	if !ok {
		return nil
	}
	name, key, ok := strings.Cut(rest, "[")
	if !ok {
		return nil
	}
	key, err := strconv.Unquote(strings.SplitN(key, "]", 2)[0])
	if err != nil {
		return nil
	}
	a := m.locals[name]
	if a == nil {
		return nil
	}
	obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	for _, item := range obj.Items {
		k, diags := item.KeyExpr.Value(nil)
		if !diags.HasErrors() && k.Type() == cty.String && k.AsString() == key {
			return item.ValueExpr
		}
	}
	return nil
}

// secretEnv returns a function instance's secret environment variables, each with the
// google_secret_manager_secret it mounts ("" when it names none): static
// secret_environment_variables blocks and dynamic ones alike.
func (m *module) secretEnv(t *testing.T, ev *evaluator, fn instance) map[string]string {
	t.Helper()
	sc := blockAt(fn.body, "service_config")
	if sc == nil {
		t.Fatalf("%s has no service_config", fn.name)
	}
	out := map[string]string{}
	for _, s := range nested(sc.Body, "secret_environment_variables") {
		key := fn.str(t, ev, s.Body.Attributes["key"])
		out[key] = m.secretIn(fn.refs(t, s.Body.Attributes["secret"]))
	}
	for _, d := range nested(sc.Body, "dynamic") {
		if len(d.Labels) != 1 || d.Labels[0] != "secret_environment_variables" {
			continue
		}
		content := blockAt(d.Body, "content")
		if content == nil {
			t.Fatalf("%s: dynamic secret_environment_variables has no content", fn.name)
		}
		iterator := d.Labels[0]
		if it := d.Body.Attributes["iterator"]; it != nil {
			iterator = hcl.ExprAsKeyword(it.Expr)
		}
		set := fn.eval(t, ev, d.Body.Attributes["for_each"])
		if !set.Type().IsSetType() && !set.Type().IsListType() && !set.Type().IsTupleType() {
			t.Fatalf("%s: dynamic secret_environment_variables iterates over a %s, want a set of names", fn.name, set.Type().FriendlyName())
		}
		for it := set.ElementIterator(); it.Next(); {
			_, e := it.Element()
			k := e.AsString()
			vals := map[string]string{iterator: k}
			ctx := fn.context(ev)
			ctx.Variables[iterator] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(k), "value": cty.StringVal(k)})
			kv, diags := content.Body.Attributes["key"].Expr.Value(ctx)
			if diags.HasErrors() || kv.Type() != cty.String {
				t.Fatalf("%s: dynamic secret key: %v", fn.name, diags)
			}
			out[kv.AsString()] = m.secretIn(substituteRefs(t, content.Body.Attributes["secret"].Expr, fn.key, fn.chained, vals))
		}
	}
	return out
}

// secretIn returns the google_secret_manager_secret that references lead to,
// following items of local objects (local.secret_ids["KEY"]).
func (m *module) secretIn(rs []string) string {
	for _, r := range rs {
		if parts := strings.SplitN(r, ".", 3); len(parts) >= 2 && parts[0] == "google_secret_manager_secret" {
			return parts[0] + "." + parts[1]
		}
		if e := m.localItem(r); e != nil {
			if s := m.secretIn(exprRefs(e)); s != "" {
				return s
			}
		}
	}
	return ""
}
