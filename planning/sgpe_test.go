package planning

import (
	"os"
	"strings"
	"testing"
)

func TestParseSGPEReportsLineAndColumn(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"invalid character", strings.Replace(sgpeSample, `"objCO2":290.6026`, `"objCO2":29O.6026`, 1),
			"SGPE file: line 5, column 157: invalid character 'O' after object key:value pair"},
		{"missing comma", strings.Replace(sgpeSample, `"regionName":"PACA",`, `"regionName":"PACA"`, 1),
			"SGPE file: line 4, column 76: invalid character '\"' after object key:value pair"},
		{"accents count as one column", "[\n {\"leverName\":\"Véhicules électriques\" x}]",
			"SGPE file: line 2, column 39: invalid character 'x' after object key:value pair"},
		{"cut in the middle", sgpeSample[:len(sgpeSample)/2],
			"SGPE file: line 3, column 138: the file ends inside the JSON value: it looks truncated"},
		{"cut before the closing bracket", strings.TrimSuffix(sgpeSample, "]"),
			"SGPE file: line 6, column 1: the file ends inside the JSON value: it looks truncated"},
		{"empty file", " \n", "SGPE file: the file is empty"},
		{"content after the array", sgpeSample + "\n[]", "SGPE file: line 7, column 1: invalid character '[' after top-level value"},
		{"null", " null", "SGPE file: line 1, column 2: not a JSON array of records"},
		{"a string", `"[]"`, "SGPE file: line 1, column 4: not a JSON array of records, but a JSON string"},
		{"a number where a string is expected", strings.Replace(sgpeSample, `"id":"augm_voitelec"`, `"id":5`, 1),
			"record 1: line 2, column 8: id: a JSON number where a string is expected"},
		{"a string where true or false is expected", strings.Replace(sgpeSample, `"regionEnabled":false`, `"regionEnabled":"non"`, 1),
			`record 3: line 4, column 97: regionEnabled: a JSON string where true or false is expected`},
		{"a record that is not an object", strings.Replace(sgpeSample, "[\n", "[\n 42,\n", 1),
			"record 1: line 2, column 3: a JSON number where an object is expected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseSGPE(strings.NewReader(tc.file), regionCodes)
			if f != nil {
				t.Fatalf("ParseSGPE accepted the file")
			}
			checkErr(t, err, tc.want)
			if err != nil && strings.Contains(err.Error(), "Go ") {
				t.Errorf("the error names Go types: %v", err)
			}
		})
	}
}

func TestParseSGPELimits(t *testing.T) {
	first := `"id":"augm_voitelec","leverName":"Véhicules électriques"`
	for _, tc := range []struct{ name, old, new, want string }{
		{"lever name of 200 characters", first, `"id":"augm_voitelec","leverName":"` + strings.Repeat("é", 200) + `"`, ""},
		{"lever name of 201 characters", first, `"id":"augm_voitelec","leverName":"` + strings.Repeat("é", 201) + `"`,
			"record 1 (line 2): lever \"augm_voitelec\": leverName has 201 characters, at most 200"},
		{"comment of 20,000 characters", `"comment":"#### Levier"`, `"comment":"` + strings.Repeat("c", 20_000) + `"`, ""},
		{"comment of 20,001 characters", `"comment":"#### Levier"`, `"comment":"` + strings.Repeat("c", 20_001) + `"`,
			"comment has 20001 characters, at most 20000"},
		{"id of 65 characters", `"id":"augm_voitelec","leverName":"Véhicules électriques","regionName":"Grand Est"`,
			`"id":"` + strings.Repeat("i", 65) + `","leverName":"Véhicules électriques","regionName":"Grand Est"`,
			`record 1 (line 2): lever "` + strings.Repeat("i", 40) + `"…: id has 65 characters, at most 64`},
		{"unit of 201 characters", `"unitPhys":"milliers`, `"unitPhys":"` + strings.Repeat("u", 201) + `milliers`, "unitPhys has 2"},
		{"NUL in a lever name", first, `"id":"augm_voitelec","leverName":"V\u0000E"`, "leverName contains a NUL character (U+0000)"},
		{"emissions at the ceiling", `"objCO2":290.6026`, `"objCO2":1e6`, ""},
		{"emissions over the ceiling", `"objCO2":290.6026`, `"objCO2":1.5e6`,
			"record 4 (line 5): lever co2_enr: objCO2 must be a finite amount from -1e+06 to 1e+06, got 1.5e+06"},
		{"number out of float range", `"objCO2":290.6026`, `"objCO2":1e400`, `objCO2: "1e400" is not a finite number`},
		{"null number", `"objCO2":290.6026`, `"objCO2":null`, "objCO2 is null, not a number"},
		{"long string number is quoted short", `"objCO2":290.6026`, `"objCO2":"` + strings.Repeat("9", 1000) + `"`,
			`objCO2: "` + strings.Repeat("9", 40) + `"… is not a number`},
		{"baseline over the ceiling", `"startPoint2019":7.821`, `"startPoint2019":2e9`,
			"startPoint2019 must be a finite amount from -1e+09 to 1e+09, got 2e+09"},
		{"target overflows", `"ratioCO2toPhys":0.4677`, `"ratioCO2toPhys":1e308`,
			"the 2030 target (startPoint2019 + objCO2 × ratioCO2toPhys) must be a finite amount from -1e+09 to 1e+09, got +Inf"},
		{"long region name is quoted short", `"Grand Est"`, `"` + strings.Repeat("R", 100000) + `"`,
			`record 1 (line 2): unknown region "` + strings.Repeat("R", 40) + `"…`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(sgpeSample, tc.old) {
				t.Fatalf("the sample has no %s", tc.old)
			}
			f, err := ParseSGPE(strings.NewReader(strings.Replace(sgpeSample, tc.old, tc.new, 1)), regionCodes)
			checkErr(t, err, tc.want)
			if (err == nil) == (f == nil) {
				t.Errorf("file %v with error %v", f, err)
			}
			if err != nil && len(err.Error()) > 400 {
				t.Errorf("the error is %d bytes long", len(err.Error()))
			}
		})
	}
}

func TestParseSGPEReportsAHundredErrors(t *testing.T) {
	bad := ` {"id":"x","leverName":"y","regionName":"Atlantide","regionEnabled":true,"sector":"Industrie","group":"Mieux produire","objCO2":1,"ratioCO2toPhys":0,"startPoint2019":0}`
	file := "[\n" + strings.Repeat(bad+",\n", 149) + bad + "\n]"
	_, err := ParseSGPE(strings.NewReader(file), regionCodes)
	if err == nil {
		t.Fatal("accepted")
	}
	if n := strings.Count(err.Error(), "unknown region"); n != 100 {
		t.Errorf("%d errors listed, want 100", n)
	}
	if !strings.HasSuffix(err.Error(), "and 50 more errors") {
		t.Errorf("the error does not end with the count of the others")
	}
}

// TestParseSGPERealFile reads the SGPE's own file, as the project ships it: the limits
// must not refuse real data.
func TestParseSGPERealFile(t *testing.T) {
	b, err := os.ReadFile("../data/planning/sgpe-simulateur-territorial.json")
	if err != nil {
		t.Fatal(err)
	}
	codes := func(label string) (string, bool) { return "00", label != "" }
	f, err := ParseSGPE(strings.NewReader(string(b)), codes)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Levers) == 0 || len(f.Objectives) == 0 {
		t.Errorf("%d levers, %d objectives", len(f.Levers), len(f.Objectives))
	}
}
