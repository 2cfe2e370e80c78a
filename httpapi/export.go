package httpapi

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/graph"
	"github.com/cop-territoriales/cop-api/service"
	"github.com/cop-territoriales/cop-api/store"
)

// exportRoadmap serves /export/roadmap/{region}/{edition}.csv and .json: the roadmap for
// data teams. The CSV has one row per adopted commitment, with its sector's totals.
func exportRoadmap(svc *service.Service) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		file := req.PathValue("file")
		name, format, _ := strings.Cut(file, ".")
		edition, err := strconv.Atoi(name)
		if err != nil || (format != "csv" && format != "json") {
			httpError(w, http.StatusNotFound, CodeNotFound, "want /export/roadmap/{region}/{edition}.csv or .json")
			return
		}
		rm, err := svc.Roadmap(req.Context(), req.PathValue("region"), edition)
		var se *service.Error
		switch {
		case errors.As(err, &se):
			httpError(w, http.StatusNotFound, graph.Code(se.Kind), se.Msg)
			return
		case errors.Is(err, context.DeadlineExceeded) || store.IsCanceled(err):
			httpError(w, http.StatusGatewayTimeout, CodeTimeout, "the export took longer than the server's timeout")
			return
		case err != nil:
			httpError(w, http.StatusInternalServerError, CodeInternal, "internal error")
			return
		}
		if format == "json" {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(rm)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="roadmap-%s-%d.csv"`, rm.Region.Code, edition))
		cw := csv.NewWriter(w)
		cw.Write([]string{"region", "edition", "sector", "sector_objective_ktco2e", "sector_adopted_ktco2e", "sector_coverage",
			"commitment_id", "territory_level", "territory_code", "territory_name", "lever", "ktco2e", "physical", "target_year"})
		f := func(v *float64) string {
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		for _, s := range rm.Sectors {
			head := []string{rm.Region.Code, strconv.Itoa(edition), s.Sector.Code,
				strconv.FormatFloat(s.ObjectiveKtco2e, 'f', -1, 64), strconv.FormatFloat(s.AdoptedKtco2e, 'f', -1, 64), f(s.Coverage)}
			if len(s.Commitments) == 0 {
				cw.Write(append(head, "", "", "", "", "", "", "", ""))
			}
			for _, c := range s.Commitments {
				lever := ""
				if c.Edges.Lever != nil {
					lever = c.Edges.Lever.Code
				}
				t := c.Edges.Territory
				cw.Write(append(head, strconv.Itoa(c.ID), string(t.Level), t.Code, t.Name, lever, f(c.Ktco2e), f(c.Physical), strconv.Itoa(c.TargetYear)))
			}
		}
		cw.Flush()
	}
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}}})
}
