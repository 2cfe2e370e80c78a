package main

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/partners"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
)

// TestDocumentedLimits checks the bounds table of docs/limits.md against the code: every
// bound the table names has the value the code enforces, and every bound listed here is in
// the table. A limit changed in the code without the page, or added without a row, fails.
func TestDocumentedLimits(t *testing.T) {
	limits := map[string]float64{
		"planning.MaxTitleLength":         planning.MaxTitleLength,
		"planning.MaxDescriptionLength":   planning.MaxDescriptionLength,
		"planning.MaxNoteLength":          planning.MaxNoteLength,
		"planning.MaxNameLength":          planning.MaxNameLength,
		"planning.MaxDocumentTitleLength": planning.MaxDocumentTitleLength,
		"planning.MaxURLLength":           planning.MaxURLLength,
		"planning.MaxLinks":               planning.MaxLinks,
		"planning.MaxFundingSources":      planning.MaxFundingSources,
		"planning.MaxFundingSourceLength": planning.MaxFundingSourceLength,
		"hierarchy.MaxCodeLength":         hierarchy.MaxCodeLength,
		"planning.MaxLeverNameLength":     planning.MaxLeverNameLength,
		"planning.MaxLeverCommentLength":  planning.MaxLeverCommentLength,
		"planning.MaxUnitLength":          planning.MaxUnitLength,
		"planning.MaxSourceLength":        planning.MaxSourceLength,
		"hierarchy.MaxCRTENameLength":     hierarchy.MaxCRTENameLength,
		"planning.MaxBudget":              planning.MaxBudget,
		"planning.MaxKtCO2e":              planning.MaxKtCO2e,
		"planning.MaxPhysical":            planning.MaxPhysical,
		"planning.MaxObservationValue":    planning.MaxObservationValue,
		"planning.MinYear":                planning.MinYear,
		"planning.MaxYear":                planning.MaxYear,
		"planning.MinObservationYear":     planning.MinObservationYear,
		"service.MinCopEdition":           service.MinCopEdition,
		"hierarchy.MaxSearchTextLength":   hierarchy.MaxSearchTextLength,
		"hierarchy.MaxSearchWords":        hierarchy.MaxSearchWords,
		"hierarchy.MaxSearchWordLength":   hierarchy.MaxSearchWordLength,
		"service.MaxSearchResults":        service.MaxSearchResults,
		"planning.MaxFilterTerms":         planning.MaxFilterTerms,
		"planning.MaxInList":              planning.MaxInList,
		"graph.MaxFilterTextLength":       graph.MaxFilterTextLength,
		"graph.MaxVariableValues":         graph.MaxVariableValues,
		"service.MaxPageSize":             service.MaxPageSize,
		"service.MaxRanked":               service.MaxRanked,
		"service.MaxCompared":             service.MaxCompared,
		"service.MaxIdempotencyKey":       service.MaxIdempotencyKey,
		"partners.MaxWebhooksPerKey":      partners.MaxWebhooksPerKey,
		"partners.MaxWebhookURL":          partners.MaxWebhookURL,
		"partners.MaxSubscriptions":       partners.MaxSubscriptions,
		"graph.MaxDepth":                  graph.MaxDepth,
		"graph.MaxFields":                 graph.MaxFields,
		"graph.MaxOperationNameLength":    graph.MaxOperationNameLength,
		"httpapi.MaxMetricSeries":         httpapi.MaxMetricSeries,
		"httpapi.MaxBodyBytes":            httpapi.MaxBodyBytes,
		"graph.MaxMessageLength":          graph.MaxMessageLength,
		"hierarchy.MaxReportedErrors":     hierarchy.MaxReportedErrors,

		// The bounds of the bulk exports (httpapi/exportlimit.go).
		"httpapi.ExportRowsPerToken":        httpapi.ExportRowsPerToken,
		"httpapi.DefaultExportsPerInstance": httpapi.DefaultExportsPerInstance,
		"httpapi.DefaultExportsPerClient":   httpapi.DefaultExportsPerClient,
	}
	page, err := os.ReadFile("../docs/limits.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(page), "| bound | value | constant |")
	if !ok {
		t.Fatal("docs/limits.md has no bounds table")
	}
	table, _, _ = strings.Cut(table, "\n\n")
	found := map[string]bool{}
	for _, row := range strings.Split(table, "\n") {
		cells := strings.Split(row, "|")
		if len(cells) != 5 || strings.HasPrefix(cells[1], "---") {
			continue
		}
		value, constants := cells[2], strings.Split(cells[3], ",")
		// A row naming two constants (a range) gives their values in order.
		rest := value
		for _, c := range constants {
			name := strings.Trim(strings.TrimSpace(c), "`")
			v, ok := limits[name]
			if !ok {
				t.Errorf("docs/limits.md's bounds table names %s, unknown to this test", name)
				continue
			}
			found[name] = true
			want := docNumber(name, v)
			i := strings.Index(rest, want)
			if i < 0 {
				t.Errorf("docs/limits.md: %s is %q, the code says %s", name, strings.TrimSpace(value), want)
				continue
			}
			rest = rest[i+len(want):]
		}
	}
	for name := range limits {
		if !found[name] {
			t.Errorf("docs/limits.md's bounds table has no row for %s", name)
		}
	}
}

// docNumber writes a limit as docs/limits.md does: 1e12 for the large powers of ten, else
// with commas between thousands (10,000), years as they are (2100).
func docNumber(name string, v float64) string {
	if e := math.Log10(v); v >= 1e6 && e == math.Trunc(e) {
		return fmt.Sprintf("1e%d", int(e))
	}
	s := fmt.Sprint(int64(v))
	if strings.Contains(name, "Year") || strings.Contains(name, "Edition") {
		return s // a year
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
