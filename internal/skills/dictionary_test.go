package skills

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMatch_precision_rules(t *testing.T) {
	t.Parallel()
	d := mustDefault(t)
	tests := []struct {
		name  string
		texts []string
		want  []string
	}{
		// Go
		{"go_as_list_item", []string{"서버 개발자 (Go, Python)"}, []string{"Go", "Python"}},
		{"go_before_role_word", []string{"Go 백엔드 개발자"}, []string{"Go"}},
		{"go_job_code_name", []string{"개발자", "Go"}, []string{"Go"}},
		{"golang_alias", []string{"Golang 개발"}, []string{"Go"}},
		{"go_eoneo_glued", []string{"Go언어 개발자"}, []string{"Go"}},
		{"go_eoneo_spaced", []string{"GO 언어 기반"}, []string{"Go"}},
		{"go_not_in_google", []string{"Google 검색 광고 운영"}, nil},
		{"go_not_in_mongodb", []string{"MongoDB 운영"}, []string{"MongoDB"}},
		{"go_not_in_django", []string{"Django 개발"}, []string{"Django"}},
		{"go_not_in_prose", []string{"Let's Go! 함께 성장할 마케터"}, nil},
		{"go_live_is_not_go", []string{"Go live 일정 관리, PM"}, nil},
		// R
		{"r_as_list_item", []string{"Python, R, SQL"}, []string{"Python", "R", "SQL"}},
		{"r_slash_python", []string{"R/Python 데이터 분석"}, []string{"Python", "R"}},
		{"r_eoneo", []string{"R언어 통계"}, []string{"R", "Statistics"}},
		{"r_preferred", []string{"R 우대"}, []string{"R"}},
		{"r_not_in_react", []string{"React 개발"}, []string{"React"}},
		{"r_not_in_r_and_d", []string{"R&D 연구원"}, nil},
		{"r_not_in_escaped_r_and_d", []string{"(주)R&amp;D솔루션"}, nil},
		{"r_not_in_r_and_r", []string{"R&R 정의"}, nil},
		{"r_job_code_name_in_list", []string{"데이터분석가,빅데이터,Hadoop,R,Spark"}, []string{"Hadoop", "R", "Spark"}},
		// Java / JavaScript
		{"java_not_in_javascript", []string{"JavaScript 개발자"}, []string{"JavaScript"}},
		{"java_and_javascript", []string{"Java/JavaScript"}, []string{"Java", "JavaScript"}},
		{"jaba_not_in_jabaseukeuripteu", []string{"자바스크립트 개발"}, []string{"JavaScript"}},
		{"java_script_spaced", []string{"Java Script"}, []string{"JavaScript"}},
		{"java_with_version", []string{"Java8, Java 17"}, []string{"Java"}},
		// C family
		{"c_slash_cpp", []string{"C/C++ 개발"}, []string{"C", "C++"}},
		{"c_not_in_csharp", []string{"C# 개발자"}, []string{"C#"}},
		{"c_not_in_cpp", []string{"C++ 개발자"}, []string{"C++"}},
		{"c_not_in_objective_c", []string{"Objective-C 개발"}, []string{"Objective-C"}},
		{"c_eoneo", []string{"C언어 펌웨어"}, []string{"C", "Firmware"}},
		{"c_not_client_server", []string{"응용프로그램(C/S) 개발"}, nil},
		{"c_not_type_c", []string{"USB Type-C 충전기"}, nil},
		{"c_not_c_level", []string{"C-level 임원"}, nil},
		{"c_not_grade", []string{"A/B/C 등급"}, nil},
		{"visual_cpp_is_cpp", []string{"VisualC·C++"}, []string{"C++"}},
		// Spring
		{"spring_boot_only", []string{"Spring Boot 개발"}, []string{"Spring Boot"}},
		{"spring_and_spring_boot", []string{"Spring, Spring Boot"}, []string{"Spring", "Spring Boot"}},
		{"springboot_glued", []string{"SpringBoot"}, []string{"Spring Boot"}},
		{"spring_boot_hyphen", []string{"spring-boot"}, []string{"Spring Boot"}},
		{"seupeuringbuteu", []string{"스프링부트"}, []string{"Spring Boot"}},
		{"seupeuring_buteu_spaced", []string{"스프링 부트"}, []string{"Spring Boot"}},
		{"seupeuring_with_jaba", []string{"자바 스프링 개발자"}, []string{"Java", "Spring"}},
		{"seupeuring_mechanical", []string{"스프링 제조 생산직"}, nil},
		// Korean aliases and Hangul boundaries
		{"python_glued_to_hangul", []string{"Python개발자"}, []string{"Python"}},
		{"paisseon_with_suffix", []string{"파이썬개발"}, []string{"Python"}},
		{"kubernetes_korean_and_k8s", []string{"쿠버네티스(k8s)"}, []string{"Kubernetes"}},
		{"k8s_upper", []string{"K8S 운영"}, []string{"Kubernetes"}},
		{"riaekteu", []string{"리액트"}, []string{"React"}},
		{"react_native_not_react", []string{"리액트 네이티브"}, []string{"React Native"}},
		{"rust_not_in_illust", []string{"일러스트 작가"}, nil},
		{"hive_not_in_company", []string{"(주)게임하이브 서버 개발자"}, nil},
		{"premiere_not_in_premier_league", []string{"프리미어리그 중계"}, nil},
		{"premiere_as_item", []string{"영상편집", "프리미어"}, []string{"Premiere Pro"}},
		// Node, .NET, Vue, Next
		{"node_js", []string{"Node.js"}, []string{"Node.js"}},
		{"nodejs", []string{"NodeJS"}, []string{"Node.js"}},
		{"node_item", []string{"Node/Express"}, []string{"Express.js", "Node.js"}},
		{"node_blockchain_is_not_node_js", []string{"블록체인 노드 운영"}, nil},
		{"dotnet", []string{"C# .NET"}, []string{".NET", "C#"}},
		{"asp_dotnet_not_dotnet", []string{"ASP.NET"}, []string{"ASP.NET"}},
		{"vue_js", []string{"Vue.js"}, []string{"Vue.js"}},
		{"vue_alone", []string{"Vue3"}, []string{"Vue.js"}},
		{"next_js", []string{"Next.js"}, []string{"Next.js"}},
		// Punctuation inside patterns, case and width
		{"scikit_learn", []string{"scikit-learn"}, []string{"scikit-learn"}},
		{"ci_cd", []string{"CI/CD 구축"}, []string{"CI/CD"}},
		{"a_b_test", []string{"A/B 테스트"}, []string{"A/B Testing"}},
		{"pl_sql_not_sql", []string{"PL/SQL"}, []string{"PL/SQL"}},
		{"sql_not_in_nosql_mysql", []string{"NoSQL, MySQL"}, []string{"MySQL", "NoSQL"}},
		{"sql_not_sqld", []string{"SQLD 자격증"}, nil},
		{"isms_p", []string{"ISMS-P"}, []string{"ISMS"}},
		{"upper_case", []string{"PYTHON"}, []string{"Python"}},
		{"full_width", []string{"Ｐｙｔｈｏｎ"}, []string{"Python"}},
		{"html5_css3", []string{"HTML5/CSS3"}, []string{"CSS", "HTML"}},
		{"decomposed_hangul", []string{"\u1111\u1161\u110b\u1175\u110a\u1165\u11ab"}, []string{"Python"}},
		// Longest match and ambiguous tools
		{"apache_kafka_is_kafka", []string{"Apache Kafka"}, []string{"Kafka"}},
		{"apache_item_is_http_server", []string{"Apache,Kafka"}, []string{"Apache HTTP Server", "Kafka"}},
		{"waf_not_firewall", []string{"웹방화벽"}, []string{"Web Application Firewall"}},
		{"oracle_database_near_sql", []string{"Oracle, SQL 튜닝"}, []string{"Oracle Database", "SQL"}},
		{"oracle_apps_not_database", []string{"ERP,IT컨설팅,Oracle,SAP"}, []string{"SAP"}},
		{"swift_near_ios", []string{"iOS 개발 (Swift)"}, []string{"Swift", "iOS"}},
		{"swift_banking", []string{"SWIFT 해외송금 메시지 (SWIFT)"}, nil},
		{"swift_as_item", []string{"Swift, Kotlin"}, []string{"Kotlin", "Swift"}},
		{"illustrator_person", []string{"일러스트레이터 (그림 작가) 모집"}, nil},
		{"illustrator_tool", []string{"포토샵/일러스트레이터"}, []string{"Adobe Illustrator", "Photoshop"}},
		{"ps_is_photoshop_in_list", []string{"PS , AI 등 사용 가능"}, []string{"Photoshop"}},
		{"empty", []string{""}, nil},
		{"no_texts", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := matchNames(d.Match(tc.texts...))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Match(%q) (-want +got):\n%s", tc.texts, diff)
			}
		})
	}
}

