package normalize

import (
	"fmt"

	"github.com/jobpulse/jobpulse/internal/skills"
)

// classifier adds the skills and the primary role to clean rows. Doing it here, in Go,
// gives DuckDB and BigQuery the same answer from the same dictionary version.
type classifier struct {
	dict    *skills.Dictionary
	roles   *skills.Roles
	version string
}

func defaultClassifier() (*classifier, error) {
	dict, err := skills.Default()
	if err != nil {
		return nil, fmt.Errorf("load the skill dictionary: %w", err)
	}
	roles, err := skills.DefaultRoles()
	if err != nil {
		return nil, fmt.Errorf("load the role rules: %w", err)
	}
	return &classifier{dict: dict, roles: roles, version: dict.Version() + "/" + roles.Version()}, nil
}

func (c *classifier) enrich(row *SaraminRow) {
	title := ""
	if row.Title != nil {
		title = *row.Title
	}
	texts := make([]string, 0, 1+len(row.Keywords)+len(row.JobCodeNames))
	texts = append(append(append(texts, title), row.Keywords...), row.JobCodeNames...)
	for _, m := range c.dict.Match(texts...) {
		row.Skills = append(row.Skills, m.Skill)
	}
	role := c.roles.Classify(skills.Posting{Title: title, Keywords: row.Keywords, JobCodes: row.JobCodes, JobCodeNames: row.JobCodeNames, JobMidCodes: row.JobMidCodes})
	row.Role = &role
	row.SkillsVersion = &c.version
}
