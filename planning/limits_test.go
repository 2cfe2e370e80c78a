package planning

import (
	"math"
	"strings"
	"testing"
)

// checkErr fails unless err contains want, or is nil when want is empty.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("refused: %v", err)
	case want != "" && err == nil:
		t.Errorf("accepted, want an error containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("error %q does not contain %q", err, want)
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func TestCheckActionLimits(t *testing.T) {
	unit := "milliers de véhicules"
	valid := func() ActionFields {
		return ActionFields{Title: "Bornes de recharge", StartYear: 2024, HasLever: true, LeverUnit: &unit}
	}
	for _, tc := range []struct {
		name   string
		change func(*ActionFields)
		want   string // "" when accepted
	}{
		{"title of 200 characters", func(a *ActionFields) { a.Title = strings.Repeat("é", 200) }, ""},
		{"title of 201 characters", func(a *ActionFields) { a.Title = strings.Repeat("é", 201) }, "title has 201 characters, at most 200"},
		{"title of a million characters", func(a *ActionFields) { a.Title = strings.Repeat("x", 999700) }, "title has 999700 characters, at most 200"},
		{"title of spaces", func(a *ActionFields) { a.Title = "   " }, "title is required: it is empty or only spaces"},
		{"NUL in the title", func(a *ActionFields) { a.Title = "Bornes\x00" }, "title contains a NUL character (U+0000)"},
		{"description of 10,000 characters", func(a *ActionFields) { a.Description = strings.Repeat("d", 10_000) }, ""},
		{"description of 10,001 characters", func(a *ActionFields) { a.Description = strings.Repeat("d", 10_001) }, "description has 10001 characters, at most 10000"},
		{"NUL in the description", func(a *ActionFields) { a.Description = "\x00" }, "description contains a NUL character"},
		{"50 funding sources", func(a *ActionFields) { a.FundingSources = repeat("Fonds vert", 50) }, ""},
		{"51 funding sources", func(a *ActionFields) { a.FundingSources = repeat("Fonds vert", 51) }, "fundingSources has 51 entries, at most 50"},
		{"a funding source of 201 characters", func(a *ActionFields) { a.FundingSources = []string{"DSIL", strings.Repeat("f", 201)} }, "fundingSources[1] has 201 characters, at most 200"},
		{"an empty funding source", func(a *ActionFields) { a.FundingSources = []string{""} }, "fundingSources[0] is required"},
		{"20 links", func(a *ActionFields) { a.Links = repeat("https://example.org/", 20) }, ""},
		{"21 links", func(a *ActionFields) { a.Links = repeat("https://example.org/", 21) }, "links has 21 entries, at most 20"},
		{"link of 2,000 characters", func(a *ActionFields) { a.Links = []string{"https://example.org/" + strings.Repeat("a", 1980)} }, ""},
		{"link of 2,001 characters", func(a *ActionFields) { a.Links = []string{"https://example.org/" + strings.Repeat("a", 1981)} }, "links[0]: link has 2001 characters, at most 2000"},
		{"script link", func(a *ActionFields) { a.Links = []string{"https://example.org/", "javascript:alert(1)"} }, `links[1]: link "javascript:alert(1)" is not an absolute http or https address`},
		{"budget at the ceiling", func(a *ActionFields) { a.Budget = 1e12 }, ""},
		{"budget over the ceiling", func(a *ActionFields) { a.Budget = 1.5e12 }, "budget must be a finite amount from 0 to 1e+12, got 1.5e+12"},
		{"infinite budget", func(a *ActionFields) { a.Budget = math.Inf(1) }, "budget must be a finite amount from 0 to 1e+12, got +Inf"},
		{"NaN budget", func(a *ActionFields) { a.Budget = math.NaN() }, "budget must be a finite amount from 0 to 1e+12, got NaN"},
		{"negative budget", func(a *ActionFields) { a.Budget = -1 }, "budget must be a finite amount from 0 to 1e+12, got -1"},
		{"effect at the ceiling", func(a *ActionFields) { a.EffectKtCO2e = f(1e6) }, ""},
		{"effect over the ceiling", func(a *ActionFields) { a.EffectKtCO2e = f(1e6 + 1) }, "effectKtco2e must be a finite amount from 0 to 1e+06, got 1.000001e+06"},
		{"physical effect at the ceiling", func(a *ActionFields) { a.Physical = f(1e9) }, ""},
		{"physical effect over the ceiling", func(a *ActionFields) { a.Physical = f(2e9) }, "effectPhysical must be a finite amount from 0 to 1e+09, got 2e+09"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := valid()
			tc.change(&a)
			checkErr(t, CheckAction(a), tc.want)
		})
	}
}