// TestMatch_synthetic_spellings: every skill spelling the synthetic generator writes
// (saramintest/dataset.go) matches its canonical skill, alone and in a sentence.
func TestMatch_synthetic_spellings(t *testing.T) {
	t.Parallel()
	d := mustDefault(t)
	spellings := map[string]string{
		"Java": "Java", "Spring Boot": "Spring Boot", "Spring": "Spring", "Kotlin": "Kotlin", "Node.js": "Node.js",
		"Go": "Go", "Python": "Python", "Django": "Django", "MySQL": "MySQL", "PostgreSQL": "PostgreSQL", "Redis": "Redis",
		"Kafka": "Kafka", "AWS": "AWS", "JPA": "JPA", "자바": "Java", "스프링부트": "Spring Boot", "React": "React",
		"Vue.js": "Vue.js", "TypeScript": "TypeScript", "JavaScript": "JavaScript", "Next.js": "Next.js", "HTML": "HTML",
		"CSS": "CSS", "리액트": "React", "Spark": "Spark", "Airflow": "Airflow", "Hadoop": "Hadoop", "Scala": "Scala",
		"SQL": "SQL", "BigQuery": "BigQuery", "Snowflake": "Snowflake", "dbt": "dbt", "GCP": "Google Cloud", "파이썬": "Python",
		"Tableau": "Tableau", "Excel": "Excel", "R": "R", "Looker": "Looker", "Power BI": "Power BI", "TensorFlow": "TensorFlow",
		"PyTorch": "PyTorch", "scikit-learn": "scikit-learn", "Pandas": "Pandas", "통계": "Statistics", "MLOps": "MLOps",
		"LLM": "LLM", "CUDA": "CUDA", "딥러닝": "Deep Learning", "Kubernetes": "Kubernetes", "Docker": "Docker",
		"Terraform": "Terraform", "Jenkins": "Jenkins", "Linux": "Linux", "Prometheus": "Prometheus", "Ansible": "Ansible",
		"쿠버네티스": "Kubernetes", "k8s": "Kubernetes", "Android": "Android", "iOS": "iOS", "Swift": "Swift", "Flutter": "Flutter",
		"React Native": "React Native", "ISMS": "ISMS", "방화벽": "Firewall", "모의해킹": "Penetration Testing",
		"보안관제": "Security Monitoring", "C": "C", "C++": "C++", "RTOS": "RTOS", "Embedded Linux": "Embedded Linux",
		"펌웨어": "Firmware", "Selenium": "Selenium", "JIRA": "JIRA", "테스트자동화": "Test Automation", "Figma": "Figma",
		"Photoshop": "Photoshop", "Illustrator": "Adobe Illustrator", "Google Analytics": "Google Analytics",
	}
	for spelling, want := range spellings {
		for _, texts := range [][]string{
			{"개발자", spelling},                            // a job-code name
			{"경력 채용 (" + spelling + ", SQL)"},            // the generator's "(a, b)" title
			{"Backend Engineer - " + spelling + ", SQL"}, // the generator's English title
		} {
			got := matchNames(d.Match(texts...))
			found := false
			for _, g := range got {
				found = found || g == want
			}
			if !found {
				t.Errorf("Match(%q) = %q, want %s among them", texts, got, want)
			}
		}
	}
}

