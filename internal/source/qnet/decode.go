package qnet

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// YearStat is one exam stage's tally for one year. A nil count is unknown (an empty or
// missing element), never zero.
type YearStat struct {
	Year     int
	Stage    Stage
	ExamCode string
	// Applicants are the people who sat the test (응시자, ilecnt): the denominator of
	// Q-Net's own pass rate.
	Applicants *int64
	// Passers passed it (합격자, ilpcnt).
	Passers *int64
	// Registrants signed up for it (접수자, ilrcnt), no-shows included; the service
	// sends it alongside, and it is nil when absent.
	Registrants *int64
}

// PassRate is passers / applicants, or nil when either is unknown or nobody sat the test.
func (s YearStat) PassRate() *float64 {
	if s.Applicants == nil || s.Passers == nil || *s.Applicants <= 0 {
		return nil
	}
	r := float64(*s.Passers) / float64(*s.Applicants)
	return &r
}

// Result codes of data.go.kr's envelopes (both the service's and the gateway's).
const (
	CodeNormal           = "00"
	CodeApplicationError = "01"
	CodeDBError          = "02"
	CodeNoData           = "03"
	CodeHTTPError        = "04"
	CodeServiceTimeout   = "05"
	CodeInvalidParameter = "10"
	CodeMissingParameter = "11"
	CodeNoService        = "12"
	CodeAccessDenied     = "20"
	CodeKeyDisabled      = "21"
	CodeQuotaExceeded    = "22"
	CodeRateExceeded     = "23"
	CodeKeyNotRegistered = "30"
	CodeKeyExpired       = "31"
	CodeUnregisteredIP   = "32"
	CodeUnsignedCall     = "33"
	CodeUnknownError     = "99"
)

const (
	gatewayRootElement     = "OpenAPI_ServiceResponse"
	serviceRootElement     = "response"
	countPrefixApplicants  = "ilecnt"
	countPrefixPassers     = "ilpcnt"
	countPrefixRegistrants = "ilrcnt"
)

// Decode reads one answer of getEventYearPiList/SiList, XML or JSON, into the five
// years baseYear-4 … baseYear (ascending) and the exam's name ("" when the item has
// none). Stored pages are decoded with it again later, so it depends on nothing but
// its arguments.
//
// Errors: *APIError for an error envelope, an error matching ErrNotCovered when the
// service has no data for the exam (result code 03, or 00 without items), and
// *MalformedError for anything else it cannot read.
func Decode(raw []byte, stage Stage, examCode string, baseYear int) ([]YearStat, string, error) {
	var (
		env envelope
		err error
	)
	switch firstByte(raw) {
	case '<':
		env, err = decodeXML(raw)
	case '{':
		env, err = decodeJSON(raw)
	default:
		err = errors.New("neither XML nor JSON")
	}
	if err != nil {
		return nil, "", &MalformedError{Reason: err.Error(), Body: raw}
	}
	if env.gateway {
		return nil, "", env.apiError()
	}
	switch env.code {
	case CodeNormal:
	case CodeNoData:
		return nil, "", &NotCoveredError{ExamCode: examCode, Stage: stage, BaseYear: baseYear, Reason: "result code 03 " + env.message}
	default:
		return nil, "", env.apiError()
	}

	item, err := pickItem(env.items, examCode)
	if err != nil {
		return nil, "", &MalformedError{Reason: err.Error(), Body: raw}
	}
	if item == nil {
		return nil, "", &NotCoveredError{ExamCode: examCode, Stage: stage, BaseYear: baseYear, Reason: "no items"}
	}
	stats, err := item.yearStats(stage, examCode, baseYear)
	if err != nil {
		return nil, "", &MalformedError{Reason: err.Error(), Body: raw}
	}
	return stats, item.name(), nil
}

// envelope is what both formats decode to.
type envelope struct {
	gateway bool // the gateway's OpenAPI_ServiceResponse rather than the service's response
	code    string
	message string
	items   []item
}

func (e envelope) apiError() *APIError {
	return &APIError{Code: e.code, Message: e.message, Gateway: e.gateway}
}

// item holds one <item>'s fields by lower-case name; a present but empty element is "".
type item map[string]string

func (it item) name() string {
	for _, k := range []string{"jmnm", "jmfldnm", "jmflnm"} {
		if v := strings.TrimSpace(it[k]); v != "" {
			return v
		}
	}
	return ""
}

func (it item) code() (string, bool) {
	v, ok := it["jmcd"]
	return strings.TrimSpace(v), ok && strings.TrimSpace(v) != ""
}

