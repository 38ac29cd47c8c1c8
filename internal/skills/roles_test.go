package skills

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestClassify_precedence(t *testing.T) {
	t.Parallel()
	r := mustRoles(t)
	it := []string{"2"}
	tests := []struct {
		name string
		p    Posting
		want string
	}{
		{"title_beats_job_code_name", Posting{Title: "데이터 엔지니어", JobCodeNames: []string{"백엔드/서버개발"}, JobMidCodes: it}, RoleDataEngineer},
		{"job_code_name_beats_job_code", Posting{Title: "개발자 채용", JobCodeNames: []string{"프론트엔드"}, JobCodes: []string{"84"}, JobMidCodes: it}, RoleFrontend},
		{"job_code_alone", Posting{Title: "개발자 채용", JobCodes: []string{"84"}, JobMidCodes: it}, RoleBackend},
		{"data_scientist_before_ml", Posting{Title: "Data Scientist (Machine Learning)", JobMidCodes: it}, RoleDataScientist},
		{"ml_before_backend", Posting{Title: "ML Engineer / 백엔드", JobMidCodes: it}, RoleMLEngineer},
		{"data_engineer_before_backend", Posting{Title: "데이터 플랫폼 백엔드 개발자", JobMidCodes: it}, RoleDataEngineer},
		{"fullstack_before_frontend", Posting{Title: "풀스택 (프론트엔드 중심) 개발자", JobMidCodes: it}, RoleFullstack},
		{"front_and_back_is_fullstack", Posting{Title: "프론트엔드 / 백엔드 개발자", JobMidCodes: it}, RoleFullstack},
		{"role_noun_beats_domain_word", Posting{Title: "LLM 서비스 백엔드 개발자", JobMidCodes: it}, RoleBackend},
		{"domain_word_alone", Posting{Title: "머신러닝&컴퓨터비전 채용", JobMidCodes: it}, RoleMLEngineer},
		{"security_before_devops", Posting{Title: "Cloud Security Engineer", JobMidCodes: it}, RoleSecurity},
		{"spring_security_is_backend", Posting{Title: "Spring Security 백엔드 개발자", JobMidCodes: it}, RoleBackend},
		{"non_it_title_beats_it_names", Posting{Title: "웹디자이너 모집", JobCodeNames: []string{"HTML", "프론트엔드"}, JobMidCodes: []string{"2", "15"}}, RoleNonIT},
		{"it_role_noun_beats_non_it_word", Posting{Title: "마케팅 데이터 분석가", JobMidCodes: it}, RoleDataAnalyst},
		{"qa_qc_is_not_software_qa", Posting{Title: "품질관리 QA/QC 담당", JobMidCodes: []string{"11"}}, RoleNonIT},
		{"korean_spacing", Posting{Title: "머신 러닝 엔지니어", JobMidCodes: it}, RoleMLEngineer},
		{"glued_korean", Posting{Title: "클라우드인프라엔지니어", JobMidCodes: it}, RoleDevOps},
		{"english_glued", Posting{Title: "Python개발자", JobMidCodes: it}, RoleBackend},
		{"names_ignored_outside_it", Posting{Title: "사원 모집", JobCodeNames: []string{"안드로이드"}, JobMidCodes: []string{"14"}}, RoleNonIT},
		{"fallback_it", Posting{Title: "사원 모집", JobMidCodes: []string{"16", "2"}}, RoleOtherIT},
		{"fallback_non_it", Posting{Title: "사원 모집", JobMidCodes: []string{"4"}}, RoleNonIT},
		{"no_category_names_count", Posting{Title: "채용", JobCodeNames: []string{"펌웨어"}}, RoleEmbedded},
		{"no_category_fallback", Posting{Title: "채용"}, RoleNonIT},
		{"every_role_mobile", Posting{Title: "iOS 개발자", JobMidCodes: it}, RoleMobile},
		{"every_role_embedded", Posting{Title: "펌웨어 엔지니어", JobMidCodes: it}, RoleEmbedded},
		{"every_role_qa", Posting{Title: "QA 엔지니어", JobMidCodes: it}, RoleQA},
		{"every_role_other_it", Posting{Title: "전산 관리자", JobMidCodes: it}, RoleOtherIT},
		{"every_role_data_analyst", Posting{Title: "Data Analyst", JobMidCodes: it}, RoleDataAnalyst},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, rule, _ := r.Explain(tc.p)
			if got != tc.want {
				t.Errorf("Classify(%q) = %s (rule %+v), want %s", tc.p.Title, got, rule, tc.want)
			}
		})
	}
}

func TestLoadRoles_reports_every_problem(t *testing.T) {
	t.Parallel()
	const header = "precedence,role,source,pattern,note\n"
	tests := []struct {
		name string
		csv  string
		want []string
	}{
		{"wrong_header", "precedence,role\n1,qa\n", []string{"header must be"}},
		{"bad_precedence", header + "x,qa,title,qa,\n", []string{"not an integer"}},
		{"unknown_role", header + "1,tester,title,qa,\n", []string{`role "tester"`}},
		{"unknown_source", header + "1,qa,body,qa,\n", []string{`source "body"`}},
		{"tie_between_roles", header + "1,qa,title,qa,\n1,backend,title,backend,\n", []string{"ties between roles"}},
		{"names_before_titles", header + "5,qa,name,qa,\n6,backend,title,backend,\n", []string{"title rules must all precede name rules"}},
		{"codes_before_names", header + "5,qa,code,99,\n6,backend,name,백엔드,\n", []string{"must all precede code rules"}},
		{"repeated_pattern", header + "1,qa,title,QA,\n2,backend,title,qa,\n", []string{"repeats line"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadRoles(fstest.MapFS{RolesFile: {Data: []byte(tc.csv)}})
			if err == nil {
				t.Fatal("LoadRoles succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestDefaultRoles_cover_every_role(t *testing.T) {
	t.Parallel()
	r := mustRoles(t)
	seen := map[string]bool{}
	for _, rule := range r.Rules() {
		seen[rule.Role] = true
	}
	for _, role := range RoleNames() {
		if !seen[role] && role != RoleOtherIT && role != RoleNonIT {
			t.Errorf("no rule for %s", role)
		}
	}
}
