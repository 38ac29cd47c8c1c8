// Package skills finds the tech skills a job posting names and gives every posting
// one primary role. Both are driven by seed tables under sql/meta, which also load into
// the warehouse as meta.skills and meta.roles.
//
// # The skill dictionary (sql/meta/skills.csv)
//
// Columns: skill, category, aliases, requires_context, contexts.
//
//   - skill: the canonical name, one spelling per skill ("Spring Boot", "PostgreSQL",
//     "Kafka" rather than "Apache Kafka"). Match reports this name.
//   - category: one of a fixed set. A skill goes to the most specific domain that
//     fits (React is frontend, not library; PyTorch is ml):
//     language (programming and query languages), framework (server-side and
//     general application frameworks, runtimes, game engines), library (libraries and
//     ORMs outside the domains below), database (DBMS and data stores), cloud (cloud
//     platforms and managed services), data (data engineering and analytics tools and
//     techniques: Spark, Airflow, Tableau, ETL, statistics), ml (ML/AI techniques and
//     frameworks), devops (CI/CD, containers, IaC, monitoring, web and application
//     servers, virtualization, messaging middleware, networking), mobile, frontend,
//     tool (developer, office and design tools), security, os, embedded, methodology
//     (processes and architecture styles: Agile, TDD, MSA, REST).
//   - aliases: other spellings, English and Korean, separated by '|'
//     (쿠버네티스|k8s for Kubernetes). An alias always means the skill unless it is
//     written with a leading '?', which marks it ambiguous (?JS, ?노드, ?스프링).
//   - requires_context: true when the canonical name itself is ambiguous (R, C, Go,
//     Swift, SAS, CAN). Unambiguous spellings of such skills are plain aliases
//     (Golang, Go언어, R언어, C언어).
//   - contexts: where the ambiguous forms may match, '|'-separated; at least one must
//     hold and no negated one may. Contexts are plain words, never regular expressions.
//
// The contexts:
//
//   - item: the form is a whole item of a list, between the start or end of a text,
//     the separators , / | ; : - · (opening brackets before it, closing brackets
//     after it) or the list words 및, 또는, 등, and, or; spaces are ignored. "Python, R",
//     "R/Python", "(Go)", "Backend - Go" and a job-code name "R" are items; "R&D",
//     "React" and "Go!" are not.
//   - next:W: W follows directly, spaces allowed ("Go 개발자", "R 우대").
//   - prev:W: W comes directly before.
//   - near:W: some text of the posting contains W as a word (Swift near iOS, Oracle near
//     SQL, Hive near Hadoop).
//   - !next:W, !prev:W, !near:W: the form never matches there (C before the "/S" of
//     C/S, Swift near 외환).
//
// The version of the dictionary is Version(): the revision of the matching rules in
// this package and a hash of the file, so any edit to the CSV yields a new version.
//
// # Matching
//
// Texts and dictionary forms are normalized alike: ASCII lower-cased, full-width
// letters folded, HTML entities unescaped, spaces collapsed, middle dots unified, and
// a hyphen or underscore between two words read as a space ("spring-boot" is "spring
// boot"); a form with spaces also matches without them ("springboot"). One
// Aho–Corasick automaton (compiled to a DFA over byte classes) holds every form and
// context word, so a posting is scanned once whatever the dictionary size.
//
// An occurrence counts only on token boundaries: no ASCII letter or digit before it;
// after it no ASCII letter when it ends in a letter (Python3, HTML5 and Vue3 still
// match) and no letter or digit when it ends in a digit. Hangul is a boundary next to
// English ("Python개발자", "신입Java"), and a Korean form may be followed by Hangul
// (particles and suffixes: "파이썬개발"), but not preceded by it: 러스트 inside 일러스트
// is not Rust, 하이브 inside 게임하이브 is not Hive.
//
// Among the surviving occurrences of one text, the leftmost-longest win and do not
// overlap: "Spring Boot" is Spring Boot and not also Spring, "Apache Kafka" is Kafka and
// not also the Apache HTTP server, "JavaScript" is not also Java, "C++" is not C.
// Match returns each skill once, sorted by name.
//
// # Roles (sql/meta/roles.csv)
//
// Columns: precedence, role, source, pattern, note. Every posting gets exactly one of
// RoleNames(): the role of the matching rule with the lowest precedence. Sources:
// title (a phrase in the title, with the boundaries above except that Korean phrases
// may follow Hangul, since titles glue nouns: 클라우드인프라; the title is also read
// without spaces so "머신 러닝 엔지니어" meets 머신러닝 엔지니어), name (a whole keyword
// or job-code name) and code (a job code). A pattern "a&&b" needs every part
// (프론트엔드&&백엔드 is fullstack).
//
// The stated precedence, which LoadRoles enforces:
//
//  1. Title rules beat job-code-name rules, which beat job-code rules: job-code names
//     are a noisy bag (백엔드/서버개발 is attached to repair and monitoring jobs).
//  2. Among title rules, role nouns (데이터 엔지니어, Backend) come first, most
//     specific role first: data_scientist, ml_engineer, data_engineer, data_analyst,
//     security, embedded, mobile, qa, fullstack, frontend, backend, devops, other_it
//     (IT administration, support, PM, consulting), then non_it occupations (디자이너,
//     마케팅, 영업…), which beat names but not IT role nouns. Domain words without a role
//     noun (머신러닝, 빅데이터, 클라우드, Java) follow in the same role order.
//  3. Name and code rules count only for postings in job category 2 (IT개발·데이터) or
//     with no category.
//  4. No rule: other_it for a posting whose job-mid codes include 2, else non_it.
//
// Ties in precedence between different roles are rejected at load time. Job codes
// are used as confirmed by their names in real responses: 82 데이터분석가, 83
// 데이터엔지니어, 84 백엔드/서버개발, 92 프론트엔드 and a few more; the reference's
// "87 데이터엔지니어" is not used, since real responses carry 87 with 웹개발.
package skills
