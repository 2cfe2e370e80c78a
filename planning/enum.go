package planning

import (
	"fmt"
	"io"
	"slices"
	"strconv"
)

// MarshalGQL writes the metric as a GraphQL enum value.
func (m Metric) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(m))) }

// UnmarshalGQL reads a GraphQL enum value.
func (m *Metric) UnmarshalGQL(v any) error { return unmarshalEnum(v, m, Metric("").Values(), "Metric") }

// MarshalGQL writes the step as a GraphQL enum value.
func (s StepKind) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *StepKind) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, StepKind("").Values(), "CopStepKind")
}

func unmarshalEnum[T ~string](v any, dst *T, values []string, name string) error {
	s, ok := v.(string)
	if !ok || !slices.Contains(values, s) {
		return fmt.Errorf("%v is not a valid %s", v, name)
	}
	*dst = T(s)
	return nil
}

// MarshalGQL writes the diagnostic status as a GraphQL enum value.
func (s Status) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *Status) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, s, []string{string(Ahead), string(OnTrack), string(Late), string(NoData)}, "DiagnosticStatus")
}
