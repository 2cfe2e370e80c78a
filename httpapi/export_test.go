package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cop-territoriales/cop-api/httpapi"
	"github.com/cop-territoriales/cop-api/internal/testdb"
	"github.com/cop-territoriales/cop-api/store"
)

// adopt creates a commitment and adopts it, with an admin's key.
func adopt(a *api, territory map[string]any, sector string, kt float64, edition int) {
	a.t.Helper()
	var c struct {
		C struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		} `json:"createCommitment"`
	}
	a.query(`mutation($in: CommitmentInput!) { createCommitment(input: $in) { id version } }`,
		map[string]any{"in": map[string]any{"territory": territory, "sector": sector, "ktco2e": kt, "copEdition": edition, "status": "SUBMITTED"}}, &c)
	a.query(`mutation($id: ID!, $v: Int!) { transitionCommitment(id: $id, version: $v, to: ADOPTED) { status } }`,
		map[string]any{"id": c.C.ID, "v": c.C.Version}, &map[string]any{})
}

func TestExportRoadmap(t *testing.T) {
	testdb.Run(t, true, func(t *testing.T, db *store.DB) {
		a := newAPI(t, db, true)
		adopt(a, map[string]any{"level": "EPCI", "code": "243500741"}, "transports", 10, 2024)

		get := a.get
		rec := get("/export/roadmap/53/2024.csv")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %s", rec.Code, rec.Body.String())
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Columns are named by their GraphQL path; the commitment's id is the API's.
		col := map[string]int{}
		for i, c := range rows[0] {
			col[c] = i
		}
		if len(rows) != 2 || rows[1][col["sectors.sector.code"]] != "transports" || rows[1][col["sectors.commitments.territory.code"]] != "243500741" ||
			rows[1][col["sectors.commitments.ktco2e"]] != "10" || rows[1][col["sectors.commitments.status"]] != "ADOPTED" {
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
		for _, path := range []string{"/export/roadmap/99/2024.csv", "/export/roadmap/53/latest.csv", "/export/roadmap/53/2024.xml",
			"/export/roadmap/53/2031.json", "/export/roadmap/Bretagne/2024.csv"} {
			if rec := get(path); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"code":"NOT_FOUND"`) {
				t.Errorf("%s: %d %s", path, rec.Code, rec.Body.String())
			}
		}
	})
}

// TestExportIsTheAPIAnswer: the JSON export of a roadmap is the GraphQL answer to the
// query it documents (httpapi.RoadmapQuery), byte for byte: the API's names, string ids,
// no internal field, figures rounded the same way; and the CSV holds the same figures.
func TestExportIsTheAPIAnswer(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(d, func(t *testing.T) {
			testdb.Parallel(t)
			a := newAPI(t, testdb.Planned(t, d), true)
			adopt(a, map[string]any{"level": "EPCI", "code": "243500741"}, "transports", 10, 2024)
			adopt(a, map[string]any{"level": "EPCI", "code": "243500139"}, "transport-voyageurs", 22.1234567, 2024)
			adopt(a, map[string]any{"level": "DEPARTMENT", "code": "29"}, "agriculture", 7.5, 2024)

			rec := a.get("/export/roadmap/53/2024.json")
			if rec.Code != 200 {
				t.Fatalf("JSON export: %d %s", rec.Code, rec.Body.String())
			}
			var answer struct {
				Roadmap json.RawMessage `json:"roadmap"`
			}
			a.query(httpapi.RoadmapQuery, map[string]any{"region": "53", "edition": 2024}, &answer)
			if got, want := bytes.TrimSpace(rec.Body.Bytes()), bytes.TrimSpace(answer.Roadmap); !bytes.Equal(got, want) {
				t.Fatalf("the JSON export differs from the GraphQL answer:\nexport  %s\ngraphql %s", got, want)
			}
			body := rec.Body.String()
			for _, internal := range []string{"search_key", "searchKey", `"edges"`, "objective_ktco2e", "territory_id", "description", "e+"} {
				if strings.Contains(body, internal) {
					t.Errorf("the JSON export holds %q: %s", internal, body)
				}
			}
			var rm struct {
				Region struct {
					ID string `json:"id"`
				} `json:"region"`
				ObjectiveKtco2e float64 `json:"objectiveKtco2e"`
				Sectors         []struct {
					Sector struct {
						Code string `json:"code"`
					} `json:"sector"`
					ObjectiveKtco2e float64 `json:"objectiveKtco2e"`
					AdoptedKtco2e   float64 `json:"adoptedKtco2e"`
					Commitments     []struct {
						ID     string  `json:"id"`
						Ktco2e float64 `json:"ktco2e"`
					} `json:"commitments"`
				} `json:"sectors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &rm); err != nil {
				t.Fatalf("the JSON export is not the API's shape (string ids): %v", err)
			}
			if rm.Region.ID == "" || rm.ObjectiveKtco2e <= 0 {
				t.Errorf("roadmap: %+v", rm)
			}
			// A commitment on transports and one on transport-voyageurs meet in one row,
			// with the objectives of the sector's subdivisions.
			for _, s := range rm.Sectors {
				if s.Sector.Code == "transport-voyageurs" {
					t.Errorf("a subdivision has its own row: %+v", s)
				}
				if s.Sector.Code == "transports" && (len(s.Commitments) != 2 || s.ObjectiveKtco2e <= 0) {
					t.Errorf("transports row: %+v", s)
				}
				for _, c := range s.Commitments {
					if c.Ktco2e == 22.1234567 {
						t.Errorf("commitment %s: %v ktCO2e, want it kept to 4 decimals", c.ID, c.Ktco2e)
					}
				}
			}

			// The CSV flattens the same answer: its figures are the JSON's, as written.
			rec = a.get("/export/roadmap/53/2024.csv")
			rows, err := csv.NewReader(rec.Body).ReadAll()
			if err != nil || rec.Code != 200 {
				t.Fatalf("CSV export: %d %v", rec.Code, err)
			}
			col := map[string]int{}
			for i, c := range rows[0] {
				col[c] = i
			}
			n := 0
			for _, row := range rows[1:] {
				if id := row[col["sectors.commitments.id"]]; id != "" {
					n++
					if !strings.Contains(body, `"id":"`+id+`"`) {
						t.Errorf("CSV commitment %s is not in the JSON", id)
					}
				}
				if obj := row[col["sectors.objectiveKtco2e"]]; !strings.Contains(body, `"objectiveKtco2e":`+obj) {
					t.Errorf("CSV objective %s of %s is not written as in the JSON", obj, row[col["sectors.sector.code"]])
				}
			}
			if n != 3 {
				t.Errorf("CSV has %d commitments, want 3", n)
			}
		})
	}
}
