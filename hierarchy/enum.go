package hierarchy

import (
	"io"
	"strconv"

	"github.com/cop-territoriales/cop-api/internal/enum"
)

// Values lists the levels; ent stores Level as an enum of these values, and GraphQL
// serves it as the TerritoryLevel enum: one definition for the domain, the database and
// the API.
func (Level) Values() []string {
	out := make([]string, len(Levels))
	for i, l := range Levels {
		out[i] = string(l)
	}
	return out
}

// String returns the level's value.
func (l Level) String() string { return string(l) }

// MarshalGQL writes the level as a GraphQL enum value.
func (l Level) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(l))) }

// UnmarshalGQL reads a GraphQL enum value.
func (l *Level) UnmarshalGQL(v any) error {
	return enum.Unmarshal(v, l, Level("").Values(), "TerritoryLevel")
}
