package planning

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSplitAddsUpExactly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		total   float64
		weights []float64
		want    []int64
	}{
		{"thirds", 1, []float64{1, 1, 1}, []int64{333334, 333333, 333333}},
		{"zero weight gets nothing", 10, []float64{0, 3, 1}, []int64{0, 7500000, 2500000}},
		{"negative total", -2, []float64{1, 1}, []int64{-1000000, -1000000}},
		{"one part", 966.1408, []float64{0.3}, []int64{966140800}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(tc.total, tc.weights)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("Split(%v, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
				}
			}
		})
	}
}

// TestSplitProperties checks, on random inputs, that the parts add up exactly to the
// whole in millionths, that each part is within a millionth of its exact share, and that
// zero weights get nothing.
func TestSplitProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		total := (r.Float64() - 0.2) * math.Pow(10, float64(r.IntN(9)))
		weights := make([]float64, 1+r.IntN(200))
		var sum float64
		for i := range weights {
			if r.IntN(5) > 0 {
				weights[i] = r.Float64() * math.Pow(10, float64(r.IntN(7)))
			}
			sum += weights[i]
		}
		if sum == 0 {
			weights[0] = 1
			sum = 1
		}
		parts, err := Split(total, weights)
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		for i, p := range parts {
			got += p
			exact := float64(ToMicro(total)) * weights[i] / sum
			if math.Abs(float64(p)-exact) > 1.0001 {
				t.Fatalf("part %d = %d, exact share %f", i, p, exact)
			}
			if weights[i] == 0 && p != 0 {
				t.Fatalf("zero weight got %d", p)
			}
		}
		if got != ToMicro(total) {
			t.Fatalf("parts add up to %d, whole is %d (total %v, %d weights)", got, ToMicro(total), total, len(weights))
		}
	}
}

func TestSplitRefusesBadWeights(t *testing.T) {
	for _, w := range [][]float64{{}, {0, 0}, {1, -1}, {math.NaN()}, {math.Inf(1)}} {
		if _, err := Split(1, w); err == nil {
			t.Errorf("Split accepted weights %v", w)
		}
	}
	for _, total := range []float64{1.1e12, -1.1e12, math.NaN(), math.Inf(-1)} {
		if _, err := Split(total, []float64{1}); err == nil || !strings.Contains(err.Error(), "cannot be split") {
			t.Errorf("Split(%g) = %v, want the total refused", total, err)
		}
	}
	if _, err := Split(1, []float64{0, 0}); !errors.Is(err, ErrNoWeight) {
		t.Errorf("zero weights: %v, want ErrNoWeight", err)
	}
}

func f(v float64) *float64 { return &v }

func TestDiagnose(t *testing.T) {
	base, target := Point{2019, 100}, Point{2030, 210}
	for _, tc := range []struct {
		name      string
		obs       []Point
		status    Status
		travelled *float64
		remaining *float64
	}{
		{"no observation", nil, NoData, nil, nil},
		{"only before the baseline", []Point{{2015, 90}}, NoData, nil, nil},
		{"on track", []Point{{2020, 101}, {2024, 150}}, OnTrack, f(50.0 / 110), f(60)},
		{"ahead", []Point{{2024, 190}}, Ahead, f(90.0 / 110), f(20)},
		{"late", []Point{{2024, 110}, {2022, 180}}, Late, f(10.0 / 110), f(100)},
		{"going backwards", []Point{{2025, 80}}, Late, f(-20.0 / 110), f(130)},
		{"reached", []Point{{2030, 210}}, OnTrack, f(1), f(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Diagnose(base, target, tc.obs)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != tc.status || !near(d.Travelled, tc.travelled) || !near(d.Remaining, tc.remaining) {
				t.Errorf("Diagnose = %v travelled %v remaining %v; want %v %v %v", d.Status, deref(d.Travelled), deref(d.Remaining), tc.status, deref(tc.travelled), deref(tc.remaining))
			}
		})
	}
	// A decreasing objective works the same way: France had covered 44 % of the way to
	// 2030 in 2024, when the straight line asked for 45 %.
	d, _ := Diagnose(Point{2019, 437.7}, Point{2030, 276}, []Point{{2024, 367}})
	if d.Status != OnTrack || math.Abs(*d.Travelled-(70.7/161.7)) > 1e-9 {
		t.Errorf("national emissions: %v, travelled %v", d.Status, deref(d.Travelled))
	}
	if _, err := Diagnose(Point{2030, 1}, Point{2019, 2}, nil); !errors.Is(err, ErrTargetBeforeBaseline) {
		t.Errorf("target before baseline: %v", err)
	}
}

