// Package enum reads GraphQL enum values into the string types of the domain packages
// (hierarchy, planning, access), whose UnmarshalGQL methods share it.
package enum

import (
	"fmt"
	"slices"
)

// Unmarshal sets *dst to v when v is a string among values; otherwise it returns the error
// "<v> is not a valid <name>", name being the GraphQL enum type.
func Unmarshal[T ~string](v any, dst *T, values []string, name string) error {
	s, ok := v.(string)
	if !ok || !slices.Contains(values, s) {
		return fmt.Errorf("%v is not a valid %s", v, name)
	}
	*dst = T(s)
	return nil
}
