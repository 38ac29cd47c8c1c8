package bigquery

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	bq "cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"google.golang.org/api/iterator"

	"github.com/jobpulse/jobpulse/internal/warehouse"
)

// readRows reads every row of a finished query job.
func readRows(ctx context.Context, job *bq.Job) (*warehouse.Rows, error) {
	it, err := job.Read(ctx)
	if err != nil {
		return nil, err
	}
	out := &warehouse.Rows{Values: [][]any{}}
	for {
		var vals []bq.Value
		err := it.Next(&vals)
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return nil, err
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			var f *bq.FieldSchema
			if i < len(it.Schema) {
				f = it.Schema[i]
			}
			row[i] = plain(v, f)
		}
		out.Values = append(out.Values, row)
	}
	out.Columns = columnNames(it.Schema)
	return out, nil
}

func columnNames(s bq.Schema) []string {
	names := make([]string, len(s))
	for i, f := range s {
		names[i] = f.Name
	}
	return names
}

// plain converts a client value to the plain Go values warehouse.Rows holds: nil,
// int64, float64, bool, string, []byte, time.Time (TIMESTAMP, in UTC), []any (REPEATED)
// and map[string]any (RECORD). Dates, times and datetimes become their canonical
// strings ("2026-11-21"); NUMERIC and BIGNUMERIC become decimal strings, which keep
// their precision.
func plain(v bq.Value, f *bq.FieldSchema) any {
	if v == nil {
		return nil
	}
	if f != nil && f.Repeated {
		vs, ok := v.([]bq.Value)
		if !ok {
			return v
		}
		elem := *f
		elem.Repeated = false
		out := make([]any, len(vs))
		for i, e := range vs {
			out[i] = plain(e, &elem)
		}
		return out
	}
	switch x := v.(type) {
	case []bq.Value: // a RECORD
		m := make(map[string]any, len(x))
		for i, e := range x {
			var sub *bq.FieldSchema
			name := fmt.Sprintf("f%d", i)
			if f != nil && i < len(f.Schema) {
				sub = f.Schema[i]
				name = sub.Name
			}
			m[name] = plain(e, sub)
		}
		return m
	case civil.Date:
		return x.String()
	case civil.Time:
		return x.String()
	case civil.DateTime:
		return x.String()
	case *big.Rat:
		if f != nil && f.Type == bq.BigNumericFieldType {
			return bq.BigNumericString(x)
		}
		return bq.NumericString(x)
	case *bq.IntervalValue:
		return x.String()
	case *bq.RangeValue:
		bound := func(b bq.Value) string {
			if b == nil {
				return "UNBOUNDED"
			}
			return fmt.Sprint(plain(b, nil))
		}
		return "[" + bound(x.Start) + ", " + bound(x.End) + ")"
	default:
		return v
	}
}
