package hierarchy

import (
	"strings"
	"testing"
)

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
			[]string{"line 3: id_crte is empty; siren_groupement \"24350013\" is not a SIREN", "line 4: 9 fields, want 15"}},
		{"unterminated quote", crteHeader + "53,\"Bretagne,35\n", []string{"line 2"}},
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
