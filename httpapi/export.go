package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/service"
)

// RoadmapQuery is the GraphQL query the roadmap exports answer: the JSON file is its
// `roadmap` field as the API gives it (same names, string ids, rounded figures), and the
// CSV file flattens the same answer, one row per adopted commitment, its columns named by
// their GraphQL path.
const RoadmapQuery = `query RoadmapExport($region: String!, $edition: Int!) {
  roadmap(region: $region, edition: $edition) {
    region { id level code name }
    edition objectiveKtco2e adoptedKtco2e coverage gap
    sectors {
      sector { id code name }
      objectiveKtco2e adoptedKtco2e coverage gap
      commitments {
        id status ktco2e physical targetYear copEdition note updatedAt
        territory { id level code name }
        lever { id code name physicalUnit }
        sector { id code name }
      }
    }
  }
}`

// roadmapColumns are the CSV columns: GraphQL paths from the roadmap.
var roadmapColumns = []string{
	"region.code", "region.name", "edition",
	"sectors.sector.code", "sectors.sector.name", "sectors.objectiveKtco2e", "sectors.adoptedKtco2e", "sectors.coverage", "sectors.gap",
	"sectors.commitments.id", "sectors.commitments.status", "sectors.commitments.territory.level", "sectors.commitments.territory.code",
	"sectors.commitments.territory.name", "sectors.commitments.lever.code", "sectors.commitments.sector.code",
	"sectors.commitments.ktco2e", "sectors.commitments.physical", "sectors.commitments.targetYear",
}

// exportRoadmap serves /export/roadmap/{region}/{edition}.csv and .json: the roadmap for
// data teams, as RoadmapQuery answers it.
func exportRoadmap(svc *service.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		file := req.PathValue("file")
		name, format, _ := strings.Cut(file, ".")
		edition, err := strconv.Atoi(name)
		if err != nil || (format != "csv" && format != "json") {
			httpError(w, http.StatusNotFound, CodeNotFound, "want /export/roadmap/{region}/{edition}.csv or .json")
			return
		}
		region := req.PathValue("region")
		resp := graph.Execute(req.Context(), svc, RoadmapQuery, map[string]any{"region": region, "edition": edition})
		if len(resp.Errors) > 0 {
			status := http.StatusInternalServerError
			switch code, _ := resp.Errors[0].Extensions["code"].(string); code {
			case graph.CodeNotFound:
				status = http.StatusNotFound
			case graph.CodeBadUserInput:
				status = http.StatusBadRequest
			case graph.CodeTimeout:
				status = http.StatusGatewayTimeout
			case graph.CodeUnavailable:
				status = http.StatusServiceUnavailable
				if after, ok := resp.Errors[0].Extensions["retryAfter"].(int); ok {
					w.Header().Set("Retry-After", strconv.Itoa(after))
				}
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"errors": resp.Errors})
			return
		}
		var data struct {
			Roadmap json.RawMessage `json:"roadmap"`
		}
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			httpError(w, http.StatusInternalServerError, CodeInternal, "internal error")
			return
		}
		if format == "json" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="roadmap-%s-%d.json"`, region, edition))
			w.Write(data.Roadmap)
			w.Write([]byte("\n"))
			return
		}
		rows, err := roadmapRows(data.Roadmap)
		if err != nil {
			httpError(w, http.StatusInternalServerError, CodeInternal, "internal error")
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="roadmap-%s-%d.csv"`, region, edition))
		cw := csv.NewWriter(w)
		cw.Write(roadmapColumns)
		cw.WriteAll(rows)
	}
}

// roadmapRows flattens a roadmap as the API gives it: one row per adopted commitment,
// one per sector without any. Numbers are written as the JSON has them.
func roadmapRows(roadmap json.RawMessage) ([][]string, error) {
	dec := json.NewDecoder(bytes.NewReader(roadmap))
	dec.UseNumber()
	var rm map[string]any
	if err := dec.Decode(&rm); err != nil {
		return nil, err
	}
	var rows [][]string
	for _, s := range list(rm["sectors"]) {
		sector := s.(map[string]any)
		cms := list(sector["commitments"])
		if len(cms) == 0 {
			cms = []any{map[string]any{}}
		}
		for _, c := range cms {
			scope := map[string]any{"region": rm["region"], "edition": rm["edition"],
				"sectors": merge(sector, map[string]any{"commitments": c})}
			row := make([]string, len(roadmapColumns))
			for i, col := range roadmapColumns {
				row[i] = text(path(scope, strings.Split(col, ".")))
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

func list(v any) []any { l, _ := v.([]any); return l }

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// path follows the keys of a GraphQL path through nested objects; nil when absent.
func path(v any, keys []string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// text writes a JSON value as a CSV cell: numbers as the JSON writes them, null empty.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}}})
}
