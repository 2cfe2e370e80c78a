// Package planning is the ecological planning model in plain Go: the SGPE catalogue of
// themes, sectors and levers, objectives and observations, the diagnostic of a territory
// against its objectives (COP step 1) and the indicative breakdown of a region's
// objectives over smaller territories (COP step 3). It reads the SGPE and national files
// and knows nothing of HTTP or databases.
package planning

// Theme is one of the SGPE's six themes ("Mieux se déplacer", ...).
type Theme struct {
	Code, Name string
}

// Themes are the SGPE themes, in the order of its dashboards.
var Themes = []Theme{
	{"se-deplacer", "Mieux se déplacer"},
	{"se-loger", "Mieux se loger"},
	{"produire", "Mieux produire"},
	{"se-nourrir", "Mieux se nourrir"},
	{"preserver", "Mieux préserver"},
	{"consommer", "Mieux consommer"},
}

// Sector is a sector of the national inventory, or a subdivision of one that the SGPE
// dashboards use (transport of people and of goods, residential and tertiary).
type Sector struct {
	Code, Name string
	Parent     string // code of the national sector; empty for a national sector.
}

// Sectors is the catalogue: the six sectors of the national inventory (the codes of
// national/emissions-by-sector.csv) and the SGPE's subdivisions.
var Sectors = []Sector{
	{Code: "transports", Name: "Transports"},
	{Code: "transport-voyageurs", Name: "Transport de voyageurs", Parent: "transports"},
	{Code: "transport-marchandises", Name: "Transport de marchandises", Parent: "transports"},
	{Code: "batiments", Name: "Bâtiments"},
	{Code: "residentiel", Name: "Résidentiel", Parent: "batiments"},
	{Code: "tertiaire", Name: "Tertiaire", Parent: "batiments"},
	{Code: "industrie", Name: "Industrie"},
	{Code: "energie", Name: "Énergie"},
	{Code: "dechets", Name: "Déchets"},
	{Code: "agriculture", Name: "Agriculture, forêts et sols"},
}

// sgpeSectors maps the sector labels of the SGPE file to catalogue codes.
var sgpeSectors = map[string]string{
	"Transport de voyageurs":      "transport-voyageurs",
	"Transport de marchandises":   "transport-marchandises",
	"Transport":                   "transports",
	"Résidentiel":                 "residentiel",
	"Tertiaire":                   "tertiaire",
	"Bâtiment":                    "batiments",
	"Industrie":                   "industrie",
	"Énergie":                     "energie",
	"Déchet":                      "dechets",
	"Agriculture, Forêts et Sols": "agriculture",
}

// themeByName maps theme names, as the SGPE file writes them, to codes.
func themeByName(name string) (string, bool) {
	for _, t := range Themes {
		if t.Name == name {
			return t.Code, true
		}
	}
	return "", false
}

// SectorByCode returns the catalogue's sector.
func SectorByCode(code string) (Sector, bool) {
	for _, s := range Sectors {
		if s.Code == code {
			return s, true
		}
	}
	return Sector{}, false
}

// Lever is a concrete way to cut emissions or protect biodiversity.
type Lever struct {
	Code, Name    string
	Sector, Theme string // catalogue codes
	PhysicalUnit  string // empty when the SGPE gives no physical translation
	Description   string // Markdown
	Extensive     bool   // the physical quantity adds up over territories (vehicles, hectares)
}

// Metric says what an objective or an observation measures.
type Metric string

// Metrics.
const (
	// GHGAvoided is emissions avoided in the target year compared with the baseline year.
	GHGAvoided Metric = "GHG_AVOIDED"
	// GHGEmissions is the emissions themselves.
	GHGEmissions Metric = "GHG_EMISSIONS"
	// Physical is the lever's physical quantity, in the lever's unit.
	Physical Metric = "PHYSICAL"
)

// GHGUnits are the units accepted for emissions, with their value in ktCO2e.
var GHGUnits = map[string]float64{"tCO2e": 0.001, "ktCO2e": 1, "MtCO2e": 1000}

// Values lists the metrics; ent uses it to store Metric as an enum.
func (Metric) Values() []string {
	return []string{string(GHGAvoided), string(GHGEmissions), string(Physical)}
}
