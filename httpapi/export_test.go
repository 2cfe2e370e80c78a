package httpapi_test

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

func TestExportRoadmap(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, true)
		var c struct {
			C struct {
				ID      string `json:"id"`
				Version int    `json:"version"`
			} `json:"createCommitment"`
		}
		a.query(`mutation { createCommitment(input: {territory: {level: EPCI, code: "243500741"}, sector: "transports",
			ktco2e: 10, copEdition: 2024, status: SUBMITTED}) { id version } }`, nil, &c)
		a.query(`mutation($id: ID!, $v: Int!) { transitionCommitment(id: $id, version: $v, to: ADOPTED) { status } }`,
			map[string]any{"id": c.C.ID, "v": c.C.Version}, &map[string]any{})

		get := a.get
		rec := get("/export/roadmap/53/2024.csv")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %s", rec.Code, rec.Body.String())
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0][2] != "sector" || rows[1][2] != "transports" || rows[1][8] != "243500741" || rows[1][11] != "10" {
			t.Fatalf("CSV rows = %q", rows)
		}
		rec = get("/export/roadmap/53/2024.json")
		var rm struct {
			AdoptedKtco2e float64 `json:"adoptedKtco2e"`
			Sectors       []struct {
				AdoptedKtco2e float64 `json:"adoptedKtco2e"`
			} `json:"sectors"`
		}
		if err := json.NewDecoder(rec.Body).Decode(&rm); err != nil || rec.Code != 200 {
			t.Fatalf("JSON: %d %v", rec.Code, err)
		}
		// Redon Agglomération lies partly in Bretagne: the roadmap counts its share there.
		if rm.AdoptedKtco2e <= 0 || rm.AdoptedKtco2e >= 10 || len(rm.Sectors) != 1 {
			t.Errorf("roadmap JSON: %+v", rm)
		}
		for _, path := range []string{"/export/roadmap/99/2024.csv", "/export/roadmap/53/latest.csv", "/export/roadmap/53/2024.xml"} {
			if rec := get(path); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"code":"NOT_FOUND"`) {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
			}
		}
	})
}
