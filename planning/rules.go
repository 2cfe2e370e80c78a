package planning

// PreferOwn is the one rule for what a territory is measured against: its own objectives
// for an indicator and metric when it has some, else those derived to it from the larger
// territories it lies in (one per region for a grouping that straddles two). The
// objectives kept are summed by the caller: imports keep at most one own objective per
// territory, indicator, metric and source, so a sum of own ones never counts twice.
func PreferOwn[T any](all []T, derived func(T) bool) []T {
	own := 0
	for _, o := range all {
		if !derived(o) {
			own++
		}
	}
	if own == 0 || own == len(all) {
		return all // all derived, or all own: every one is kept, as given
	}
	kept := make([]T, 0, own)
	for _, o := range all {
		if !derived(o) {
			kept = append(kept, o)
		}
	}
	return kept
}

// Coverage is the share of an objective met by adopted commitments (nil when the
// objective is not positive) and the gap left, never below 0: the one formula of every
// roll-up, roadmap and ranking. The gap is a difference of sums of objectives and
// commitments, made in nano-units (SumUnits) so that it writes without float noise.
func Coverage(objective, adopted float64) (coverage *float64, gap float64) {
	gap = FromSumUnits(max(0, SumUnits(objective)-SumUnits(adopted)))
	if objective > 0 {
		c := adopted / objective
		coverage = &c
	}
	return coverage, gap
}

// SectorRank orders sectors as the catalogue lists them (the national inventory's order,
// subdivisions after their sector); unknown codes come last.
func SectorRank(code string) int {
	for i, s := range Sectors {
		if s.Code == code {
			return i
		}
	}
	return len(Sectors)
}
