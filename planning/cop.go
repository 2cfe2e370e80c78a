package planning

// StepKind is one of the four steps of a COP, in order.
type StepKind string

// The steps of a COP, as the circular of 29 September 2023 lists them.
const (
	StepDiagnostic StepKind = "DIAGNOSTIC" // a shared diagnostic
	StepDebate     StepKind = "DEBATE"     // a debate on the efforts and actions
	StepBreakdown  StepKind = "BREAKDOWN"  // an indicative breakdown to departments and CRTE
	StepRoadmap    StepKind = "ROADMAP"    // the regional roadmap to 2030
)

// Steps lists the steps in order.
var Steps = []StepKind{StepDiagnostic, StepDebate, StepBreakdown, StepRoadmap}

// Values lists the steps; ent uses it to store StepKind as an enum.
func (StepKind) Values() []string {
	out := make([]string, len(Steps))
	for i, s := range Steps {
		out[i] = string(s)
	}
	return out
}
