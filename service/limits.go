package service

import "github.com/cop-territoriales/cop-api/planning"

// COP editions: the first COP was held in 2023 (circular of 29 September 2023).
const (
	MinCopEdition = 2023
	MaxCopEdition = planning.MaxYear
)

// checkEdition refuses a COP edition out of range; nil passes.
func checkEdition(field string, e *int) error {
	if e != nil && (*e < MinCopEdition || *e > MaxCopEdition) {
		return badInput("%s %d is out of range (%d to %d)", field, *e, MinCopEdition, MaxCopEdition)
	}
	return nil
}
