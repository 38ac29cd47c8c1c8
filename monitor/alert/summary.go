package alert

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"
	"text/template/parse"
	"time"
)

// A rule's summary is written in Go's template syntax and evaluated here, over
// SummaryData, rather than by text/template. text/template calls methods through
// reflection (reflect.Value.MethodByName), and a binary that can do that must keep every
// exported method of every type it holds: in jobpulse-monitor that cost 3.1 MB of binary
// and 1.7 MiB of resident memory, a tenth of the agent (docs/benchmarks.md). The parser
// is text/template's own, so the syntax and its parse errors are the same; the
// evaluator knows the one data type and the functions in summaryFuncs, and a summary
// that uses anything else (range, template, define, variables other than $) is refused
// when the rule is loaded, not when the alert fires.

// SummaryData is what a rule's Summary template sees. It may call these functions:
//
//	percent   a ratio as a percentage: {{percent .Value}} → "93%"
//	duration  seconds as a duration: {{duration .Value}} → "3h 05m"
//	and, or, not, eq, ne, lt, le, gt, ge, len, index, print, printf, println
//	          as in text/template
//
// A label the series does not have reads as "". The same template renders the firing,
// repeat and resolved messages: phrase it so that it reads right with any value
// ("Disk / is 80% full (alert above 90%)"), or tell the cases apart with .Resolved.
type SummaryData struct {
	Rule      string
	Metric    string
	Labels    map[string]string
	Value     float64
	Threshold float64
	Op        Op
	// Resolved is true in the message of an alert whose value is back on the ok
	// side; false while firing, and for a resolve for lack of data (nothing is known
	// to be better then).
	Resolved bool
}

// summary is a rule's compiled summary template.
type summary struct {
	tree *parse.Tree
}

// summaryFunc is a function a summary may call, with its arguments evaluated.
type summaryFunc func(args []any) (any, error)

// summaryFunction is one function a summary may call: how many arguments it takes, at
// least and at most (-1: any number), and what it does. and and or have no call: they
// evaluate their arguments only as far as they need to (see run.call).
type summaryFunction struct {
	min, max int
	call     summaryFunc
}

var summaryFuncs = map[string]summaryFunction{
	"and":      {1, -1, nil},
	"or":       {1, -1, nil},
	"not":      {1, 1, func(a []any) (any, error) { return !truth(a[0]), nil }},
	"eq":       {2, -1, eq},
	"ne":       {2, 2, ne},
	"lt":       {2, 2, ordered(func(c int) bool { return c < 0 })},
	"le":       {2, 2, ordered(func(c int) bool { return c <= 0 })},
	"gt":       {2, 2, ordered(func(c int) bool { return c > 0 })},
	"ge":       {2, 2, ordered(func(c int) bool { return c >= 0 })},
	"len":      {1, 1, length},
	"index":    {2, 2, index},
	"print":    {0, -1, func(a []any) (any, error) { return fmt.Sprint(a...), nil }},
	"println":  {0, -1, func(a []any) (any, error) { return fmt.Sprintln(a...), nil }},
	"printf":   {1, -1, printf},
	"percent":  {1, 1, numeric(percent)},
	"duration": {1, 1, numeric(humanSeconds)},
}

// parseSummary compiles a rule's summary template and runs it once on made-up data,
// so that a misspelt field fails at startup rather than when the alert fires.
func parseSummary(r Rule) (*summary, error) {
	text := r.Summary
	if text == "" {
		text = DefaultSummary
	}
	known := make(map[string]any, len(summaryFuncs))
	for name := range summaryFuncs {
		known[name] = name
	}
	trees, err := parse.Parse(r.Name, text, "", "", known)
	if err != nil {
		return nil, err
	}
	if len(trees) != 1 || trees[r.Name] == nil {
		return nil, errors.New("define and block are not supported in a summary")
	}
	s := &summary{tree: trees[r.Name]}
	if err := s.vet(s.tree.Root); err != nil {
		return nil, err
	}
	probe := SummaryData{Rule: r.Name, Metric: r.Metric, Labels: map[string]string{}, Value: 1, Threshold: r.Threshold, Op: r.Op}
	if _, err := s.execute(&probe); err != nil {
		return nil, err
	}
	return s, nil
}