// pickItem returns the item for examCode: the one whose jmcd matches, or one without
// a jmcd. nil means no items at all.
func pickItem(items []item, examCode string) (item, error) {
	if len(items) == 0 {
		return nil, nil
	}
	var found []item
	var others []string
	for _, it := range items {
		if c, ok := it.code(); ok && !sameCode(c, examCode) {
			others = append(others, c)
			continue
		}
		found = append(found, it)
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("items are for exam codes %s, not %s", strings.Join(others, ","), examCode)
	}
	// The service sends one item per exam; several would mean the shape changed, and
	// picking one silently could store another exam's numbers.
	return nil, fmt.Errorf("%d items for exam code %s, want 1", len(found), examCode)
}

// sameCode compares exam codes ignoring leading zeros, which a JSON number drops.
func sameCode(a, b string) bool {
	return strings.TrimLeft(a, "0") == strings.TrimLeft(b, "0")
}

func (it item) yearStats(stage Stage, examCode string, baseYear int) ([]YearStat, error) {
	out := make([]YearStat, 0, WindowYears)
	seen := false
	var errs []error
	for suffix := WindowYears; suffix >= 1; suffix-- {
		s := YearStat{Year: baseYear - (suffix - 1), Stage: stage, ExamCode: examCode}
		for _, f := range []struct {
			prefix string
			dst    **int64
		}{{countPrefixApplicants, &s.Applicants}, {countPrefixPassers, &s.Passers}, {countPrefixRegistrants, &s.Registrants}} {
			key := f.prefix + strconv.Itoa(suffix)
			v, ok := it[key]
			if !ok {
				continue
			}
			if f.prefix != countPrefixRegistrants {
				seen = true
			}
			n, err := parseCount(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", key, err))
				continue
			}
			*f.dst = n
		}
		out = append(out, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if !seen {
		// An item without a single count field is a schema change, not an exam with no
		// candidates: fail loudly so the page is quarantined and looked at.
		return nil, errors.New("item has none of the ilecnt1..5/ilpcnt1..5 fields")
	}
	return out, nil
}

// parseCount reads "12345", "12,345", " 12345 " or a JSON number's text; "" and "-"
// are unknown (nil).
func parseCount(v string) (*int64, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "-" {
		return nil, nil
	}
	clean := strings.ReplaceAll(v, ",", "")
	n, err := strconv.ParseInt(clean, 10, 64)
	if err != nil {
		// JSON producers sometimes print integers as 12345.0 or 1.2345E4.
		f, ferr := strconv.ParseFloat(clean, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return nil, fmt.Errorf("count %q is not a whole number", truncate([]byte(v), 40))
		}
		n = int64(f)
	}
	if n < 0 {
		return nil, fmt.Errorf("count %d is negative", n)
	}
	return &n, nil
}

// firstByte is the first byte that is not white space or a UTF-8 byte order mark.
func firstByte(raw []byte) byte {
	raw = bytes.TrimPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("\xef\xbb\xbf"))
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

// normCode writes numeric result codes with two digits ("0" and "0000" are "00", 3 is
// "03") so both envelopes and both formats compare alike.
func normCode(v string) string {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return fmt.Sprintf("%02d", n)
	}
	return v
}

// --- XML -------------------------------------------------------------------------

type xmlDoc struct {
	XMLName xml.Name
	Header  struct {
		ResultCode *string `xml:"resultCode"`
		ResultMsg  string  `xml:"resultMsg"`
	} `xml:"header"`
	Body struct {
		Items struct {
			Item []item `xml:"item"`
		} `xml:"items"`
	} `xml:"body"`
	Gateway struct {
		ErrMsg           string  `xml:"errMsg"`
		ReturnAuthMsg    string  `xml:"returnAuthMsg"`
		ReturnReasonCode *string `xml:"returnReasonCode"`
	} `xml:"cmmMsgHeader"`
}

// UnmarshalXML collects an <item>'s child elements by lower-case name.
func (it *item) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	m := item{}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v string
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			m[strings.ToLower(t.Name.Local)] = v
		case xml.EndElement:
			*it = m
			return nil
		}
	}
}

func decodeXML(raw []byte) (envelope, error) {
	var doc xmlDoc
	dec := xml.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&doc); err != nil {
		return envelope{}, fmt.Errorf("invalid XML: %w", err)
	}
	// Decode stops after the root element; anything but white space after it means
	// two documents or a proxy's page glued on.
	if tok, err := dec.Token(); err != io.EOF {
		if cd, ok := tok.(xml.CharData); !ok || len(bytes.TrimSpace(cd)) > 0 {
			return envelope{}, errors.New("invalid XML: data after the root element")
		}
		if _, err := dec.Token(); err != io.EOF {
			return envelope{}, errors.New("invalid XML: data after the root element")
		}
	}
	switch doc.XMLName.Local {
	case gatewayRootElement:
		if doc.Gateway.ReturnReasonCode == nil {
			return envelope{}, errors.New("gateway envelope without returnReasonCode")
		}
		return envelope{gateway: true, code: normCode(*doc.Gateway.ReturnReasonCode), message: gatewayMessage(doc.Gateway.ReturnAuthMsg, doc.Gateway.ErrMsg)}, nil
	case serviceRootElement:
		if doc.Header.ResultCode == nil {
			return envelope{}, errors.New("response without header/resultCode")
		}
		return envelope{code: normCode(*doc.Header.ResultCode), message: strings.TrimSpace(doc.Header.ResultMsg), items: doc.Body.Items.Item}, nil
	}
	return envelope{}, fmt.Errorf("unexpected root element <%s>", doc.XMLName.Local)
}

