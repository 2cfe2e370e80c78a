package planning

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

// Years accepted for actions and commitments.
const (
	MinYear = 2000
	MaxYear = 2100
)

// ActionFields are the checked fields of an action.
type ActionFields struct {
	Title                  string
	Description            string
	StartYear              int
	EndYear                *int
	Budget                 float64
	FundingSources         []string
	EffectKtCO2e, Physical *float64
	Links                  []string
	// LeverUnit is the physical unit of the action's lever; nil without a lever or unit.
	LeverUnit *string
	HasLever  bool
}

// CheckAction validates an action and returns every problem found: texts within their
// limits (see limits.go), years in range and in order, quantities finite, not negative
// and below their ceilings, a physical effect only with a lever that has a unit, and
// absolute http or https links.
func CheckAction(a ActionFields) error {
	errs := []error{
		CheckRequiredText("title", a.Title, MaxTitleLength),
		CheckText("description", a.Description, MaxDescriptionLength),
		checkList("fundingSources", a.FundingSources, MaxFundingSources, func(name, s string) error {
			return CheckRequiredText(name, s, MaxFundingSourceLength)
		}),
		checkList("links", a.Links, MaxLinks, func(name, s string) error {
			if err := CheckLink(s); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return nil
		}),
		checkYear("startYear", a.StartYear),
	}
	if a.EndYear != nil {
		errs = append(errs, checkYear("endYear", *a.EndYear))
		if *a.EndYear < a.StartYear {
			errs = append(errs, fmt.Errorf("endYear %d is before startYear %d", *a.EndYear, a.StartYear))
		}
	}
	errs = append(errs, checkQuantity("budget", &a.Budget, 0, MaxBudget),
		checkQuantity("effectKtco2e", a.EffectKtCO2e, 0, MaxKtCO2e),
		checkQuantity("effectPhysical", a.Physical, 0, MaxPhysical),
		physicalNeedsUnit("effectPhysical", a.Physical, a.HasLever, a.LeverUnit))
	return errors.Join(errs...)
}

// CommitmentFields are the checked fields of a commitment.
type CommitmentFields struct {
	KtCO2e, Physical *float64
	TargetYear       int
	Note             string
	LeverUnit        *string
	HasLever         bool
}

// CheckCommitment validates a commitment and returns every problem found.
func CheckCommitment(c CommitmentFields) error {
	errs := []error{checkYear("targetYear", c.TargetYear),
		checkQuantity("ktco2e", c.KtCO2e, 0, MaxKtCO2e), checkQuantity("physical", c.Physical, 0, MaxPhysical),
		physicalNeedsUnit("physical", c.Physical, c.HasLever, c.LeverUnit),
		CheckText("note", c.Note, MaxNoteLength)}
	if c.KtCO2e == nil && c.Physical == nil {
		errs = append(errs, errors.New("a commitment needs a quantity: ktco2e, physical or both"))
	}
	return errors.Join(errs...)
}

// CheckLink accepts absolute http and https addresses of at most MaxURLLength
// characters only: a link is shown to readers, who must not be sent to a script.
func CheckLink(s string) error {
	if err := CheckText("link", s, MaxURLLength); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("link %s is not an absolute http or https address", hierarchy.Excerpt(s))
	}
	return nil
}

// checkList checks the length of a list, then each entry with check, which is given
// the entry's name, field[i]. A list over its limit is refused whole, without checking
// its entries.
func checkList(field string, list []string, max int, check func(name, s string) error) error {
	if len(list) > max {
		return fmt.Errorf("%s has %d entries, at most %d", field, len(list), max)
	}
	var errs []error
	for i, s := range list {
		errs = append(errs, check(fmt.Sprintf("%s[%d]", field, i), s))
	}
	return errors.Join(errs...)
}

func checkYear(name string, y int) error {
	if y < MinYear || y > MaxYear {
		return fmt.Errorf("%s %d is out of range (%d to %d)", name, y, MinYear, MaxYear)
	}
	return nil
}

func physicalNeedsUnit(name string, v *float64, hasLever bool, unit *string) error {
	switch {
	case v == nil:
		return nil
	case !hasLever:
		return fmt.Errorf("%s needs a lever: it is in the lever's physical unit", name)
	case unit == nil:
		return fmt.Errorf("%s: the lever has no physical unit", name)
	}
	return nil
}