// render executes the summary; a failing template still yields a useful line.
func render(s *summary, r Rule, labels map[string]string, value float64, resolved bool) (string, error) {
	data := SummaryData{Rule: r.Name, Metric: r.Metric, Labels: maps.Clone(labels), Value: value, Threshold: r.Threshold, Op: r.Op, Resolved: resolved}
	if data.Labels == nil {
		data.Labels = map[string]string{}
	}
	out, err := s.execute(&data)
	if err != nil {
		return fmt.Sprintf("%s is %s (alert when %s %s)", r.Metric, formatFloat(value), r.Op, formatFloat(r.Threshold)), err
	}
	return out, nil
}

// vet refuses, anywhere in the template and not only in the branches a probe run
// takes, what the evaluator does not do.
func (s *summary) vet(n parse.Node) error {
	switch n := n.(type) {
	case *parse.TextNode, *parse.CommentNode, *parse.DotNode, *parse.FieldNode, *parse.IdentifierNode,
		*parse.StringNode, *parse.BoolNode:
		return nil
	case *parse.NumberNode:
		if !n.IsInt && !n.IsFloat {
			return s.errorf(n, "the number %s is not supported in a summary", n.Text)
		}
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		return vetEach(s, n.Nodes)
	case *parse.ActionNode:
		return s.vet(n.Pipe)
	case *parse.IfNode:
		return errors.Join(s.vet(n.Pipe), s.vet(n.List), s.vet(n.ElseList))
	case *parse.WithNode:
		return errors.Join(s.vet(n.Pipe), s.vet(n.List), s.vet(n.ElseList))
	case *parse.PipeNode:
		if len(n.Decl) > 0 {
			return s.errorf(n, "variables are not supported in a summary (only $, the data)")
		}
		return vetEach(s, n.Cmds)
	case *parse.CommandNode:
		return vetEach(s, n.Args)
	case *parse.ChainNode:
		return s.vet(n.Node)
	case *parse.VariableNode:
		if n.Ident[0] != "$" {
			return s.errorf(n, "variables are not supported in a summary (only $, the data)")
		}
		return nil
	}
	return s.errorf(n, "%s is not supported in a summary", n)
}

func vetEach[N parse.Node](s *summary, nodes []N) error {
	for _, n := range nodes {
		if err := s.vet(n); err != nil {
			return err
		}
	}
	return nil
}

func (s *summary) errorf(n parse.Node, format string, args ...any) error {
	loc, context := s.tree.ErrorContext(n)
	return fmt.Errorf("template: %s: at <%s>: %s", loc, context, fmt.Sprintf(format, args...))
}

// execute renders the template over data.
func (s *summary) execute(data *SummaryData) (string, error) {
	r := &run{summary: s, root: data}
	if err := r.walk(data, s.tree.Root); err != nil {
		return "", err
	}
	return r.out.String(), nil
}

// run is one execution of a summary: $ is root, and the text goes to out.
type run struct {
	*summary
	root *SummaryData
	out  strings.Builder
}

// walk writes node n with dot as {{.}}.
func (r *run) walk(dot any, n parse.Node) error {
	switch n := n.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			if err := r.walk(dot, c); err != nil {
				return err
			}
		}
	case *parse.TextNode:
		r.out.Write(n.Text)
	case *parse.CommentNode:
	case *parse.ActionNode:
		v, err := r.pipe(dot, n.Pipe)
		if err != nil {
			return err
		}
		writeValue(&r.out, v)
	case *parse.IfNode:
		return r.branch(dot, &n.BranchNode, false)
	case *parse.WithNode:
		return r.branch(dot, &n.BranchNode, true)
	default:
		return r.errorf(n, "%s is not supported in a summary", n)
	}
	return nil
}

