package hierarchy

import (
	"slices"
	"testing"
)

func TestSearchWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Île-de-France", []string{"ile", "de", "france"}},
		{"Saint-Malo", []string{"st", "malo"}},
		{"st malo", []string{"st", "malo"}},
		{"Sainte-Hélène", []string{"ste", "helene"}},
		{"L'Haÿ-les-Roses", []string{"l", "hay", "les", "roses"}},
		{"Œuilly", []string{"oeuilly"}},
		{"  RENNES   Métropole ", []string{"rennes", "metropole"}},
		{"CC Côte d'Émeraude", []string{"cc", "cote", "d", "emeraude"}},
		{"2A004", []string{"2a004"}},
		{"", nil},
		{"--", nil},
	} {
		if got := SearchWords(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("SearchWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got, want := SearchKey("Saint-Malo"), " st malo"; got != want {
		t.Errorf("SearchKey = %q, want %q", got, want)
	}
}
