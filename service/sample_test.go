package service_test

import (
	"context"
	"slices"
	"testing"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/data"
	"github.com/cop-territoriales/cop-api/ent"
	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/internal/country"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/ops"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// The sample: what the SQL computing a rule for speed is checked on against the rule's
// Go function, on both databases. The rules themselves are checked on the whole country
// in Go (planning/country_test.go, hierarchy/country_test.go); the sample holds the
// cases that tell the SQL apart: own objectives in place of derived ones, the country's
// own in place of its regions', a territory in two regions, a CRTE, a commune, a sector
// filter, records carried at every level.

// The regions and levers of the sample's SGPE objectives: Bretagne, where the
// illustrative CRTE are, and Pays de la Loire, which the CA Redon Agglomération and its
// CRTE straddle; Grand Est; Île-de-France and the Métropole du Grand Paris over six
// departments. Levers of transport of people and of goods (a sector and its
// subdivisions), extensive and not, without physical unit, of the residential sector
// and of industry.
var (
	sampleRegions = []string{"53", "52", "44", "11"}
	sampleLevers  = []string{"augm_voitelec", "reduc_consovp", "augm_fret", "reduc_rconso", "co2_voitelec", "co2_indus"}
)

// sampleKeys are the territories the checks read: of every level, inside the sample's
// regions and outside (Guyane has no objective).
var sampleKeys = []hierarchy.Key{
	{Level: hierarchy.Country, Code: "FR"},
	{Level: hierarchy.Region, Code: "53"}, {Level: hierarchy.Region, Code: "52"}, {Level: hierarchy.Region, Code: "44"},
	{Level: hierarchy.Region, Code: "11"}, {Level: hierarchy.Region, Code: "03"},
	{Level: hierarchy.Department, Code: "35"}, {Level: hierarchy.Department, Code: "44"}, {Level: hierarchy.Department, Code: "67"},
	{Level: hierarchy.Department, Code: "75"}, {Level: hierarchy.Department, Code: "973"},
	{Level: hierarchy.CRTE, Code: "crte-illustratif-01"}, // Rennes Métropole
	{Level: hierarchy.CRTE, Code: "crte-illustratif-03"}, // the CA Redon Agglomération, in two regions
	{Level: hierarchy.CRTE, Code: "crte-illustratif-04"}, // an EPCI and a commune
	{Level: hierarchy.EPCI, Code: "243500139"},           // Rennes Métropole, in a CRTE
	{Level: hierarchy.EPCI, Code: "243500741"},           // CA Redon Agglomération, in Bretagne and Pays de la Loire
	{Level: hierarchy.EPCI, Code: "200054781"},           // Métropole du Grand Paris, over six departments
	{Level: hierarchy.EPCI, Code: "200070332"},           // in Grand Est and Bourgogne-Franche-Comté, which has no objective here
	{Level: hierarchy.Commune, Code: "35238"},            // Rennes
	{Level: hierarchy.Commune, Code: "44123"},            // a commune of the CA Redon Agglomération in Loire-Atlantique
	{Level: hierarchy.Commune, Code: "75056"},            // Paris
	{Level: hierarchy.Commune, Code: "97302"},            // Cayenne
}

type sample struct {
	db  *store.DB
	svc *service.Service
	c   *country.Country
	// byKey holds the sample's territories.
	byKey map[hierarchy.Key]*ent.Territory
	// levers and sectors give ids by code.
	levers, sectors map[string]int
}

// newSample builds the sample database: a loaded one (the hierarchy and the catalogue)
// with the illustrative CRTE written from the Go graph, the sample's SGPE objectives with
// their breakdowns and the national figures; and, with records, synthetic actions and
// commitments over the whole hierarchy, and a few more carried by France, a CRTE and a
// commune, one of them adopted and due in 2027. About a second, where a planned database with the CRTE file imported takes
// ten.
func newSample(t *testing.T, dialect string, records bool) *sample {
	t.Helper()
	ctx := context.Background()
	c, err := country.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := testdb.Loaded(t, dialect)
	s := &sample{db: db, svc: service.New(db.Client), c: c, byKey: map[hierarchy.Key]*ent.Territory{},
		levers: map[string]int{}, sectors: map[string]int{}}
	if err := s.svc.PutCRTE(ctx, c.Graph); err != nil {
		t.Fatal(err)
	}
	f := *c.SGPE
	f.Levers, f.Objectives = nil, nil
	for _, l := range c.SGPE.Levers {
		if slices.Contains(sampleLevers, l.Code) {
			f.Levers = append(f.Levers, l)
		}
	}
	for _, o := range c.SGPE.Objectives {
		if slices.Contains(sampleLevers, o.Lever) && slices.Contains(sampleRegions, o.RegionCode) {
			f.Objectives = append(f.Objectives, o)
		}
	}
	if _, err := s.svc.ImportSGPE(ctx, &f); err != nil {
		t.Fatal(err)
	}
	national, err := planning.ParseNational(data.National())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.ImportNational(ctx, national); err != nil {
		t.Fatal(err)
	}
	for _, k := range sampleKeys {
		s.byKey[k] = get(t, db.Client, k.Level, k.Code)
	}
	ls, err := db.Client.Lever.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		s.levers[l.Code] = l.ID
	}
	ss, err := db.Client.Sector.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ss {
		s.sectors[x.Code] = x.ID
	}
	if records {
		if err := ops.SeedDemo(ctx, db.Client, ops.DemoSize{Actions: 1500, Commitments: 800, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		// Carriers the synthetic records leave out: France, a CRTE in two regions; and a
		// record without sector.
		ctx := testdb.AsAdmin(ctx)
		title, start, end, budget, kt := "Test", 2024, 2026, 2500.5, 1.25
		transports, lever := "transports", "augm_voitelec"
		for _, a := range []service.ActionInput{
			{Territory: testdb.Key(hierarchy.Country, "FR"), Sector: &transports},
			{Territory: testdb.Key(hierarchy.CRTE, "crte-illustratif-03"), Lever: &lever, EndYear: &end},
			{Territory: testdb.Key(hierarchy.Commune, "35238")},
		} {
			a.Title, a.StartYear, a.Budget, a.EffectKtco2e = &title, &start, &budget, &kt
			if _, err := s.svc.CreateAction(ctx, a, nil); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.svc.CreateCommitment(ctx, service.CommitmentInput{Territory: testdb.Key(hierarchy.CRTE, "crte-illustratif-03"),
			Sector: &transports, Ktco2e: &kt}, nil); err != nil {
			t.Fatal(err)
		}
		// An adopted commitment due before 2030, for the trajectories.
		submitted, due := access.Submitted, 2027
		cm, err := s.svc.CreateCommitment(ctx, service.CommitmentInput{Territory: testdb.Key(hierarchy.CRTE, "crte-illustratif-03"),
			Lever: &lever, Ktco2e: &kt, TargetYear: &due, Status: &submitted}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.TransitionCommitment(ctx, cm.ID, cm.Version, access.Adopted); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// at is the sample territory of a level and code.
func (s *sample) at(level hierarchy.Level, code string) *ent.Territory {
	x := s.byKey[hierarchy.Key{Level: level, Code: code}]
	if x == nil {
		panic("not in the sample: " + string(level) + " " + code)
	}
	return x
}

// territories are the sample's territories, those of the levels given (all when none).
func (s *sample) territories(levels ...hierarchy.Level) []*ent.Territory {
	var out []*ent.Territory
	for _, k := range sampleKeys {
		if len(levels) == 0 || slices.Contains(levels, k.Level) {
			out = append(out, s.byKey[k])
		}
	}
	return out
}