func gatewayMessage(auth, errMsg string) string {
	auth, errMsg = strings.TrimSpace(auth), strings.TrimSpace(errMsg)
	switch {
	case auth == "":
		return errMsg
	case errMsg == "":
		return auth
	}
	return auth + " (" + errMsg + ")"
}

// --- JSON ------------------------------------------------------------------------

type jsonDoc struct {
	Response *struct {
		Header struct {
			ResultCode json.RawMessage `json:"resultCode"`
			ResultMsg  string          `json:"resultMsg"`
		} `json:"header"`
		Body *struct {
			Items json.RawMessage `json:"items"`
		} `json:"body"`
	} `json:"response"`
	Gateway *struct {
		Header struct {
			ErrMsg           string          `json:"errMsg"`
			ReturnAuthMsg    string          `json:"returnAuthMsg"`
			ReturnReasonCode json.RawMessage `json:"returnReasonCode"`
		} `json:"cmmMsgHeader"`
	} `json:"OpenAPI_ServiceResponse"`
}

func decodeJSON(raw []byte) (envelope, error) {
	var doc jsonDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return envelope{}, fmt.Errorf("invalid JSON: %w", err)
	}
	switch {
	case doc.Gateway != nil:
		code, ok := scalar(doc.Gateway.Header.ReturnReasonCode)
		if !ok {
			return envelope{}, errors.New("gateway envelope without returnReasonCode")
		}
		return envelope{gateway: true, code: normCode(code), message: gatewayMessage(doc.Gateway.Header.ReturnAuthMsg, doc.Gateway.Header.ErrMsg)}, nil
	case doc.Response != nil:
		code, ok := scalar(doc.Response.Header.ResultCode)
		if !ok {
			return envelope{}, errors.New("response without header.resultCode")
		}
		env := envelope{code: normCode(code), message: strings.TrimSpace(doc.Response.Header.ResultMsg)}
		if doc.Response.Body != nil {
			items, err := jsonItems(doc.Response.Body.Items)
			if err != nil {
				return envelope{}, err
			}
			env.items = items
		}
		return env, nil
	}
	return envelope{}, errors.New(`neither "response" nor "OpenAPI_ServiceResponse"`)
}

// jsonItems reads body.items in every shape data.go.kr's XML-to-JSON conversion
// produces: "" or null or missing when empty, {"item": {…}} for one, {"item": [...]}
// for several.
func jsonItems(raw json.RawMessage) ([]item, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil || strings.TrimSpace(s) != "" {
			return nil, fmt.Errorf("items is a non-empty string: %s", truncate(raw, 40))
		}
		return nil, nil
	case '[': // not seen, but a list of items is unambiguous
		return jsonItemList(raw)
	case '{':
		var wrap struct {
			Item json.RawMessage `json:"item"`
		}
		if err := json.Unmarshal(raw, &wrap); err != nil {
			return nil, fmt.Errorf("items: %w", err)
		}
		return jsonItemList(bytes.TrimSpace(wrap.Item))
	}
	return nil, fmt.Errorf("items has an unexpected shape: %s", truncate(raw, 40))
}

func jsonItemList(raw []byte) ([]item, error) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var objs []map[string]json.RawMessage
	if raw[0] == '{' {
		var one map[string]json.RawMessage
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, fmt.Errorf("item: %w", err)
		}
		objs = append(objs, one)
	} else if err := json.Unmarshal(raw, &objs); err != nil {
		return nil, fmt.Errorf("item is neither an object nor an array of objects: %w", err)
	}
	out := make([]item, 0, len(objs))
	for _, o := range objs {
		it := make(item, len(o))
		for k, v := range o {
			s, ok := scalar(v)
			if !ok {
				continue // null: the same as a missing element
			}
			it[strings.ToLower(k)] = s
		}
		out = append(out, it)
	}
	return out, nil
}

// scalar returns a JSON string's value or a number's text; false for null, missing or
// a composite value.
func scalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), true
	}
	return "", false
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
