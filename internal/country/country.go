// Package country is the whole country in Go, for tests: the embedded hierarchy with the
// illustrative CRTE perimeters, the SGPE file's regional objectives and the objectives
// derived from them by the rule of shares, built without a database in under a
// second. The rules of planning and hierarchy are checked on it country-wide, and the
// SQL computing the same things on a sample of it.
package country

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
)

// Objective is an objective of a territory: a candidate of the goal rules whose
// Objective is the objective's place in Country.Objectives, with lever and sector ids
// Country.LeverID and Country.SectorID give.
type Objective struct {
	Territory hierarchy.Key
	planning.Candidate[int]
	// From is the place of the region's objective a derived one was split from; -1 for a
	// region's own.
	From int
}

// Country is the whole country.
type Country struct {
	Graph *hierarchy.Graph
	// ByKey gives every territory.
	ByKey map[hierarchy.Key]*hierarchy.Territory
	// CRTE are the illustrative perimeters (data/fixtures/crte-illustrative.csv).
	CRTE []hierarchy.CRTEPerimeter
	// SGPE is the embedded SGPE file.
	SGPE *planning.SGPEFile
	// Objectives are the regions' own objectives of the SGPE file, then those derived from
	// them to the departments, CRTE and EPCI (planning.BreakdownLevels), as the imports
	// store them.
	Objectives []Objective
	// LeverID and SectorID number the SGPE file's levers (in its order) and the sectors
	// of the catalogue (in planning.Sectors' order) from 1.
	LeverID, SectorID map[string]int
	// Extensive tells the levers whose physical quantity adds up.
	Extensive map[int]bool

	within   map[hierarchy.Key][]planning.Within[hierarchy.Key]
	under    map[hierarchy.Key][]hierarchy.Link // ancestry rows by ancestor, without self rows
	coverMu  sync.Mutex
	covers   map[coverKey]*Cover
	objsOnce sync.Once
	byTerr   map[hierarchy.Key][]int
}

type coverKey struct {
	parent hierarchy.Key
	level  hierarchy.Level
}

var (
	once sync.Once
	the  *Country
	err  error
)

// Load returns the country, built once per process.
func Load() (*Country, error) {
	once.Do(func() { the, err = build() })
	return the, err
}

// CRTEFixture is the path of the illustrative CRTE file.
func CRTEFixture() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "data", "fixtures", "crte-illustrative.csv")
}

func build() (*Country, error) {
	src, err := data.Hierarchy()
	if err != nil {
		return nil, err
	}
	f, err := os.Open(CRTEFixture())
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := hierarchy.ParseCRTE(f)
	if err != nil {
		return nil, err
	}
	c := &Country{ByKey: map[hierarchy.Key]*hierarchy.Territory{}, covers: map[coverKey]*Cover{},
		within: map[hierarchy.Key][]planning.Within[hierarchy.Key]{}, under: map[hierarchy.Key][]hierarchy.Link{},
		LeverID: map[string]int{}, SectorID: map[string]int{}, Extensive: map[int]bool{}}
	// The fixture names its members, EPCI or communes, by SIREN.
	bySIREN := map[string]hierarchy.Key{}
	for _, e := range src.EPCIs {
		bySIREN[e.Code] = e.Key
	}
	for _, cm := range src.Communes {
		if cm.SIREN != "" {
			bySIREN[cm.SIREN] = hierarchy.Key{Level: hierarchy.Commune, Code: cm.Code}
		}
	}
	byCode := map[string]int{}
	for _, r := range rows {
		i, ok := byCode[r.ID]
		if !ok {
			i = len(c.CRTE)
			byCode[r.ID] = i
			c.CRTE = append(c.CRTE, hierarchy.CRTEPerimeter{Code: r.ID, Name: r.Name})
		}
		m, ok := bySIREN[r.SIREN]
		if !ok {
			return nil, fmt.Errorf("CRTE %s: unknown SIREN %s", r.ID, r.SIREN)
		}
		c.CRTE[i].Members = append(c.CRTE[i].Members, m)
	}
	src.CRTEs = c.CRTE
	if c.Graph, err = hierarchy.Build(src); err != nil {
		return nil, err
	}
	for i := range c.Graph.Territories {
		t := &c.Graph.Territories[i]
		c.ByKey[t.Key] = t
	}
	for _, l := range c.Graph.Ancestry {
		c.within[l.Child] = append(c.within[l.Child], planning.Within[hierarchy.Key]{Territory: l.Parent, Weight: l.Weight})
		if l.Child != l.Parent {
			c.under[l.Parent] = append(c.under[l.Parent], l)
		}
	}
	if c.SGPE, err = planning.ParseSGPE(data.SGPE(), planning.SGPERegionCodes(src.Regions)); err != nil {
		return nil, err
	}
	for i, s := range planning.Sectors {
		c.SectorID[s.Code] = i + 1
	}
	for i, l := range c.SGPE.Levers {
		c.LeverID[l.Code] = i + 1
		c.Extensive[i+1] = l.Extensive
	}
	if err := c.derive(); err != nil {
		return nil, err
	}
	return c, nil
}

