package planning

// What roll-ups add up, and where: the rules the roll-up cells kept by writes
// (service/cells.go), the roll-ups read from the records (service/rollup.go) and the
// roadmap apply, and that the SQL computing them for speed is tested against.

// RecordKind tells actions from commitments in the roll-up cells.
type RecordKind string

// The kinds of records added up.
const (
	ActionRecord     RecordKind = "ACTION"
	CommitmentRecord RecordKind = "COMMITMENT"
)

// AllLevers is the lever of the cells that add up every lever of a sector, and AllSectors
// the sector of the cells (with AllLevers) that add up every sector: a roll-up filtered by
// sector reads tens of cells instead of thousands, one without filter a few per
// territory.
const (
	AllLevers  = -1
	AllSectors = -1
)

// Record is an action or a commitment as roll-ups see it: the territory carrying it, its
// sector and lever (0 for none), its status, its budget (actions) and its ktCO2e (the
// expected effect of an action, what a commitment commits to; 0 when not given). K
// identifies territories.
type Record[K comparable] struct {
	Kind           RecordKind
	Carrier        K
	Sector, Lever  int
	Status         string
	Budget, KtCO2e float64
}

// Within is a territory containing a record's carrier, and the share of the carrier's
// population living in it: one of the carrier's ancestry rows (weight 1 for the carrier
// itself and for every territory containing it whole).
type Within[K comparable] struct {
	Territory K
	Weight    float64
}

// Amount is what records add up to: how many there are, each counted whole, and their
// share, budget and ktCO2e, each weighted by the share of its carrier's population living
// in the territory added up into.
type Amount struct {
	Count                 int64
	Share, Budget, KtCO2e float64
}

// Add adds b to a.
func (a *Amount) Add(b Amount) {
	a.Count += b.Count
	a.Share += b.Share
	a.Budget += b.Budget
	a.KtCO2e += b.KtCO2e
}

// Weigh is what a record adds to a territory holding a share w of its carrier's
// population: one record, a share w, its budget and its ktCO2e times w. The arithmetic of
// every roll-up: since every weight derives from the populations of whole communes, a
// record is counted once whatever the level added up to (the regions add up to France).
func Weigh[K comparable](r Record[K], w float64) Amount {
	return Amount{Count: 1, Share: w, Budget: r.Budget * w, KtCO2e: r.KtCO2e * w}
}

// Cell is a roll-up cell: what the records of a kind and status, of a sector and lever,
// add up to in a territory. Sector and Lever are ids (0 for none), or AllSectors and
// AllLevers for the cells adding up every sector or every lever.
type Cell[K comparable] struct {
	Territory     K
	Kind          RecordKind
	Sector, Lever int
	Status        string
}

// CellAmount is what a record adds to one cell.
type CellAmount[K comparable] struct {
	Cell[K]
	Amount
}

// RecordCells is what a record adds to the roll-up cells: in every territory containing
// its carrier (in, the carrier's ancestry rows), to the cell of its sector and lever, to
// the cell of all levers of its sector, and to the cell of all sectors, of its kind and
// status, Weigh with the territory's share of the carrier each time.
func RecordCells[K comparable](r Record[K], in []Within[K]) []CellAmount[K] {
	out := make([]CellAmount[K], 0, 3*len(in))
	for _, a := range in {
		amount := Weigh(r, a.Weight)
		for _, sl := range [3][2]int{{r.Sector, r.Lever}, {r.Sector, AllLevers}, {AllSectors, AllLevers}} {
			out = append(out, CellAmount[K]{Cell: Cell[K]{Territory: a.Territory, Kind: r.Kind, Sector: sl[0], Lever: sl[1], Status: r.Status},
				Amount: amount})
		}
	}
	return out
}

// RollupCells adds records up into their cells (RecordCells), in the order of records:
// what the cells kept by writes hold. within gives the territories containing a carrier.
func RollupCells[K comparable](records []Record[K], within func(K) []Within[K]) map[Cell[K]]Amount {
	out := map[Cell[K]]Amount{}
	for _, r := range records {
		for _, c := range RecordCells(r, within(r.Carrier)) {
			a := out[c.Cell]
			a.Add(c.Amount)
			out[c.Cell] = a
		}
	}
	return out
}

// ReadsRecords is the rule of which roll-ups are read from the records themselves rather
// than from the roll-up cells: those filtered by a year (the actions running that year,
// RunsIn) or by carrier levels, which the cells do not keep. year tells whether a year is
// given; carrierLevels is the number of levels given (none: every level).
func ReadsRecords(year bool, carrierLevels int) bool {
	return year || carrierLevels > 0
}

// RunsIn tells whether an action from start to end (nil: not ended) runs in year, both
// ends included: what a roll-up filtered by year adds up.
func RunsIn(start int, end *int, year int) bool {
	return start <= year && (end == nil || *end >= year)
}
