package qnettest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// resultMessage is data.go.kr's text for each result code.
func resultMessage(code string) string {
	switch code {
	case "00":
		return "NORMAL SERVICE."
	case "01":
		return "APPLICATION_ERROR"
	case "02":
		return "DB_ERROR"
	case "03":
		return "NODATA_ERROR"
	case "04":
		return "HTTP_ERROR"
	case "05":
		return "SERVICETIMEOUT_ERROR"
	case "10":
		return "INVALID_REQUEST_PARAMETER_ERROR"
	case "11":
		return "NO_MANDATORY_REQUEST_PARAMETERS_ERROR"
	case "12":
		return "NO_OPENAPI_SERVICE_ERROR"
	case "20":
		return "SERVICE_ACCESS_DENIED_ERROR"
	case "21":
		return "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR"
	case "22":
		return "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"
	case "23":
		return "LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR"
	case "30":
		return "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"
	case "31":
		return "DEADLINE_HAS_EXPIRED_ERROR"
	case "32":
		return "UNREGISTERED_IP_ERROR"
	case "33":
		return "UNSIGNED_CALL_ERROR"
	}
	return "UNKNOWN_ERROR"
}

// gatewayCode reports whether code is answered by the data.go.kr gateway (its own XML
// envelope, whatever _type says) rather than by the service.
func gatewayCode(code string) bool {
	n, _ := strconv.Atoi(code)
	return n >= 12
}

// gatewayXML is the gateway's error envelope.
func gatewayXML(code string) []byte {
	return fmt.Appendf(nil, `<OpenAPI_ServiceResponse>
	<cmmMsgHeader>
		<errMsg>SERVICE ERROR</errMsg>
		<returnAuthMsg>%s</returnAuthMsg>
		<returnReasonCode>%s</returnReasonCode>
	</cmmMsgHeader>
</OpenAPI_ServiceResponse>`, resultMessage(code), code)
}

// serviceError is the service's envelope with a non-00 code and no body.
func serviceError(code string, asJSON bool) []byte {
	if asJSON {
		return marshal(jsonEnvelope{Response: jsonResponse{Header: jsonHeader{code, resultMessage(code)}}})
	}
	return fmt.Appendf(nil, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><header><resultCode>%s</resultCode><resultMsg>%s</resultMsg></header></response>`,
		code, resultMessage(code))
}

// field is one element of an item; absent fields are left out, empty ones rendered
// empty.
type field struct {
	name   string
	value  string
	absent bool
	number bool // a JSON number rather than a string
}

// renderItem returns the statistics envelope for fields (nil: no items).
func renderItem(fields []field, asJSON, itemAsArray bool) []byte {
	total := 0
	if fields != nil {
		total = 1
	}
	if asJSON {
		var items any = "" // what data.go.kr sends for an empty list
		if fields != nil {
			obj := jsonObject(fields)
			var it any = obj
			if itemAsArray {
				it = []any{obj}
			}
			items = map[string]any{"item": it}
		}
		return marshal(jsonEnvelope{Response: jsonResponse{
			Header: jsonHeader{"00", resultMessage("00")},
			Body:   &jsonBody{Items: items, NumOfRows: 10, PageNo: 1, TotalCount: total},
		}})
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><header><resultCode>00</resultCode><resultMsg>NORMAL SERVICE.</resultMsg></header><body>`)
	if fields == nil {
		b.WriteString(`<items/>`)
	} else {
		b.WriteString(`<items><item>`)
		for _, f := range fields {
			if f.absent {
				continue
			}
			fmt.Fprintf(&b, "<%s>", f.name)
			xml.EscapeText(&b, []byte(f.value))
			fmt.Fprintf(&b, "</%s>", f.name)
		}
		b.WriteString(`</item></items>`)
	}
	fmt.Fprintf(&b, `<numOfRows>10</numOfRows><pageNo>1</pageNo><totalCount>%d</totalCount></body></response>`, total)
	return b.Bytes()
}

// The JSON envelope, in the service's key order.
type (
	jsonEnvelope struct {
		Response jsonResponse `json:"response"`
	}
	jsonResponse struct {
		Header jsonHeader `json:"header"`
		Body   *jsonBody  `json:"body,omitempty"`
	}
	jsonHeader struct {
		ResultCode string `json:"resultCode"`
		ResultMsg  string `json:"resultMsg"`
	}
	jsonBody struct {
		Items      any `json:"items"`
		NumOfRows  int `json:"numOfRows"`
		PageNo     int `json:"pageNo"`
		TotalCount int `json:"totalCount"`
	}
)

// jsonObject keeps the fields' order, as the service's converter does.
type jsonObject []field

func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, f := range o {
		if f.absent {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(marshal(f.name))
		b.WriteByte(':')
		if f.number && f.value != "" {
			b.WriteString(f.value)
		} else {
			b.Write(marshal(f.value))
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// withCommas formats n with thousands separators, as some exports do.
func withCommas(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// marshal encodes like the real API: Korean and '&' stay literal.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("qnettest: marshal: %v", err)) // only our own types reach here
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}