func TestDefault_dictionary(t *testing.T) {
	t.Parallel()
	d := mustDefault(t)
	if d.Len() < 300 {
		t.Errorf("Len() = %d, want at least 300 skills", d.Len())
	}
	if !strings.HasPrefix(d.Version(), "1.") || len(d.Version()) != 10 {
		t.Errorf("Version() = %q, want revision.hash8", d.Version())
	}
	counts := map[string]int{}
	for _, s := range d.Skills() {
		counts[s.Category]++
	}
	for _, c := range Categories() {
		if counts[c] == 0 {
			t.Errorf("category %s has no skill", c)
		}
	}
	t.Logf("%d skills, version %s, %d automaton states, by category %v", d.Len(), d.Version(), d.ac.states(), counts)
}

func TestLoad_reports_every_problem(t *testing.T) {
	t.Parallel()
	const header = "skill,category,aliases,requires_context,contexts\n"
	tests := []struct {
		name string
		csv  string
		want []string // substrings of the error
	}{
		{"wrong_header", "skill,category\nGo,language\n", []string{"header must be"}},
		{"unknown_category", header + "Go,lang,,false,\n", []string{`category "lang"`}},
		{"bad_bool", header + "Go,language,,yes,\n", []string{"requires_context must be true or false"}},
		{"guarded_without_context", header + "Go,language,,true,\n", []string{"need at least one context"}},
		{"context_without_guard", header + "Go,language,,false,item\n", []string{"no form is ambiguous"}},
		{"bad_context", header + "Go,language,,true,nearby:x\n", []string{`context "nearby:x"`}},
		{"duplicate_skill", header + "Go,language,,false,\ngo,language,,false,\n", []string{"already defined"}},
		{"form_collision", header + "Go,language,Golang,false,\nGolang Tools,tool,golang,false,\n", []string{"is also a form of"}},
		{"form_listed_twice", header + "Spring Boot,framework,SpringBoot|springboot,false,\n", []string{"listed twice"}},
		{"several_at_once", header + "A,x,,false,\nB,y,,maybe,\n", []string{`category "x"`, `category "y"`, "maybe"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(fstest.MapFS{SkillsFile: {Data: []byte(tc.csv)}})
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoad_missing_file(t *testing.T) {
	t.Parallel()
	if _, err := Load(fstest.MapFS{}); err == nil || !strings.Contains(err.Error(), "load skill dictionary") {
		t.Errorf("err = %v, want a load error", err)
	}
}

func TestVersion_follows_content(t *testing.T) {
	t.Parallel()
	const csv = "skill,category,aliases,requires_context,contexts\nGo,language,Golang,true,item\n"
	a, err := Load(fstest.MapFS{SkillsFile: {Data: []byte(csv)}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(fstest.MapFS{SkillsFile: {Data: []byte(csv + "Rust,language,,false,\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Version() == b.Version() {
		t.Errorf("different content, same version %s", a.Version())
	}
	if got := matchNames(b.Match("Go, Rust")); !cmp.Equal(got, []string{"Go", "Rust"}) {
		t.Errorf("Match = %q", got)
	}
}
