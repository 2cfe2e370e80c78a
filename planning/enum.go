package planning

import (
	"io"
	"strconv"

	"github.com/cop-territoriales/cop-api/internal/enum"
)

// MarshalGQL writes the metric as a GraphQL enum value.
func (m Metric) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(m))) }

// UnmarshalGQL reads a GraphQL enum value.
func (m *Metric) UnmarshalGQL(v any) error {
	return enum.Unmarshal(v, m, Metric("").Values(), "Metric")
}

// MarshalGQL writes the step as a GraphQL enum value.
func (s StepKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *StepKind) UnmarshalGQL(v any) error {
	return enum.Unmarshal(v, s, StepKind("").Values(), "CopStepKind")
}

// MarshalGQL writes the diagnostic status as a GraphQL enum value.
func (s Status) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *Status) UnmarshalGQL(v any) error {
	return enum.Unmarshal(v, s, []string{string(Ahead), string(OnTrack), string(Late), string(NoData)}, "DiagnosticStatus")
}
