package hierarchy

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CRTEColumns are the columns of the ANCT list of CRTE perimeters, one row per member
// grouping. All are required in the header; their order is free.
var CRTEColumns = []string{
	"insee_reg", "lib_reg", "dep_chef_file", "lib_dep", "id_crte", "lib_crte",
	"type_grp_crte", "crte_interreg", "crte_interdep", "siren_groupement",
	"lib_groupement", "nature_juridique", "siren_grp_supra", "lib_grp_supra",
	"nat_jur_grp_supra",
}

// CRTERow is one member grouping of a CRTE as read from the file.
type CRTERow struct {
	Line       int // 1-based line in the file; the header is line 1.
	Region     string
	Department string
	ID, Name   string
	SIREN      string // of the member: an EPCI or a commune.
	MemberName string
}

// LineError is an error about one line of an import file.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ParseCRTE reads a CRTE file in the ANCT format, comma- or semicolon-separated, with an
// optional byte order mark. Every bad line is reported, each with its number, joined in
// one error; a file with any error yields no rows.
func ParseCRTE(r io.Reader) ([]CRTERow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read CRTE file: %w", err)
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	header, _, _ := strings.Cut(text, "\n")
	cr := csv.NewReader(strings.NewReader(text))
	if strings.Count(header, ";") > strings.Count(header, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, &LineError{Line: 1, Err: fmt.Errorf("header: %w", err)}
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []string
	for _, c := range CRTEColumns {
		if _, ok := col[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, &LineError{Line: 1, Err: fmt.Errorf("header: missing columns %s (want %s)",
			strings.Join(missing, ", "), strings.Join(CRTEColumns, ","))}
	}

	var rows []CRTERow
	var errs []error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			// The parse error names its line; FieldPos is not valid after an error.
			line := 0
			if pe, ok := err.(*csv.ParseError); ok {
				line = pe.Line
			}
			errs = append(errs, &LineError{Line: line, Err: err})
			if _, ok := err.(*csv.ParseError); ok {
				continue
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(head) {
			errs = append(errs, &LineError{Line: line, Err: fmt.Errorf("%d fields, want %d", len(rec), len(head))})
			continue
		}
		get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		row := CRTERow{
			Line: line, Region: get("insee_reg"), Department: get("dep_chef_file"),
			ID: get("id_crte"), Name: get("lib_crte"),
			SIREN: get("siren_groupement"), MemberName: get("lib_groupement"),
		}
		var bad []string
		if row.ID == "" {
			bad = append(bad, "id_crte is empty")
		}
		if row.Name == "" {
			bad = append(bad, "lib_crte is empty")
		}
		if row.Department == "" {
			bad = append(bad, "dep_chef_file is empty")
		}
		if !isSIREN(row.SIREN) {
			bad = append(bad, fmt.Sprintf("siren_groupement %q is not a SIREN (9 digits)", row.SIREN))
		}
		if len(bad) > 0 {
			errs = append(errs, &LineError{Line: line, Err: errors.New(strings.Join(bad, "; "))})
			continue
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(rows) == 0 {
		return nil, errors.New("CRTE file has no rows")
	}
	return rows, nil
}

func isSIREN(s string) bool {
	if len(s) != 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