func TestCheckCommitmentLimits(t *testing.T) {
	unit := "milliers de véhicules"
	for _, tc := range []struct {
		name string
		c    CommitmentFields
		want string
	}{
		{"emissions at the ceiling", CommitmentFields{KtCO2e: f(1e6), TargetYear: 2030}, ""},
		{"emissions over the ceiling", CommitmentFields{KtCO2e: f(4e8), TargetYear: 2030}, "ktco2e must be a finite amount from 0 to 1e+06, got 4e+08"},
		{"infinite emissions", CommitmentFields{KtCO2e: f(math.Inf(1)), TargetYear: 2030}, "ktco2e must be a finite amount"},
		{"physical at the ceiling", CommitmentFields{Physical: f(1e9), TargetYear: 2030, HasLever: true, LeverUnit: &unit}, ""},
		{"physical over the ceiling", CommitmentFields{Physical: f(1e10), TargetYear: 2030, HasLever: true, LeverUnit: &unit}, "physical must be a finite amount from 0 to 1e+09, got 1e+10"},
		{"note of 2,000 characters", CommitmentFields{KtCO2e: f(1), TargetYear: 2030, Note: strings.Repeat("n", 2000)}, ""},
		{"note of 2,001 characters", CommitmentFields{KtCO2e: f(1), TargetYear: 2030, Note: strings.Repeat("n", 2001)}, "note has 2001 characters, at most 2000"},
		{"NUL in the note", CommitmentFields{KtCO2e: f(1), TargetYear: 2030, Note: "a\x00"}, "note contains a NUL character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, CheckCommitment(tc.c), tc.want)
		})
	}
}

func TestCheckCopTexts(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"no COP title", CheckCopTitle(""), ""},
		{"COP title of 200 characters", CheckCopTitle(strings.Repeat("t", 200)), ""},
		{"COP title of 201 characters", CheckCopTitle(strings.Repeat("t", 201)), "title has 201 characters, at most 200"},
		{"participant", CheckParticipant("Rennes Métropole"), ""},
		{"participant of spaces", CheckParticipant("  "), "organisation is required"},
		{"participant of 201 characters", CheckParticipant(strings.Repeat("o", 201)), "organisation has 201 characters, at most 200"},
		{"document", CheckDocument("Feuille de route", "https://example.org/fdr.pdf"), ""},
		{"document title of 300 characters", CheckDocument(strings.Repeat("t", 300), "https://example.org/"), ""},
		{"document title of 301 characters", CheckDocument(strings.Repeat("t", 301), "https://example.org/"), "title has 301 characters, at most 300"},
		{"document without title", CheckDocument("", "https://example.org/"), "title is required"},
		{"document address", CheckDocument("Feuille de route", "file:///etc/passwd"), `link "file:///etc/passwd" is not an absolute http`},
		{"long bad address is quoted short", CheckLink("ftp://" + strings.Repeat("a", 1900)), `link "ftp://` + strings.Repeat("a", 34) + `"… is not`},
		{"NUL in an address", CheckLink("https://example.org/\x00"), "link contains a NUL character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkErr(t, tc.err, tc.want)
		})
	}
}

// TestSumsAtTheCeilingsStayFinite checks the arithmetic the ceilings allow: a million
// actions at the largest budget, and a million commitments at the largest quantity of
// emissions, added up in float64 and, for a breakdown, in millionths in an int64.
func TestSumsAtTheCeilingsStayFinite(t *testing.T) {
	var budget, kt float64
	for range 1_000_000 {
		budget += MaxBudget
		kt += MaxKtCO2e
	}
	if math.IsInf(budget, 0) || budget != 1e18 {
		t.Errorf("a million budgets of %g add up to %g, want 1e18", float64(MaxBudget), budget)
	}
	if math.IsInf(kt, 0) || kt != 1e12 {
		t.Errorf("a million commitments of %g ktCO2e add up to %g, want 1e12", float64(MaxKtCO2e), kt)
	}
	if ToMicro(MaxSplitTotal) != MaxSplitTotal*Precision || ToMicro(-MaxSplitTotal) != -MaxSplitTotal*Precision {
		t.Errorf("ToMicro(±%g) = %d: does not fit in an int64", float64(MaxSplitTotal), ToMicro(MaxSplitTotal))
	}
	if float64(MaxPhysical) > MaxSplitTotal || float64(MaxKtCO2e) > MaxSplitTotal {
		t.Error("an objective at the ceiling could not be split")
	}
	parts, err := Split(MaxSplitTotal, []float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if parts[0]+parts[1]+parts[2] != ToMicro(MaxSplitTotal) {
		t.Errorf("parts %v do not add up to %d", parts, ToMicro(MaxSplitTotal))
	}
}
