package access

import (
	"io"
	"strconv"

	"github.com/cop-territoriales/cop-api/internal/enum"
)

// CommitmentStatus is where a commitment stands in its life cycle. ent stores it as an
// enum of its Values and GraphQL serves it as the CommitmentStatus enum: one definition.
type CommitmentStatus string

// Values lists the commitment statuses in life-cycle order.
func (CommitmentStatus) Values() []string {
	return []string{string(Draft), string(Submitted), string(Adopted), string(Withdrawn)}
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s CommitmentStatus) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *CommitmentStatus) UnmarshalGQL(v any) error {
	return enum.Unmarshal(v, s, CommitmentStatus("").Values(), "CommitmentStatus")
}

// Values lists the roles; ent stores Role as an enum of these values.
func (Role) Values() []string {
	return []string{string(Reader), string(Contributor), string(Coordinator), string(Admin)}
}

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value.
func (r *Role) UnmarshalGQL(v any) error { return enum.Unmarshal(v, r, Role("").Values(), "Role") }
