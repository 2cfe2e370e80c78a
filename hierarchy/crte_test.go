package hierarchy

import (
	"strings"
	"testing"
)

// crteRow is a good row for crteHeader.
const crteRow = "53,Bretagne,35,I,c1,CRTE Un,EPCI,Non,Non,243500139,R,METRO,,,\n"

const crteHeader = "insee_reg,lib_reg,dep_chef_file,lib_dep,id_crte,lib_crte,type_grp_crte,crte_interreg,crte_interdep,siren_groupement,lib_groupement,nature_juridique,siren_grp_supra,lib_grp_supra,nat_jur_grp_supra\n"

func TestParseCRTE(t *testing.T) {
	good := crteHeader +
		"53,Bretagne,35,Ille-et-Vilaine,c1,CRTE Un,EPCI,Non,Non,243500139,Rennes Métropole,METRO,,,\n" +
		"53,Bretagne,35,Ille-et-Vilaine,c1,CRTE Un,EPCI,Non,Non,200039022,Vitré,CA,,,\n"
	rows, err := ParseCRTE(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[1].Line != 3 || rows[1].SIREN != "200039022" || rows[0].Department != "35" {
		t.Fatalf("rows = %+v", rows)
	}
	semi := "\uFEFF" + strings.ReplaceAll(good, ",", ";")
	if rows, err := ParseCRTE(strings.NewReader(semi)); err != nil || len(rows) != 2 {
		t.Fatalf("semicolon file with BOM: %v, %d rows", err, len(rows))
	}

	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"bad header", "id,name\n1,x\n", []string{"line 1: header: missing columns insee_reg"}},
		{"empty file", "", []string{"line 1: header"}},
		{"no rows", crteHeader, []string{"no rows"}},
		{"bad SIREN and empty id", crteHeader +
			"53,Bretagne,35,I,c1,CRTE Un,EPCI,Non,Non,243500139,R,METRO,,,\n" +
			"53,Bretagne,35,I,,CRTE Un,EPCI,Non,Non,24350013,R,METRO,,,\n" +
			"53,Bretagne,35,I,c1,CRTE Un,EPCI,Non,Non\n",
			[]string{"line 3: id_crte is empty; siren_groupement \"24350013\" is not a SIREN", "line 4: wrong number of fields: 9, want 15"}},
		{"quote never closed", crteHeader + "53,\"Bretagne,35\n", []string{"line 2: a quoted field opened on this line is never closed"}},
		{"no final newline", crteHeader + crteRow + strings.TrimSuffix(crteRow, "\n"),
			[]string{"line 3: the file ends without a final newline: it looks truncated"}},
		{"cut inside the last SIREN", crteHeader + crteRow + crteRow[:len(crteRow)-30],
			[]string{"line 3: the file ends without a final newline"}},
		{"header only, cut", strings.TrimSuffix(crteHeader, "\n"), []string{"line 1: header: the file ends without a final newline"}},
		{"bare quote", crteHeader + strings.Replace(crteRow, "CRTE Un", `CRTE "Un"`, 1), []string{`line 2: a quote (") in an unquoted field`}},
		{"CRTE name too long", crteHeader + strings.Replace(crteRow, "CRTE Un", strings.Repeat("é", 301), 1),
			[]string{"line 2: lib_crte has 301 characters, at most 300"}},
		{"member name too long", crteHeader + strings.Replace(crteRow, ",R,", ","+strings.Repeat("x", 999700)+",", 1),
			[]string{"line 2: lib_groupement has 999700 characters, at most 300"}},
		{"id too long", crteHeader + strings.Replace(crteRow, "c1", strings.Repeat("c", 65), 1),
			[]string{"line 2: id_crte has 65 characters, at most 64"}},
		{"NUL in a name", crteHeader + strings.Replace(crteRow, "CRTE Un", "CRTE\x00Un", 1),
			[]string{"line 2: lib_crte contains a NUL character (U+0000)"}},
		{"Latin-1 file", crteHeader + strings.Replace(crteRow, "CRTE Un", "CRTE R\xe9gion", 1),
			[]string{"line 2: lib_crte is not valid UTF-8 text"}},
		{"long SIREN is quoted short", crteHeader + strings.Replace(crteRow, "243500139", strings.Repeat("9", 5000), 1),
			[]string{`line 2: siren_groupement "` + strings.Repeat("9", 40) + `"… is not a SIREN`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseCRTE(strings.NewReader(tc.file))
			if err == nil {
				t.Fatalf("ParseCRTE accepted it: %+v", rows)
			}
			if rows != nil {
				t.Errorf("rows returned with an error: %+v", rows)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseCRTEWithUnterminatedAllowed(t *testing.T) {
	file := crteHeader + strings.TrimSuffix(crteRow, "\n")
	rows, err := ParseCRTEWith(strings.NewReader(file), ParseOptions{AllowUnterminated: true})
	if err != nil || len(rows) != 1 || rows[0].SIREN != "243500139" {
		t.Fatalf("ParseCRTEWith(AllowUnterminated) = %+v, %v", rows, err)
	}
}

func TestParseCRTEReportsAHundredErrors(t *testing.T) {
	bad := strings.Replace(crteRow, "243500139", "x", 1)
	rows, err := ParseCRTE(strings.NewReader(crteHeader + strings.Repeat(bad, 250)))
	if rows != nil || err == nil {
		t.Fatalf("ParseCRTE = %v, %v", rows, err)
	}
	msg := err.Error()
	if n := strings.Count(msg, "is not a SIREN"); n != MaxReportedErrors {
		t.Errorf("%d errors reported, want %d", n, MaxReportedErrors)
	}
	if !strings.HasSuffix(msg, "and 150 more errors") {
		t.Errorf("error does not end with the count of the others: ...%s", msg[len(msg)-60:])
	}
}
