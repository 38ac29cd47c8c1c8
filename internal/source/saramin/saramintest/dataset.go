package saramintest

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Sentinel expiration timestamps the API uses for postings without a deadline.
const (
	SentinelUntilHired = 1988118000 // 2033-01-01 00:00 KST, close-type 2 (채용시)
	SentinelAlwaysOpen = 2019567600 // 2033-12-31 00:00 KST, close-type 3 (상시)
)

var kst = time.FixedZone("KST", 9*60*60)

// Posting is one synthetic posting. The fake renders it in the API's JSON shape.
type Posting struct {
	ID           string
	Title        string
	Company      string // as the API sends it, HTML entities included
	CompanyHref  string // empty when the company page is private
	Industry     codeName
	Locations    []location
	EscapeGT     bool // "서울 &gt; 강남구" (2024) rather than "서울 > 강남구" (2021)
	JobTypes     []codeName
	JobMids      []codeName
	JobCodes     []string // codes and names deliberately do not pair one-to-one
	JobCodeNames []string
	Keywords     []string
	ExpCode      int
	ExpMin       int
	ExpMax       int
	ExpName      string
	Education    codeName
	Salary       codeName // Name empty for codes the API sends without one
	CloseType    codeName
	PostedAt     time.Time
	ModifiedAt   time.Time // may be a second before PostedAt, as in real data
	OpeningAt    time.Time
	ExpiresAt    time.Time // zero: the field is absent
	ReadCount    int
	ApplyCount   int
	// Bump, when set, re-posts the posting at Bump: from then on the API serves it
	// with PostedAt = Bump and ModifiedAt = Bump + BumpDelay.
	Bump      time.Time
	BumpDelay time.Duration
}

// At returns the posting as the API serves it at time now, and whether it is visible.
func (p Posting) At(now time.Time) (Posting, bool) {
	if p.PostedAt.After(now) {
		return p, false
	}
	if !p.Bump.IsZero() && !p.Bump.After(now) {
		p.PostedAt = p.Bump
		p.ModifiedAt = p.Bump.Add(p.BumpDelay)
		p.Bump = time.Time{}
	}
	// Counters grow with age; derived, so every request at the same now agrees.
	hours := int(now.Sub(p.PostedAt).Hours())
	p.ReadCount += hours * 3
	p.ApplyCount += hours / 8
	return p, true
}

// Spec describes a synthetic dataset.
type Spec struct {
	Seed uint64
	// From and To bound posting times (first versions); hours are generated whole and
	// trimmed to the interval.
	From, To time.Time
	// PerDay is the mean number of postings on a weekday.
	PerDay int
}

