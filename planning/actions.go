package planning

import (
	"errors"
	"fmt"
	"math"
	"net/url"
)

// Years accepted for actions and commitments.
const (
	MinYear = 2000
	MaxYear = 2100
)

// ActionFields are the checked fields of an action.
type ActionFields struct {
	Title                  string
	StartYear              int
	EndYear                *int
	Budget                 float64
	EffectKtCO2e, Physical *float64
	Links                  []string
	// LeverUnit is the physical unit of the action's lever; nil without a lever or unit.
	LeverUnit *string
	HasLever  bool
}

// CheckAction validates an action and returns every problem found.
func CheckAction(a ActionFields) error {
	var errs []error
	if a.Title == "" {
		errs = append(errs, errors.New("title is required"))
	}
	errs = append(errs, checkYear("startYear", a.StartYear))
	if a.EndYear != nil {
		errs = append(errs, checkYear("endYear", *a.EndYear))
		if *a.EndYear < a.StartYear {
			errs = append(errs, fmt.Errorf("endYear %d is before startYear %d", *a.EndYear, a.StartYear))
		}
	}
	errs = append(errs, notNegative("budget", &a.Budget), notNegative("effectKtco2e", a.EffectKtCO2e),
		notNegative("effectPhysical", a.Physical), physicalNeedsUnit("effectPhysical", a.Physical, a.HasLever, a.LeverUnit))
	for _, l := range a.Links {
		errs = append(errs, CheckLink(l))
	}
	return errors.Join(errs...)
}

// CommitmentFields are the checked fields of a commitment.
type CommitmentFields struct {
	KtCO2e, Physical *float64
	TargetYear       int
	LeverUnit        *string
	HasLever         bool
}

// CheckCommitment validates a commitment and returns every problem found.
func CheckCommitment(c CommitmentFields) error {
	errs := []error{checkYear("targetYear", c.TargetYear), notNegative("ktco2e", c.KtCO2e),
		notNegative("physical", c.Physical), physicalNeedsUnit("physical", c.Physical, c.HasLever, c.LeverUnit)}
	if c.KtCO2e == nil && c.Physical == nil {
		errs = append(errs, errors.New("a commitment needs a quantity: ktco2e, physical or both"))
	}
	return errors.Join(errs...)
}

// CheckLink accepts absolute http and https addresses only.
func CheckLink(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("link %q is not an absolute http or https address", s)
	}
	return nil
}

func checkYear(name string, y int) error {
	if y < MinYear || y > MaxYear {
		return fmt.Errorf("%s %d is out of range (%d to %d)", name, y, MinYear, MaxYear)
	}
	return nil
}

func notNegative(name string, v *float64) error {
	if v == nil {
		return nil
	}
	if math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0 {
		return fmt.Errorf("%s must be a finite amount not below 0, got %v", name, *v)
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
