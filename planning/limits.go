package planning

import (
	"fmt"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

// Limits on what the API and the import files accept, in one place: the bounds table of
// docs/limits.md copies them. Each is far above any real value, so that it only stops mistakes
// and abuse: a text pasted many times over, a number typed with extra zeros, a file cut
// in transfer, a request built to exhaust the server. Lengths count characters (Unicode code
// points), not bytes. The hierarchy's own limits (CRTE names, codes, search words,
// excerpts of bad input, errors listed per file) are in hierarchy/limits.go.
const (
	// MaxTitleLength bounds the title of an action or a COP: a title is one line.
	MaxTitleLength = 200
	// MaxDescriptionLength bounds an action's description: about four pages of text.
	MaxDescriptionLength = 10_000
	// MaxNoteLength bounds a commitment's note: a paragraph or two.
	MaxNoteLength = 2_000
	// MaxNameLength bounds the name of an organisation or a COP participant; the longest
	// EPCI name has 59 characters.
	MaxNameLength = 200
	// MaxDocumentTitleLength bounds the title of a COP document; official titles are
	// long ("Feuille de route régionale de planification écologique ... 2024-2030").
	MaxDocumentTitleLength = 300
	// MaxURLLength bounds a link or a document's address: browsers and servers commonly
	// stop at about 2,000 characters.
	MaxURLLength = 2_000
	// MaxLinks bounds the links of an action.
	MaxLinks = 20
	// MaxFundingSources bounds the funding sources of an action, and
	// MaxFundingSourceLength each one ("Fonds vert", "DSIL", "Région Bretagne").
	MaxFundingSources      = 50
	MaxFundingSourceLength = 200
	// MaxCodeLength bounds a lever, sector or territory code read from a file or a
	// request: real codes have at most 16 characters (the SGPE's lever ids, such as
	// "augm_voitelec").
	MaxCodeLength = hierarchy.MaxCodeLength
	// MaxLeverNameLength bounds a lever's name in the SGPE file (at most 56 characters
	// there).
	MaxLeverNameLength = 200
	// MaxLeverCommentLength bounds a lever's comment (its Markdown description) in the
	// SGPE file (at most 971 characters there).
	MaxLeverCommentLength = 20_000
	// MaxUnitLength bounds a unit: the SGPE's longest physical unit has 102 characters.
	MaxUnitLength = 200
	// MaxSourceLength bounds an observation's source ("SDES, parc de véhicules au 1er
	// janvier 2024").
	MaxSourceLength = 300
)

// Ceilings on quantities. Every quantity is also finite: NaN and infinities are refused.
// With these ceilings no sum the API computes can overflow: a million actions at the
// largest budget add up to 1e18 euros, a float64 holds up to 1.8e308; and a broken-down
// objective, at most MaxSplitTotal, fits in millionths in an int64 (up to 9.2e18).
const (
	// MaxBudget is the largest budget of an action, in euros: a national programme is
	// about 1e11 euros (France 2030: 54e9), so 1e12 leaves a factor of ten.
	MaxBudget = 1e12
	// MaxKtCO2e is the largest quantity of emissions, in ktCO2e, of an action, a
	// commitment or an objective: France emits about 4e5 ktCO2e a year (367 MtCO2e in
	// 2024), so 1e6 is more than twice the whole country.
	MaxKtCO2e = 1e6
	// MaxPhysical is the largest physical quantity, in a lever's unit: the largest real
	// ones are counts in thousands (vehicles, dwellings) or hectares, far below 1e9.
	MaxPhysical = 1e9
	// MaxObservationValue bounds the absolute value of an observation: indicators are
	// counts, areas, emissions in tCO2e (France: about 4e8) or euros; 1e12 covers them
	// all.
	MaxObservationValue = 1e12
	// MaxSplitTotal bounds the total Split divides: in millionths it must fit in an int64
	// (9.2e18) with room for rounding; objectives are at most MaxPhysical.
	MaxSplitTotal = 1e12
)

// Limits on queries, enforced by the service layer: each bounds the SQL a single
// request can make the database run.
const (
	// MaxFilterTerms bounds the terms of a filter: every field predicate and every
	// and/or/not, counted over the whole tree. Fifty is more than any screen needs.
	MaxFilterTerms = 50
	// MaxInList bounds the values of an In or NotIn list (idIn, codeIn, ...), like the
	// largest page.
	MaxInList = 1_000
)

// CheckText refuses a text longer than max characters, not valid UTF-8 or holding a NUL
// character (U+0000), naming field and the limit in the error. It is hierarchy.CheckText,
// offered here for the texts of the planning records.
func CheckText(field, s string, max int) error { return hierarchy.CheckText(field, s, max) }

// CheckRequiredText is CheckText that also refuses an empty text or one of spaces only.
func CheckRequiredText(field, s string, max int) error {
	return hierarchy.CheckRequiredText(field, s, max)
}

// CheckCopTitle checks the optional title of a COP.
func CheckCopTitle(title string) error { return CheckText("title", title, MaxTitleLength) }

// CheckParticipant checks the organisation name of a COP participant.
func CheckParticipant(organisation string) error {
	return CheckRequiredText("organisation", organisation, MaxNameLength)
}

// CheckDocument checks a COP document: a title and an absolute http or https address.
func CheckDocument(title, url string) error {
	if err := CheckRequiredText("title", title, MaxDocumentTitleLength); err != nil {
		return err
	}
	return CheckLink(url)
}

// checkQuantity refuses a value that is not finite or lies outside [min, max], naming
// the field and the range; nil passes (the quantity is not given).
func checkQuantity(name string, v *float64, min, max float64) error {
	if v == nil || *v >= min && *v <= max { // false for NaN
		return nil
	}
	return fmt.Errorf("%s must be a finite amount from %g to %g, got %g", name, min, max, *v)
}
