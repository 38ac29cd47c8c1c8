package saramintest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The API's JSON shape, field order as in real responses.
type jobJSON struct {
	URL     string `json:"url"`
	Active  any    `json:"active"`
	Company struct {
		Detail struct {
			Href string `json:"href,omitempty"`
			Name string `json:"name"`
		} `json:"detail"`
	} `json:"company"`
	Position struct {
		Title       string    `json:"title"`
		Industry    codeJSON  `json:"industry"`
		Location    codeJSON  `json:"location"`
		JobType     codeJSON  `json:"job-type"`
		JobCategory *struct{} `json:"job-category,omitempty"`
		JobMidCode  codeJSON  `json:"job-mid-code"`
		JobCode     codeJSON  `json:"job-code"`
		Experience  struct {
			Code int    `json:"code"`
			Min  int    `json:"min"`
			Max  int    `json:"max"`
			Name string `json:"name"`
		} `json:"experience-level"`
		Education codeJSON `json:"required-education-level"`
	} `json:"position"`
	Keyword        string   `json:"keyword"`
	Salary         codeJSON `json:"salary"`
	ID             string   `json:"id"`
	PostingTS      string   `json:"posting-timestamp"`
	ModificationTS string   `json:"modification-timestamp"`
	OpeningTS      string   `json:"opening-timestamp"`
	ExpirationTS   string   `json:"expiration-timestamp,omitempty"`
	CloseType      codeJSON `json:"close-type"`
	PostingDate    string   `json:"posting-date,omitempty"`
	ExpirationDate string   `json:"expiration-date,omitempty"`
	ReadCnt        string   `json:"read-cnt,omitempty"`
	ApplyCnt       string   `json:"apply-cnt,omitempty"`
}

type codeJSON struct {
	Code string `json:"code"`
	Name string `json:"name,omitempty"`
}

// dateLayout is the posting-date format: an offset without a colon.
const dateLayout = "2006-01-02T15:04:05-0700"

func (p Posting) render(now time.Time, fields map[string]bool, activeAsString bool) jobJSON {
	var j jobJSON
	j.URL = fmt.Sprintf("http://www.saramin.co.kr/zf_user/jobs/relay/view?rec_idx=%s&utm_source=job-search-api&utm_medium=api&utm_campaign=saramin-job-search-api", p.ID)
	active := 1
	if !p.ExpiresAt.IsZero() && p.ExpiresAt.Before(now) {
		active = 0
	}
	j.Active = active
	if activeAsString {
		j.Active = strconv.Itoa(active)
	}
	j.Company.Detail.Href = p.CompanyHref
	j.Company.Detail.Name = p.Company

	pos := &j.Position
	pos.Title = p.Title
	pos.Industry = codeJSON(p.Industry)
	pos.Location = p.locationJSON()
	pos.JobType = joinCodes(p.JobTypes)
	if !p.EscapeGT { // 2021-era responses carry an empty job-category; 2024 ones none
		pos.JobCategory = &struct{}{}
	}
	pos.JobMidCode = joinCodes(p.JobMids)
	pos.JobCode = codeJSON{Code: strings.Join(p.JobCodes, ","), Name: strings.Join(p.JobCodeNames, ",")}
	pos.Experience.Code, pos.Experience.Min, pos.Experience.Max, pos.Experience.Name = p.ExpCode, p.ExpMin, p.ExpMax, p.ExpName
	pos.Education = codeJSON(p.Education)

	j.Keyword = strings.Join(p.Keywords, ",")
	j.Salary = codeJSON(p.Salary)
	j.ID = p.ID
	j.PostingTS = unix(p.PostedAt)
	j.ModificationTS = unix(p.ModifiedAt)
	j.OpeningTS = unix(p.OpeningAt)
	if !p.ExpiresAt.IsZero() {
		j.ExpirationTS = unix(p.ExpiresAt)
	}
	j.CloseType = codeJSON(p.CloseType)
	if fields["posting-date"] {
		j.PostingDate = p.PostedAt.In(kst).Format(dateLayout)
	}
	if fields["expiration-date"] && !p.ExpiresAt.IsZero() {
		j.ExpirationDate = p.ExpiresAt.In(kst).Format(dateLayout)
	}
	if fields["count"] {
		j.ReadCnt = strconv.Itoa(p.ReadCount)
		j.ApplyCnt = strconv.Itoa(p.ApplyCount)
	}
	return j
}

func (p Posting) locationJSON() codeJSON {
	gt := " > "
	if p.EscapeGT {
		gt = " &gt; "
	}
	var codes, names []string
	for _, l := range p.Locations {
		codes = append(codes, l.code)
		if l.region == l.name {
			names = append(names, l.name)
		} else {
			names = append(names, l.region+gt+l.name)
		}
	}
	return codeJSON{Code: strings.Join(codes, ","), Name: strings.Join(names, ",")}
}

// joinCodes renders a multi-code field: comma-joined codes and names.
func joinCodes(cs []codeName) codeJSON {
	codes := make([]string, 0, len(cs))
	names := make([]string, 0, len(cs))
	for _, c := range cs {
		codes, names = append(codes, c.Code), append(names, c.Name)
	}
	return codeJSON{Code: strings.Join(codes, ","), Name: strings.Join(names, ",")}
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// PageJSON renders postings as one job-search response page without HTTP, for
// benchmarks and decoder tests.
func PageJSON(postings []Posting, start, total int, now time.Time) []byte {
	fields := map[string]bool{"posting-date": true, "expiration-date": true, "count": true}
	jobs := make([]jobJSON, 0, len(postings))
	for _, p := range postings {
		jobs = append(jobs, p.render(now, fields, false))
	}
	return marshal(map[string]any{"jobs": map[string]any{"count": len(jobs), "start": start, "total": strconv.Itoa(total), "job": jobs}})
}
