package hierarchy

import (
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
// one error; a file with any error yields no rows. It is ParseCRTEWith and the strict
// default options: a file whose last line has no final newline is refused as truncated.
func ParseCRTE(r io.Reader) ([]CRTERow, error) {
	return ParseCRTEWith(r, ParseOptions{})
}

// ParseCRTEWith is ParseCRTE with options.
func ParseCRTEWith(r io.Reader, opts ParseOptions) ([]CRTERow, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read CRTE file: %w", err)
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	header, _, _ := strings.Cut(text, "\n")
	comma := ','
	if strings.Count(header, ";") > strings.Count(header, ",") {
		comma = ';'
	}
	f := NewCSVFile(strings.NewReader(text), comma, opts)
	head, err := f.Header()
	if err != nil {
		return nil, err
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
	var errs ErrorList
	for {
		line, rec, err := f.Next()
		if err == io.EOF {
			break
		}
		var le *LineError
		if errors.As(err, &le) {
			errs.Add(err)
			continue
		}
		if err != nil {
			errs.Add(err)
			break
		}
		get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		row := CRTERow{
			Line: line, Region: get("insee_reg"), Department: get("dep_chef_file"),
			ID: get("id_crte"), Name: get("lib_crte"),
			SIREN: get("siren_groupement"), MemberName: get("lib_groupement"),
		}
		if err := checkCRTERow(row); err != nil {
			errs.Add(&LineError{Line: line, Err: err})
			continue
		}
		rows = append(rows, row)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errors.New("CRTE file has no rows")
	}
	return rows, nil
}

// checkCRTERow returns every problem of a row, joined by "; ".
func checkCRTERow(row CRTERow) error {
	var bad []string
	add := func(err error) {
		if err != nil {
			bad = append(bad, err.Error())
		}
	}
	for _, c := range []struct {
		column, value string
		max           int
		required      bool
	}{
		{"insee_reg", row.Region, MaxCodeLength, false},
		{"dep_chef_file", row.Department, MaxCodeLength, true},
		{"id_crte", row.ID, MaxCodeLength, true},
		{"lib_crte", row.Name, MaxCRTENameLength, true},
		{"lib_groupement", row.MemberName, MaxCRTENameLength, false},
	} {
		if c.required && c.value == "" {
			add(fmt.Errorf("%s is empty", c.column))
			continue
		}
		add(CheckText(c.column, c.value, c.max))
	}
	if !isSIREN(row.SIREN) {
		add(fmt.Errorf("siren_groupement %s is not a SIREN (9 digits)", Excerpt(row.SIREN)))
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
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