func near(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return math.Abs(*a-*b) < 1e-9
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestUnits(t *testing.T) {
	for unit, want := range map[string]bool{
		"milliers de véhicules électriques dans le parc régional":           true,
		"L/100km consommés en moyenne par les véhicules thermiques du parc": false,
		"kg annuels/hab de déchets ménagers et assimilés produits":          false,
		"km annuels/voiture évités":                                         false,
		"kha d'espace naturel, agricole ou forestier artificialisés":        true,
		"": false,
	} {
		if got := IsExtensive(unit); got != want {
			t.Errorf("IsExtensive(%q) = %v", unit, got)
		}
	}
	if got := PhysicalUnit("milliers de véhicules\n(en 2030)"); got != "milliers de véhicules" {
		t.Errorf("PhysicalUnit = %q", got)
	}
}

func regionCodes(label string) (string, bool) {
	code, ok := map[string]string{"Bretagne": "53", "PACA": "93", "Grand Est": "44"}[label]
	return code, ok
}

const sgpeSample = `[
 {"id":"augm_voitelec","leverName":"Véhicules électriques","regionName":"Grand Est","regionEnabled":true,"sector":"Transport de voyageurs","group":"Mieux se déplacer","unitPhys":"milliers de véhicules électriques dans le parc régional\n(en 2030)","objCO2":966.1408,"ratioCO2toPhys":0.4677,"startPoint2019":7.821,"comment":"#### Levier"},
 {"id":"augm_voitelec","leverName":"Véhicules électriques","regionName":"Région exemple","regionEnabled":true,"sector":"Transport de voyageurs","group":"Mieux se déplacer","objCO2":1,"ratioCO2toPhys":1,"startPoint2019":1},
 {"id":"co2_enr","leverName":"Electricité renouvelable","regionName":"PACA","regionEnabled":false,"sector":"Énergie","group":"Mieux produire","objCO2":5,"ratioCO2toPhys":0,"startPoint2019":0},
 {"id":"co2_enr","leverName":"Electricité renouvelable","regionName":"Bretagne","regionEnabled":true,"sector":"Énergie","group":"Mieux produire","objCO2":290.6026,"ratioCO2toPhys":0,"startPoint2019":0}
]`

func TestParseSGPE(t *testing.T) {
	f, err := ParseSGPE(strings.NewReader(sgpeSample), regionCodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Levers) != 2 || len(f.Objectives) != 2 || f.Skipped != 2 {
		t.Fatalf("levers %d, objectives %d, skipped %d", len(f.Levers), len(f.Objectives), f.Skipped)
	}
	ge := f.Objectives[0]
	if ge.RegionCode != "44" || !ge.HasPhysical || math.Abs(ge.PhysicalTarget-459.68505216) > 1e-6 || ge.KtCO2eAvoided != 966.1408 {
		t.Errorf("Grand Est EV objective = %+v", ge)
	}
	if lv := f.Levers[0]; lv.Sector != "transport-voyageurs" || lv.Theme != "se-deplacer" || !lv.Extensive ||
		lv.PhysicalUnit != "milliers de véhicules électriques dans le parc régional" {
		t.Errorf("lever = %+v", lv)
	}
	if f.Objectives[1].HasPhysical {
		t.Error("a lever without unit has no physical objective")
	}

	for _, tc := range []struct{ name, file, want string }{
		{"not an array", `{"a":1}`, "SGPE file: line 1, column 1: not a JSON array of records, but a JSON object"},
		{"unknown region", strings.Replace(sgpeSample, `"Grand Est"`, `"Atlantide"`, 1), `record 1 (line 2): unknown region "Atlantide"`},
		{"malformed number", strings.Replace(sgpeSample, `"objCO2":290.6026`, `"objCO2":"290,6"`, 1), `record 4 (line 5): lever co2_enr: objCO2: "290,6" is not a number`},
		{"unknown sector", strings.Replace(sgpeSample, `"sector":"Énergie","group":"Mieux produire","objCO2":290`, `"sector":"Spatial","group":"Mieux produire","objCO2":290`, 1), `record 4 (line 5): lever co2_enr: unknown sector "Spatial"`},
		{"unknown theme", strings.Replace(sgpeSample, `"group":"Mieux se déplacer","unitPhys"`, `"group":"Mieux voler","unitPhys"`, 1), `record 1 (line 2): lever augm_voitelec: unknown theme "Mieux voler"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseSGPE(strings.NewReader(tc.file), regionCodes)
			if err == nil || !strings.Contains(err.Error(), tc.want) || f != nil {
				t.Errorf("ParseSGPE = %v, %v; want error containing %q", f, err, tc.want)
			}
		})
	}
}

const nationalSample = "sector,label_fr,unit,y2019,y2022,target_2030\n" +
	"transports,Transports,MtCO2e,135,132.4,90.3\n" +
	"total,Total,MtCO2e,437.7,405.8,276\n"

func TestParseNational(t *testing.T) {
	rows, err := ParseNational(strings.NewReader(nationalSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Values[2022] != 132.4 || rows[0].Target != 90.3 || rows[0].TargetYear != 2030 || rows[1].Sector != NationalTotal {
		t.Fatalf("rows = %+v", rows)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"bad header", "a,b\n1,2\n", "line 1: header: missing column sector"},
		{"no target", "sector,label_fr,unit,y2019\n", "target_YYYY"},
		{"target before baseline", "sector,label_fr,unit,y2019,target_2015\n", "line 1: header: target year must be after the baseline year: baseline 2019, target 2015"},
		{"no baseline column", "sector,label_fr,unit,y2020,target_2030\n", "no column y2019"},
		{"unknown sector", strings.Replace(nationalSample, "transports,", "fusees,", 1), `line 2: unknown sector "fusees"`},
		{"sub-sector", strings.Replace(nationalSample, "transports,", "residentiel,", 1), `line 2: sector "residentiel" is not a national sector`},
		{"malformed number", strings.Replace(nationalSample, "437.7", "4x7", 1), `line 3: y2019: "4x7" is not a number`},
		{"bad unit", strings.Replace(nationalSample, "MtCO2e,135", "Mt,135", 1), `line 2: unit "Mt"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseNational(strings.NewReader(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) || rows != nil {
				t.Errorf("ParseNational = %v, %v; want error containing %q", rows, err, tc.want)
			}
		})
	}
}

func TestParseObservations(t *testing.T) {
	good := "level,code,lever,sector,metric,unit,year,value,source\n" +
		"REGION,53,augm_voitelec,,PHYSICAL,,2023,41.5,SDES\n" +
		"COUNTRY,FR,,transports,GHG_EMISSIONS,MtCO2e,2024,125.4,CITEPA\n"
	recs, err := ParseObservations(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Territory.Code != "53" || recs[0].Value != 41.5 || recs[1].Line != 3 || recs[1].Sector != "transports" {
		t.Fatalf("records = %+v", recs)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"bad header", "a,b\n", "line 1: header: missing column level"},
		{"bad level", strings.Replace(good, "REGION,53", "CANTON,53", 1), `line 2: territory "CANTON":"53"`},
		{"bad metric", strings.Replace(good, "PHYSICAL", "PHYS", 1), `line 2: metric "PHYS"`},
		{"bad year and value", strings.Replace(good, "2024,125.4", "2024.5,12,4", 1), `line 3: wrong number of fields`},
		{"bad value", strings.Replace(good, "125.4", "abc", 1), `line 3: value: "abc" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := ParseObservations(strings.NewReader(tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) || recs != nil {
				t.Errorf("ParseObservations = %v, %v; want error containing %q", recs, err, tc.want)
			}
		})
	}
}

func TestCheckObservation(t *testing.T) {
	unit := "milliers de véhicules"
	for _, tc := range []struct {
		name      string
		metric    Metric
		unit      string
		year      int
		value     float64
		leverUnit *string
		want, err string
	}{
		{"physical defaults to the lever's unit", Physical, "", 2024, 1, &unit, unit, ""},
		{"physical unit must match", Physical, "véhicules", 2024, 1, &unit, "", `does not match the lever's unit "milliers de véhicules"`},
		{"physical needs a lever unit", Physical, "", 2024, 1, nil, "", "needs a lever with a physical unit"},
		{"emissions default to ktCO2e", GHGEmissions, "", 2024, 1, nil, "ktCO2e", ""},
		{"emissions unit", GHGEmissions, "kWh", 2024, 1, nil, "", `unit "kWh" is not an emissions unit`},
		{"year", GHGEmissions, "", 1800, 1, nil, "", "year 1800 is out of range"},
		{"NaN value", GHGEmissions, "", 2024, math.NaN(), nil, "", "value must be a finite amount from -1e+12 to 1e+12, got NaN"},
		{"value at the ceiling", GHGEmissions, "tCO2e", 2024, -1e12, nil, "tCO2e", ""},
		{"value over the ceiling", GHGEmissions, "", 2024, 1.1e12, nil, "", "value must be a finite amount from -1e+12 to 1e+12, got 1.1e+12"},
		{"infinite value", GHGEmissions, "", 2024, math.Inf(-1), nil, "", "got -Inf"},
		{"long unit is quoted short", GHGEmissions, strings.Repeat("u", 500), 2024, 1, nil, "", `unit "` + strings.Repeat("u", 40) + `"… is not an emissions unit`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CheckObservation(tc.metric, tc.unit, tc.year, tc.value, tc.leverUnit)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("CheckObservation = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestCheckActionAndCommitment(t *testing.T) {
	unit := "milliers de véhicules"
	neg, one := -1.0, 1.0
	y2020, y2050 := 2020, 2050
	ok := ActionFields{Title: "Bornes", StartYear: 2024, EndYear: &y2050, Budget: 10, Physical: &one, HasLever: true, LeverUnit: &unit, Links: []string{"https://example.org/x"}}
	if err := CheckAction(ok); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(*ActionFields)
		want   string
	}{
		{"no title", func(a *ActionFields) { a.Title = "" }, "title is required"},
		{"year", func(a *ActionFields) { a.StartYear = 1900 }, "startYear 1900 is out of range"},
		{"end before start", func(a *ActionFields) { a.EndYear = &y2020 }, "endYear 2020 is before startYear 2024"},
		{"negative budget", func(a *ActionFields) { a.Budget = -5 }, "budget must be a finite amount from 0 to 1e+12, got -5"},
		{"negative effect", func(a *ActionFields) { a.EffectKtCO2e = &neg }, "effectKtco2e must be"},
		{"physical without lever", func(a *ActionFields) { a.HasLever = false }, "effectPhysical needs a lever"},
		{"physical without unit", func(a *ActionFields) { a.LeverUnit = nil }, "the lever has no physical unit"},
		{"bad link", func(a *ActionFields) { a.Links = []string{"javascript:alert(1)"} }, "is not an absolute http"},
	} {
		a := ok
		tc.change(&a)
		if err := CheckAction(a); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := CheckCommitment(CommitmentFields{KtCO2e: &one, TargetYear: 2030}); err != nil {
		t.Error(err)
	}
	for _, tc := range []struct {
		c    CommitmentFields
		want string
	}{
		{CommitmentFields{TargetYear: 2030}, "needs a quantity"},
		{CommitmentFields{KtCO2e: &neg, TargetYear: 2030}, "ktco2e must be"},
		{CommitmentFields{KtCO2e: &one, TargetYear: 3000}, "targetYear 3000"},
		{CommitmentFields{Physical: &one, TargetYear: 2030}, "physical needs a lever"},
	} {
		if err := CheckCommitment(tc.c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.c, err, tc.want)
		}
	}
}