// derive stores the regions' objectives and splits each over the region's departments,
// CRTE and EPCI, as the imports do.
func (c *Country) derive() error {
	unit := map[string]string{}
	sector := map[string]string{}
	for _, l := range c.SGPE.Levers {
		unit[l.Code], sector[l.Code] = l.PhysicalUnit, l.Sector
	}
	for _, o := range c.SGPE.Objectives {
		metrics, figures := o.Metrics(unit[o.Lever])
		for i, m := range metrics {
			c.Objectives = append(c.Objectives, Objective{Territory: hierarchy.Key{Level: hierarchy.Region, Code: o.RegionCode},
				Candidate: planning.Candidate[int]{Objective: len(c.Objectives), Lever: c.LeverID[o.Lever],
					Sector: c.SectorID[sector[o.Lever]], Metric: m, Figures: figures[i]}, From: -1})
		}
	}
	regional := len(c.Objectives)
	for _, o := range c.Objectives[:regional] {
		if !planning.Divisible(o.Metric, c.Extensive[o.Lever]) {
			continue
		}
		for _, lv := range planning.BreakdownLevels {
			cv := c.Cover(o.Territory, lv)
			if len(cv.Children) == 0 {
				continue
			}
			parts, err := planning.SplitGoal(o.Figures, cv.Weights())
			if err != nil {
				return fmt.Errorf("%s %d over %s: %w", o.Territory, o.Lever, lv, err)
			}
			for i, ch := range cv.Children {
				d := o
				d.Territory, d.From, d.Objective, d.Figures, d.Derived = ch.Key, o.Objective, len(c.Objectives), parts[i], true
				c.Objectives = append(c.Objectives, d)
			}
		}
	}
	return nil
}

// Within is the ancestry of a territory: the territories containing it, with the share
// of its population living in each, itself included.
func (c *Country) Within(k hierarchy.Key) []planning.Within[hierarchy.Key] { return c.within[k] }

// Cover is how the territories of one level lying in a parent cover it, children ordered
// by code, as the service reads it from the ancestries.
type Cover struct {
	hierarchy.Cover
	Children []*hierarchy.Territory
	// Weight is each child's share of its population living in the parent.
	Weight []float64
}

// Index is the place of a child, -1 when it is not one.
func (cv *Cover) Index(k hierarchy.Key) int {
	return slices.IndexFunc(cv.Children, func(t *hierarchy.Territory) bool { return t.Key == k })
}

// Cover is the cover of parent by its descendants of a level.
func (c *Country) Cover(parent hierarchy.Key, level hierarchy.Level) *Cover {
	c.coverMu.Lock()
	defer c.coverMu.Unlock()
	k := coverKey{parent, level}
	if cv := c.covers[k]; cv != nil {
		return cv
	}
	var links []hierarchy.Link
	for _, l := range c.under[parent] {
		if l.Child.Level == level {
			links = append(links, l)
		}
	}
	slices.SortFunc(links, func(a, b hierarchy.Link) int { return strings.Compare(a.Child.Code, b.Child.Code) })
	cv := &Cover{}
	inside := make([]int64, len(links))
	for i, l := range links {
		t := c.ByKey[l.Child]
		cv.Children = append(cv.Children, t)
		cv.Weight = append(cv.Weight, l.Weight)
		inside[i] = hierarchy.Inside(t.Population, l.Weight)
	}
	cv.Cover = hierarchy.NewCover(c.ByKey[parent].Population, inside)
	c.covers[k] = cv
	return cv
}

// Under lists the descendants of a territory of a level (every level for ""), with their
// weight in it.
func (c *Country) Under(parent hierarchy.Key, level hierarchy.Level) []hierarchy.Link {
	var out []hierarchy.Link
	for _, l := range c.under[parent] {
		if level == "" || l.Child.Level == level {
			out = append(out, l)
		}
	}
	return out
}

// ObjectivesOf are the objectives stored for a territory.
func (c *Country) ObjectivesOf(k hierarchy.Key) []Objective {
	c.objsOnce.Do(func() {
		c.byTerr = map[hierarchy.Key][]int{}
		for i, o := range c.Objectives {
			c.byTerr[o.Territory] = append(c.byTerr[o.Territory], i)
		}
	})
	out := make([]Objective, len(c.byTerr[k]))
	for i, j := range c.byTerr[k] {
		out[i] = c.Objectives[j]
	}
	return out
}

// Goals is what a territory is measured against, by the rules of planning: for the
// country its own (it has none here) else the sum of its regions' own; for a commune its
// own else its part of its department's; for any other its own else its derived ones.
// keep narrows the objectives read (nil: all), as a roll-up's filter does.
func (c *Country) Goals(k hierarchy.Key, keep func(Objective) bool) ([]planning.Goal[int], error) {
	cands := func(t hierarchy.Key) []planning.Candidate[int] {
		var out []planning.Candidate[int]
		for _, o := range c.ObjectivesOf(t) {
			if keep == nil || keep(o) {
				out = append(out, o.Candidate)
			}
		}
		return out
	}
	switch k.Level {
	case hierarchy.Country:
		var regions []planning.Candidate[int]
		for _, t := range c.Graph.Territories {
			if t.Level == hierarchy.Region {
				regions = append(regions, cands(t.Key)...)
			}
		}
		return planning.Goals(planning.CountryCandidates(cands(k), regions)), nil
	case hierarchy.Commune:
		var dep hierarchy.Key
		for _, w := range c.Within(k) {
			if w.Territory.Level == hierarchy.Department {
				dep = w.Territory
			}
		}
		cv := c.Cover(dep, hierarchy.Commune)
		split, err := planning.SplitGoals(planning.Goals(cands(dep)), cv.Weights())
		if err != nil {
			return nil, err
		}
		return planning.CommuneGoals(planning.Goals(cands(k)), split, cv.Index(k)), nil
	}
	return planning.Goals(cands(k)), nil
}