// branch walks an if or with: the list when the pipeline's value is true (as dot, for
// with), the else list otherwise.
func (r *run) branch(dot any, br *parse.BranchNode, with bool) error {
	v, err := r.pipe(dot, br.Pipe)
	if err != nil {
		return err
	}
	switch {
	case truth(v) && with:
		return r.walk(v, br.List)
	case truth(v):
		return r.walk(dot, br.List)
	case br.ElseList != nil:
		return r.walk(dot, br.ElseList)
	}
	return nil
}

// pipe evaluates a pipeline: each command's value is the last argument of the next.
func (r *run) pipe(dot any, p *parse.PipeNode) (any, error) {
	var v any
	for i, c := range p.Cmds {
		var err error
		if v, err = r.command(dot, c, v, i > 0); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (r *run) command(dot any, c *parse.CommandNode, final any, hasFinal bool) (any, error) {
	if id, ok := c.Args[0].(*parse.IdentifierNode); ok {
		return r.call(dot, id, c.Args[1:], final, hasFinal)
	}
	if len(c.Args) > 1 || hasFinal {
		return nil, r.errorf(c, "can't give argument to non-function %s", c.Args[0])
	}
	return r.arg(dot, c.Args[0])
}

// arg evaluates one operand.
func (r *run) arg(dot any, n parse.Node) (any, error) {
	switch n := n.(type) {
	case *parse.DotNode:
		return dot, nil
	case *parse.FieldNode:
		return r.field(n, dot, n.Ident)
	case *parse.VariableNode: // vet let only $ through
		return r.field(n, r.root, n.Ident[1:])
	case *parse.ChainNode:
		v, err := r.arg(dot, n.Node)
		if err != nil {
			return nil, err
		}
		return r.field(n, v, n.Field)
	case *parse.PipeNode:
		return r.pipe(dot, n)
	case *parse.IdentifierNode:
		return r.call(dot, n, nil, nil, false)
	case *parse.StringNode:
		return n.Text, nil
	case *parse.BoolNode:
		return n.True, nil
	case *parse.NumberNode:
		if n.IsInt {
			return n.Int64, nil
		}
		return n.Float64, nil
	}
	return nil, r.errorf(n, "can't evaluate %s", n)
}

// field follows .A.B from v. A label the series does not have reads as "".
func (r *run) field(n parse.Node, v any, idents []string) (any, error) {
	for _, id := range idents {
		switch x := v.(type) {
		case *SummaryData:
			switch id {
			case "Rule":
				v = x.Rule
			case "Metric":
				v = x.Metric
			case "Labels":
				v = x.Labels
			case "Value":
				v = x.Value
			case "Threshold":
				v = x.Threshold
			case "Op":
				v = string(x.Op)
			case "Resolved":
				v = x.Resolved
			default:
				return nil, r.errorf(n, "can't evaluate field %s in type alert.SummaryData", id)
			}
		case map[string]string:
			v = x[id]
		default:
			return nil, r.errorf(n, "can't evaluate field %s in type %T", id, v)
		}
	}
	return v, nil
}

// call calls a function; final, when hasFinal, is the value piped in as the last
// argument.
func (r *run) call(dot any, id *parse.IdentifierNode, args []parse.Node, final any, hasFinal bool) (any, error) {
	name := id.Ident
	f := summaryFuncs[name]
	n := len(args)
	if hasFinal {
		n++
	}
	if n < f.min || (f.max >= 0 && n > f.max) {
		return nil, r.errorf(id, "wrong number of args for %s: want %s got %d", name, arity(f.min, f.max), n)
	}
	values := make([]any, 0, n)
	for i := range n {
		var v any
		if i < len(args) {
			var err error
			if v, err = r.arg(dot, args[i]); err != nil {
				return nil, err
			}
		} else {
			v = final
		}
		if f.call == nil {
			// and stops at its first false argument, or at its first true one;
			// either returns its last argument when it gets that far.
			if truth(v) == (name == "or") || i == n-1 {
				return v, nil
			}
			continue
		}
		values = append(values, v)
	}
	v, err := f.call(values)
	if err != nil {
		return nil, r.errorf(id, "error calling %s: %v", name, err)
	}
	return v, nil
}

func arity(lo, hi int) string {
	switch hi {
	case -1:
		return "at least " + strconv.Itoa(lo)
	case lo:
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + " to " + strconv.Itoa(hi)
}

// writeValue prints a value as text/template does.
func writeValue(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("<no value>")
	case *SummaryData:
		fmt.Fprint(b, *v)
	default:
		fmt.Fprint(b, v)
	}
}

// truth is text/template's idea of true: not the zero value, not empty.
func truth(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v != ""
	case float64:
		return v != 0
	case int64:
		return v != 0
	case map[string]string:
		return len(v) > 0
	case *SummaryData:
		return v != nil
	}
	return false
}

func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	}
	return 0, false
}

