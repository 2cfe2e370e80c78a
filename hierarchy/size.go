package hierarchy

// The sizes of the hierarchy, as upper bounds: how many territories of a level a
// territory of another level can hold. The API prices what a query reads under a
// territory with them, before running it (a department's communes: hundreds; a region's:
// thousands). They are the largest counts of the 2026 COG rounded up (the largest region
// has 5,115 communes, Pas-de-Calais 887, an EPCI 158), with room for the CRTE, which the
// embedded data does not hold (about 850, mostly one to a few EPCI each); a test checks
// them against the loaded hierarchy.

// maxUnder[parent][level] bounds the descendants of a level; the "" entry bounds all of
// them.
var maxUnder = map[Level]map[Level]int{
	Country:    {Region: 18, Department: 101, CRTE: 1_000, EPCI: 1_300, Commune: 35_000, "": 38_000},
	Region:     {Department: 15, CRTE: 200, EPCI: 200, Commune: 5_200, "": 5_600},
	Department: {CRTE: 50, EPCI: 40, Commune: 900, "": 1_000},
	CRTE:       {EPCI: 40, Commune: 900, "": 950},
	EPCI:       {Commune: 200, "": 200},
	Commune:    {},
}

// maxChildren[parent][level] bounds the direct children (memberships) of a level.
var maxChildren = map[Level]map[Level]int{
	Country:    {Region: 18, "": 18},
	Region:     {Department: 15, "": 15},
	Department: {CRTE: 50, EPCI: 40, Commune: 900, "": 1_000},
	CRTE:       {EPCI: 40, Commune: 50, "": 60},
	EPCI:       {Commune: 200, "": 200},
	Commune:    {},
}

// MaxUnder bounds the territories of level (all levels when "") wholly or partly inside
// a territory of level parent; an unknown parent ("") counts as the country.
func MaxUnder(parent, level Level) int {
	if parent == "" || maxUnder[parent] == nil {
		parent = Country
	}
	return maxUnder[parent][level]
}

// MaxChildren bounds the direct children of level (all levels when "") of a territory of
// level parent; for an unknown parent ("") it is the largest over every level.
func MaxChildren(parent, level Level) int {
	if parent != "" && maxChildren[parent] != nil {
		return maxChildren[parent][level]
	}
	n := 0
	for _, m := range maxChildren {
		n = max(n, m[level])
	}
	return n
}