// Generate returns the postings of spec sorted by posting time then id. Each hour is
// generated from (Seed, hour) alone, so overlapping specs agree on the postings they
// share: the demo source can move its window with the clock and stay deterministic.
func Generate(spec Spec) ([]Posting, error) {
	if !spec.To.After(spec.From) {
		return nil, fmt.Errorf("generate: empty interval %s..%s", spec.From, spec.To)
	}
	tables, err := seedTables()
	if err != nil {
		return nil, err
	}
	var out []Posting
	for h := spec.From.Truncate(time.Hour); h.Before(spec.To); h = h.Add(time.Hour) {
		for _, p := range generateHour(spec, tables, h) {
			if !p.PostedAt.Before(spec.From) && !p.PostedAt.After(spec.To) {
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b Posting) int {
		if c := a.PostedAt.Compare(b.PostedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// hourWeight shapes a day in KST: office hours busy, nights nearly empty.
var hourWeight = [24]float64{0.1, 0.05, 0, 0, 0, 0.05, 0.2, 0.5, 1.2, 2.2, 2.5, 2.2, 1, 1.8, 2.3, 2.2, 2, 1.6, 1, 0.6, 0.4, 0.3, 0.2, 0.15}

func generateHour(spec Spec, t codeTables, hour time.Time) []Posting {
	slot := uint64(hour.Unix() / 3600)
	rng := rand.New(rand.NewPCG(spec.Seed, slot))
	local := hour.In(kst)
	var sum float64
	for _, w := range hourWeight {
		sum += w
	}
	mean := float64(spec.PerDay) * hourWeight[local.Hour()] / sum
	if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday {
		mean *= 0.25
	}
	if rng.Float64() < 0.08 { // quiet hours happen even in office time
		mean = 0
	}
	n := int(mean*(0.4+1.2*rng.Float64()) + 0.5)
	n = min(n, 99) // ids are slot*100 + i
	out := make([]Posting, 0, n)
	for i := range n {
		posted := hour.Add(time.Duration(rng.IntN(3600)) * time.Second)
		out = append(out, newPosting(rng, t, fmt.Sprintf("%d", slot*100+uint64(i)), posted))
	}
	return out
}

// Sample returns one complete IT posting with the given id and posting time, for tests
// that need a posting at an exact moment. Its content is derived from the id.
func Sample(id string, postedAt time.Time) Posting {
	tables, err := seedTables()
	if err != nil {
		panic(err) // the seeds are embedded: this is a build defect, not an input error
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	for seed := h.Sum64(); ; seed++ {
		p := newPosting(rand.New(rand.NewPCG(seed, 0)), tables, id, postedAt)
		if p.JobMids[0].Code == "2" {
			p.Bump = time.Time{}
			return p
		}
	}
}

func newPosting(rng *rand.Rand, t codeTables, id string, posted time.Time) Posting {
	role := pickWeighted(rng, roles, func(r role) int { return r.weight })
	company := pick(rng, companies)
	p := Posting{
		ID:         id,
		Company:    company,
		PostedAt:   posted,
		ModifiedAt: posted.Add(time.Duration(rng.IntN(600)) * time.Second),
		OpeningAt:  kstMidnight(posted),
		EscapeGT:   rng.Float64() < 0.7,
		Industry:   pickWeighted(rng, t.industries, industryWeight),
		Education:  pickWeighted(rng, t.educations, educationWeight),
		ReadCount:  rng.IntN(50),
		ApplyCount: rng.IntN(3),
	}
	if rng.Float64() < 0.03 {
		p.ModifiedAt = posted.Add(-time.Second)
	}
	if rng.Float64() < 0.85 {
		p.CompanyHref = fmt.Sprintf("http://www.saramin.co.kr/zf_user/company-info/view?csn=%d&utm_source=job-search-api", 1000000000+rng.IntN(8999999999))
	}
	if rng.Float64() < 0.08 {
		p.Bump = posted.Add(time.Duration(6+rng.IntN(66)) * time.Hour)
		p.BumpDelay = time.Duration(rng.IntN(120)) * time.Second
	}

	skills := sample(rng, role.skills, 2+rng.IntN(3))
	p.Title = role.title(rng, company, skills)
	p.Keywords = append(sample(rng, role.keywords, 1+rng.IntN(2)), skills[:1+rng.IntN(len(skills))]...)
	p.JobMids = []codeName{{"2", "IT개발·데이터"}}
	if role.mid.Code != "2" {
		p.JobMids = []codeName{role.mid}
	}
	if rng.Float64() < 0.15 {
		p.JobMids = append(p.JobMids, codeName{"16", "기획·전략"})
	}
	// Real job-code lists: names start with the keyword terms and hold more entries
	// than codes; codes repeat.
	p.JobCodes = append([]string(nil), role.codes...)
	for range rng.IntN(5) {
		p.JobCodes = append(p.JobCodes, itoa(100+rng.IntN(200)))
	}
	if rng.Float64() < 0.2 {
		p.JobCodes = append(p.JobCodes, p.JobCodes[0])
	}
	p.JobCodeNames = append(append([]string(nil), p.Keywords...), role.codeNames...)
	p.JobCodeNames = append(p.JobCodeNames, skills...)

	p.Locations = pickLocations(rng, t.byRegion)
	for _, c := range pick(rng, jobTypeSets) {
		p.JobTypes = append(p.JobTypes, codeName{c, t.jobTypes[c]})
	}
	p.ExpCode, p.ExpMin, p.ExpMax, p.ExpName = experience(rng)
	p.Salary = pickWeighted(rng, salaries, func(s salary) int { return s.weight }).codeName
	switch x := rng.Float64(); {
	case x < 0.6:
		p.CloseType = codeName{"1", "접수마감일"}
		p.ExpiresAt = kstMidnight(posted).AddDate(0, 0, 14+rng.IntN(31)).Add(24*time.Hour - time.Second)
	case x < 0.85:
		p.CloseType = codeName{"2", "채용시"}
		p.ExpiresAt = time.Unix(SentinelUntilHired, 0)
	case x < 0.95:
		p.CloseType = codeName{"3", "상시"}
		p.ExpiresAt = time.Unix(SentinelAlwaysOpen, 0)
	default:
		p.CloseType = codeName{"4", "수시"}
	}
	return p
}

func experience(rng *rand.Rand) (code, lo, hi int, name string) {
	switch x := rng.Float64(); {
	case x < 0.2:
		return 1, 0, 0, "신입"
	case x < 0.4:
		return 3, 0, 0, "신입·경력"
	case x < 0.52:
		return 0, 0, 0, "경력무관"
	default:
		lo = 1 + rng.IntN(8)
		if rng.Float64() < 0.5 {
			return 2, lo, 0, fmt.Sprintf("경력%d년↑", lo)
		}
		hi = lo + 2 + rng.IntN(8)
		return 2, lo, hi, fmt.Sprintf("경력 %d~%d년", lo, hi)
	}
}

// pickLocations skews to Seoul and Gyeonggi and sometimes lists several codes.
func pickLocations(rng *rand.Rand, byRegion map[string][]location) []location {
	n := 1
	if x := rng.Float64(); x > 0.95 {
		n = 3 + rng.IntN(4)
	} else if x > 0.75 {
		n = 2
	}
	region := pickWeighted(rng, regionWeights, func(r regionWeight) int { return r.weight }).name
	var out []location
	for range n {
		cands := byRegion[region]
		l := pick(rng, cands)
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
		if rng.Float64() < 0.3 { // a second region now and then
			region = pickWeighted(rng, regionWeights, func(r regionWeight) int { return r.weight }).name
		}
	}
	return out
}

type regionWeight struct {
	name   string
	weight int
}

var regionWeights = []regionWeight{
	{"서울", 55}, {"경기", 20}, {"부산", 4}, {"대전", 5}, {"인천", 4}, {"대구", 2}, {"광주", 2},
	{"울산", 1}, {"세종", 1}, {"강원", 1}, {"경남", 1}, {"경북", 1}, {"충북", 1}, {"충남", 1}, {"전남", 1}, {"전북", 1}, {"제주", 1}, {"전국", 1},
}

var jobTypeSets = [][]string{{"1"}, {"1"}, {"1"}, {"1"}, {"1"}, {"1"}, {"1", "2"}, {"2"}, {"4", "11"}, {"1", "10", "2"}, {"6"}}

type salary struct {
	codeName
	weight int
}

var salaries = []salary{
	{codeName{"0", "회사내규에 따름"}, 50}, {codeName{"99", "면접후 결정"}, 25},
	{codeName{"12", "3,000~3,200만원"}, 10}, {codeName{"98", ""}, 5}, {codeName{"101", ""}, 5}, {codeName{"104", ""}, 5},
}

func industryWeight(c codeName) int {
	switch c.Code {
	case "301":
		return 50
	case "304", "307":
		return 20
	}
	return 3
}

func educationWeight(c codeName) int {
	switch c.Code {
	case "8":
		return 40
	case "0":
		return 30
	case "7", "6":
		return 10
	}
	return 2
}

var companies = []string{
	"(주)데이터웨이브", "넥스트코드(주)", "주식회사 클라우드랩", "(주)헬로핀테크", "(주)에이티지", "(주)R&amp;D솔루션",
	"Acme Korea", "(주)모빌리티원", "주식회사 스마트팩토리", "(주)게임하이브", "(주)커머스플러스", "(주)보안나라",
	"Seoul AI Labs", "(주)헬스온", "(주)블록체인웍스", "(주)로지스틱스허브", "(주)에듀테크코리아", "(주)미디어앤코",
	"(주)한빛시스템", "(주)디지털뱅크", "(주)오픈마켓플러스", "(주)임베디드솔루션", "(주)네오클라우드", "(주)퀀텀데이터",
	"주식회사 그린에너지", "(주)라이프&amp;케어", "(주)인사이트랩", "(주)캐어유", "(주)헬로서치", "(주)코드브릿지",
}

// role is a kind of job the generator writes titles for; skills are real tech skills
// in the spellings postings use, Korean forms included.
type role struct {
	weight    int
	mid       codeName
	titlesKo  []string
	titlesEn  []string
	skills    []string
	keywords  []string
	codes     []string
	codeNames []string
}

var roles = []role{
	{22, codeName{"2", "IT개발·데이터"}, []string{"백엔드 개발자", "서버 개발자", "웹 백엔드 개발", "API 서버 개발자"}, []string{"Backend Engineer", "Server Developer", "Software Engineer (Backend)"},
		[]string{"Java", "Spring Boot", "Spring", "Kotlin", "Node.js", "Go", "Python", "Django", "MySQL", "PostgreSQL", "Redis", "Kafka", "AWS", "JPA", "자바", "스프링부트"},
		[]string{"백엔드/서버개발", "웹개발", "소프트웨어개발"}, []string{"84", "235"}, []string{"백엔드/서버개발", "S/W", "솔루션업체"}},
	{12, codeName{"2", "IT개발·데이터"}, []string{"프론트엔드 개발자", "웹 프론트엔드 개발", "UI 개발자"}, []string{"Frontend Engineer", "Frontend Developer (React)"},
		[]string{"React", "Vue.js", "TypeScript", "JavaScript", "Next.js", "HTML", "CSS", "리액트"},
		[]string{"프론트엔드", "웹개발", "웹퍼블리셔"}, []string{"92"}, []string{"프론트엔드", "웹표준", "반응형웹"}},
	{5, codeName{"2", "IT개발·데이터"}, []string{"풀스택 개발자", "웹 풀스택 개발"}, []string{"Full Stack Developer", "Fullstack Engineer"},
		[]string{"React", "Node.js", "TypeScript", "Java", "Spring Boot", "MySQL", "AWS", "Vue.js"},
		[]string{"풀스택", "웹개발"}, []string{"84", "92"}, []string{"백엔드/서버개발", "프론트엔드"}},
	{8, codeName{"2", "IT개발·데이터"}, []string{"데이터 엔지니어", "빅데이터 엔지니어", "데이터 플랫폼 개발자", "데이터 파이프라인 개발"}, []string{"Data Engineer", "Senior Data Engineer", "Analytics Engineer"},
		[]string{"Spark", "Airflow", "Kafka", "Hadoop", "Python", "Scala", "SQL", "BigQuery", "Snowflake", "dbt", "AWS", "GCP", "파이썬"},
		[]string{"데이터엔지니어", "빅데이터", "ETL"}, []string{"87", "272"}, []string{"데이터엔지니어", "빅데이터", "DW"}},
	{6, codeName{"2", "IT개발·데이터"}, []string{"데이터 분석가", "데이터 애널리스트", "BI 분석가", "그로스 데이터 분석"}, []string{"Data Analyst", "Product Analyst", "BI Analyst"},
		[]string{"SQL", "Python", "Tableau", "Excel", "R", "BigQuery", "Looker", "Power BI"},
		[]string{"데이터분석", "BI", "통계분석"}, []string{"272"}, []string{"데이터분석가", "데이터분석", "빅데이터"}},
	{4, codeName{"2", "IT개발·데이터"}, []string{"데이터 사이언티스트", "데이터 과학자"}, []string{"Data Scientist", "Senior Data Scientist"},
		[]string{"Python", "R", "TensorFlow", "PyTorch", "scikit-learn", "SQL", "Pandas", "통계"},
		[]string{"데이터사이언티스트", "머신러닝"}, []string{"272"}, []string{"머신러닝", "딥러닝", "데이터분석"}},
	{5, codeName{"2", "IT개발·데이터"}, []string{"머신러닝 엔지니어", "AI 엔지니어", "MLOps 엔지니어", "LLM 개발자"}, []string{"Machine Learning Engineer", "ML Engineer", "AI Engineer (LLM)"},
		[]string{"PyTorch", "TensorFlow", "Python", "Kubernetes", "MLOps", "LLM", "CUDA", "딥러닝"},
		[]string{"인공지능(AI)", "머신러닝", "딥러닝"}, []string{"272"}, []string{"인공지능(AI)", "머신러닝", "딥러닝"}},
	{8, codeName{"2", "IT개발·데이터"}, []string{"DevOps 엔지니어", "클라우드 엔지니어", "인프라 엔지니어", "SRE"}, []string{"DevOps Engineer", "Site Reliability Engineer", "Cloud Engineer"},
		[]string{"Kubernetes", "Docker", "Terraform", "AWS", "Jenkins", "Linux", "Prometheus", "Ansible", "쿠버네티스", "k8s"},
		[]string{"DevOps", "클라우드", "인프라"}, []string{"84"}, []string{"시스템엔지니어", "네트워크", "인프라"}},
	{7, codeName{"2", "IT개발·데이터"}, []string{"안드로이드 개발자", "iOS 개발자", "모바일 앱 개발자", "앱 개발자"}, []string{"Android Developer", "iOS Engineer", "Mobile Engineer (Flutter)"},
		[]string{"Android", "Kotlin", "iOS", "Swift", "Flutter", "React Native"},
		[]string{"앱개발", "안드로이드", "iOS"}, []string{"84"}, []string{"모바일", "앱개발"}},
	{4, codeName{"2", "IT개발·데이터"}, []string{"정보보안 담당자", "보안 엔지니어", "모의해킹 전문가"}, []string{"Security Engineer", "Information Security Specialist"},
		[]string{"ISMS", "Linux", "방화벽", "모의해킹", "보안관제"},
		[]string{"정보보안", "보안관제"}, []string{"84"}, []string{"정보보안", "보안컨설팅"}},
	{4, codeName{"2", "IT개발·데이터"}, []string{"임베디드 SW 개발자", "펌웨어 개발자", "임베디드 리눅스 개발"}, []string{"Embedded Software Engineer", "Firmware Engineer"},
		[]string{"C", "C++", "RTOS", "Embedded Linux", "펌웨어"},
		[]string{"임베디드", "펌웨어"}, []string{"84"}, []string{"임베디드", "하드웨어", "회로설계"}},
	{3, codeName{"2", "IT개발·데이터"}, []string{"QA 엔지니어", "소프트웨어 테스트 엔지니어"}, []string{"QA Engineer", "Test Automation Engineer"},
		[]string{"Selenium", "JIRA", "Python", "테스트자동화"},
		[]string{"QA", "테스트"}, []string{"84"}, []string{"QA", "테스터"}},
	{4, codeName{"15", "디자인"}, []string{"웹디자이너", "UI/UX 디자이너"}, []string{"Product Designer", "UX Designer"},
		[]string{"Figma", "Photoshop", "Illustrator"},
		[]string{"웹디자인", "UI/UX"}, []string{"1502", "1504"}, []string{"웹디자인", "모바일디자인", "UI/UX디자인"}},
	{3, codeName{"14", "마케팅·홍보·조사"}, []string{"퍼포먼스 마케터", "콘텐츠 마케터"}, []string{"Growth Marketer", "Performance Marketer"},
		[]string{"Google Analytics", "SQL", "Excel"},
		[]string{"마케팅", "광고"}, []string{"1200"}, []string{"퍼포먼스마케팅", "광고기획"}},
}

func (r role) title(rng *rand.Rand, company string, skills []string) string {
	if rng.Float64() < 0.35 {
		return fmt.Sprintf("%s - %s, %s", pick(rng, r.titlesEn), skills[0], skills[1])
	}
	t := pick(rng, r.titlesKo)
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("[%s] %s (%s/%s) 채용", company, t, skills[0], skills[1])
	case 1:
		return fmt.Sprintf("%s 경력 채용 (%s, %s)", t, skills[0], skills[1])
	case 2:
		return fmt.Sprintf("(신입/경력) %s 모집 - %s", t, skills[0])
	default:
		return fmt.Sprintf("%s %s 우대", t, skills[0])
	}
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func pickWeighted[T any](rng *rand.Rand, xs []T, weight func(T) int) T {
	total := 0
	for _, x := range xs {
		total += weight(x)
	}
	n := rng.IntN(total)
	for _, x := range xs {
		if n -= weight(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

// sample returns k distinct elements of xs in random order.
func sample[T any](rng *rand.Rand, xs []T, k int) []T {
	idx := rng.Perm(len(xs))
	out := make([]T, 0, min(k, len(xs)))
	for _, i := range idx[:min(k, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

func kstMidnight(t time.Time) time.Time {
	y, m, d := t.In(kst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, kst)
}