// compare orders two numbers or two strings.
func compare(a, b any) (int, error) {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch {
			case x < y:
				return -1, nil
			case x > y:
				return 1, nil
			}
			return 0, nil
		}
	}
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	}
	return 0, fmt.Errorf("incompatible types for comparison: %T and %T", a, b)
}

// eq reports whether the first argument equals any of the others.
func eq(a []any) (any, error) {
	for _, b := range a[1:] {
		var equal bool
		if x, ok := a[0].(bool); ok {
			y, ok := b.(bool)
			if !ok {
				return nil, fmt.Errorf("incompatible types for comparison: %T and %T", a[0], b)
			}
			equal = x == y
		} else {
			c, err := compare(a[0], b)
			if err != nil {
				return nil, err
			}
			equal = c == 0
		}
		if equal {
			return true, nil
		}
	}
	return false, nil
}

func ne(a []any) (any, error) {
	e, err := eq(a)
	if err != nil {
		return nil, err
	}
	return !e.(bool), nil
}

func ordered(holds func(int) bool) summaryFunc {
	return func(a []any) (any, error) {
		c, err := compare(a[0], a[1])
		return err == nil && holds(c), err
	}
}

func length(a []any) (any, error) {
	switch v := a[0].(type) {
	case string:
		return int64(len(v)), nil
	case map[string]string:
		return int64(len(v)), nil
	}
	return nil, fmt.Errorf("len of %T", a[0])
}

func index(a []any) (any, error) {
	m, ok := a[0].(map[string]string)
	key, isString := a[1].(string)
	if !ok || !isString {
		return nil, fmt.Errorf("can't index %T with %T", a[0], a[1])
	}
	return m[key], nil
}

func printf(a []any) (any, error) {
	format, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("the format is a %T, not a string", a[0])
	}
	return fmt.Sprintf(format, a[1:]...), nil
}

// numeric adapts a function of one number.
func numeric(f func(float64) string) summaryFunc {
	return func(a []any) (any, error) {
		v, ok := number(a[0])
		if !ok {
			return nil, fmt.Errorf("wrong type for value; expected a number; got %T", a[0])
		}
		return f(v), nil
	}
}

func percent(v float64) string { return strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + "%" }

// humanSeconds formats a number of seconds for people: "45s", "12m 30s", "3h 05m",
// "2d 04h".
func humanSeconds(sec float64) string {
	if math.IsNaN(sec) || math.IsInf(sec, 0) {
		return formatFloat(sec) + "s"
	}
	neg := ""
	if sec < 0 {
		neg, sec = "-", -sec
	}
	d := time.Duration(math.Round(sec)) * time.Second
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%s%ds", neg, int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%s%dm %02ds", neg, int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%s%dh %02dm", neg, int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%s%dd %02dh", neg, int(d.Hours())/24, int(d.Hours())%24)
}
