// Package data embeds the territorial hierarchy derived from the npm package
// @etalab/decoupage-administratif 6.0.0 (2026 COG; Licence Ouverte; credit Etalab, INSEE,
// DGCL) by derive/derive.mjs, so that a fresh machine needs nothing else to serve it.
package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cop-territoriales/cop-api/hierarchy"
)

//go:embed hierarchy.tsv.gz
var hierarchyGz []byte

// Hierarchy returns the embedded regions, departments, EPCI and communes.
func Hierarchy() (hierarchy.Source, error) {
	zr, err := gzip.NewReader(bytes.NewReader(hierarchyGz))
	if err != nil {
		return hierarchy.Source{}, fmt.Errorf("embedded hierarchy: %w", err)
	}
	return ParseHierarchy(zr)
}

// ParseHierarchy reads the tab-separated format written by derive/derive.mjs.
func ParseHierarchy(r io.Reader) (hierarchy.Source, error) {
	var src hierarchy.Source
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		bad := func(want int) error {
			return fmt.Errorf("hierarchy line %d: %d fields, want %d", n, len(f), want)
		}
		switch f[0] {
		case "R":
			if len(f) != 3 {
				return src, bad(3)
			}
			src.Regions = append(src.Regions, hierarchy.Territory{Key: hierarchy.Key{Level: hierarchy.Region, Code: f[1]}, Name: f[2]})
		case "D":
			if len(f) != 4 {
				return src, bad(4)
			}
			src.Departments = append(src.Departments, hierarchy.DepartmentRecord{Code: f[1], Region: f[2], Name: f[3]})
		case "E":
			if len(f) != 4 {
				return src, bad(4)
			}
			src.EPCIs = append(src.EPCIs, hierarchy.Territory{Key: hierarchy.Key{Level: hierarchy.EPCI, Code: f[1]}, Nature: f[2], Name: f[3]})
		case "C":
			if len(f) != 8 {
				return src, bad(8)
			}
			pop, err := strconv.ParseInt(f[5], 10, 64)
			if err != nil {
				return src, fmt.Errorf("hierarchy line %d: population: %w", n, err)
			}
			var postal []string
			if f[6] != "" {
				postal = strings.Split(f[6], ",")
			}
			src.Communes = append(src.Communes, hierarchy.CommuneRecord{
				Code: f[1], SIREN: f[2], Department: f[3], EPCI: f[4],
				Population: pop, PostalCodes: postal, Name: f[7],
			})
		default:
			return src, fmt.Errorf("hierarchy line %d: unknown record kind %q", n, f[0])
		}
	}
	if err := sc.Err(); err != nil {
		return src, fmt.Errorf("read hierarchy: %w", err)
	}
	return src, nil
}
