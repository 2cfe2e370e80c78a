package data

import (
	"bytes"
	_ "embed"
	"io"
)

// The planning data shipped with the project, loaded on first start (Licence Ouverte
// 2.0; the README and the API's sources query credit them):
//   - planning/sgpe-simulateur-territorial.json: the SGPE "simulateur territorial"
//     dataset (repository MTES-MCT/planification-territoires, src/lib/assets/data.json),
//     the regions' 2030 objectives per lever; working data, indicative;
//   - planning/national-emissions-by-sector.csv: France's emissions by sector 2019-2024
//     (CITEPA, Secten 2025) and the 2030 targets of the draft SNBC 3.
//
// "server import sgpe|national FILE" replaces them with a newer file.
var (
	//go:embed planning/sgpe-simulateur-territorial.json
	sgpeJSON []byte
	//go:embed planning/national-emissions-by-sector.csv
	nationalCSV []byte
)

// SGPE returns the embedded SGPE dataset.
func SGPE() io.Reader { return bytes.NewReader(sgpeJSON) }

// National returns the embedded national emissions file.
func National() io.Reader { return bytes.NewReader(nationalCSV) }

// Source credits one dataset: what it is, who publishes it, under which licence.
type Source struct {
	Name, Publisher, URL, Licence, Note string
}

// Sources are the datasets the project ships, as the API's sources query lists them.
var Sources = []Source{
	{Name: "Découpage administratif (COG 2026), package @etalab/decoupage-administratif 6.0.0",
		Publisher: "Etalab, INSEE, DGCL", URL: "https://github.com/etalab/decoupage-administratif",
		Licence: "Licence Ouverte 2.0", Note: "regions, departments, EPCI à fiscalité propre and communes with their municipal population"},
	{Name: "Simulateur territorial du SGPE (src/lib/assets/data.json)",
		Publisher: "Secrétariat général à la planification écologique, MTES-MCT/planification-territoires",
		URL:       "https://github.com/MTES-MCT/planification-territoires", Licence: "Licence Ouverte 2.0",
		Note: "regional 2030 objectives per lever; working data (données de travail), indicative, not binding"},
	{Name: "Émissions de gaz à effet de serre par secteur, inventaire Secten 2025",
		Publisher: "CITEPA; cibles 2030 du projet de SNBC 3", URL: "https://www.citepa.org/fr/secten/",
		Licence: "Licence Ouverte 2.0", Note: "France's emissions by sector 2019-2024 (MtCO2e, excluding land use) and 2030 targets"},
}
