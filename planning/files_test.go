package planning

import (
	"os"
	"strings"
	"testing"
)

const observationsHeader = "level,code,lever,sector,metric,unit,year,value,source\n"

// observationRow is a good row for observationsHeader.
const observationRow = "REGION,53,augm_voitelec,,PHYSICAL,,2023,41.5,SDES\n"

func TestParseNationalRefusesWhatLooksTruncated(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"cut in the last number", strings.TrimSuffix(nationalSample, "276\n") + "27",
			"line 3: the file ends without a final newline: it looks truncated"},
		{"complete last line without a newline", strings.TrimSuffix(nationalSample, "\n"),
			"line 3: the file ends without a final newline"},
		{"quote left open", nationalSample + "\"agriculture,Agriculture,MtCO2e,82.8,78.9,67.4\n",
			"line 4: a quoted field opened on this line is never closed"},
		{"header only, cut", "sector,label_fr,unit,y2019,target_20", "line 1: header: the file ends without a final newline"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseNational(strings.NewReader(tc.file))
			if rows != nil || err == nil {
				t.Fatalf("ParseNational = %+v, %v; want an error", rows, err)
			}
			checkErr(t, err, tc.want)
		})
	}
	// The first example of the problem: a file cut after "77.5,6" must not set a target
	// to 6, and with the option a complete file without its final newline reads.
	cut := "sector,label_fr,unit,y2019,y2024,target_2030\nagriculture,Agriculture,MtCO2e,82.8,77.5,6"
	if rows, err := ParseNational(strings.NewReader(cut)); rows != nil || err == nil {
		t.Errorf("a cut file gave %+v", rows)
	}
	rows, err := ParseNationalWith(strings.NewReader(cut+"7.4"), ParseOptions{AllowUnterminated: true})
	if err != nil || len(rows) != 1 || rows[0].Target != 67.4 {
		t.Errorf("ParseNationalWith(AllowUnterminated) = %+v, %v", rows, err)
	}
}

func TestParseNationalLimits(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"emissions at the ceiling in MtCO2e", strings.Replace(nationalSample, "437.7", "1000", 1), ""},
		{"emissions over the ceiling in MtCO2e", strings.Replace(nationalSample, "437.7", "1001", 1),
			"line 3: y2019: y2019 (MtCO2e) must be a finite amount from -1000 to 1000, got 1001"},
		{"emissions over the ceiling in tCO2e", strings.Replace(nationalSample, ",MtCO2e,135,132.4,90.3", ",tCO2e,135,132.4,2e9", 1),
			"line 2: target_2030: target_2030 (tCO2e) must be a finite amount from -1e+09 to 1e+09, got 2e+09"},
		{"NaN", strings.Replace(nationalSample, "132.4", "NaN", 1), "line 2: y2022: y2022 (MtCO2e) must be a finite amount"},
		{"infinity", strings.Replace(nationalSample, "90.3", "-Inf", 1), "got -Inf"},
		{"a net sink is negative", strings.Replace(nationalSample, "90.3", "-20", 1), ""},
		{"label of 200 characters", strings.Replace(nationalSample, ",Transports,", ","+strings.Repeat("é", 200)+",", 1), ""},
		{"label of 201 characters", strings.Replace(nationalSample, ",Transports,", ","+strings.Repeat("é", 201)+",", 1),
			"line 2: label_fr has 201 characters, at most 200"},
		{"NUL in a label", strings.Replace(nationalSample, ",Transports,", ",Trans\x00ports,", 1), "line 2: label_fr contains a NUL character"},
		{"long sector is quoted short", strings.Replace(nationalSample, "transports,", strings.Repeat("s", 5000)+",", 1),
			`line 2: unknown sector "` + strings.Repeat("s", 40) + `"…`},
		{"long number is quoted short", strings.Replace(nationalSample, "132.4", strings.Repeat("9", 5000)+"x", 1),
			`line 2: y2022: "` + strings.Repeat("9", 40) + `"… is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseNational(strings.NewReader(tc.file))
			checkErr(t, err, tc.want)
			if (err == nil) == (rows == nil) {
				t.Errorf("rows %v with error %v", rows, err)
			}
		})
	}
}

func TestParseObservationsRefusesWhatLooksTruncated(t *testing.T) {
	for _, tc := range []struct{ name, file, want string }{
		{"cut inside the last source", observationsHeader + observationRow + "REGION,53,augm_voitelec,,PHYSICAL,,2024,47.2,SD",
			"line 3: the file ends without a final newline: it looks truncated"},
		{"cut inside the last value", observationsHeader + observationRow + "REGION,53,augm_voitelec,,PHYSICAL,,2024,4",
			"line 3: the file ends without a final newline"},
		{"cut inside a quoted last field", observationsHeader + observationRow + "REGION,53,augm_voitelec,,PHYSICAL,,2024,47.2,\"SDES, parc au",
			"line 3: a quoted field opened on this line is never closed: the file looks truncated"},
		{"quote left open, then more lines", observationsHeader + "REGION,53,augm_voitelec,,PHYSICAL,,2023,41.5,\"SDES\n" + observationRow,
			"line 2: a quoted field opened on this line is never closed"},
		{"text after a closing quote", observationsHeader + "REGION,53,augm_voitelec,,PHYSICAL,,2023,41.5,\"SDES\"x\n" + observationRow,
			"line 2: a quoted field is not closed properly"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := ParseObservations(strings.NewReader(tc.file))
			if recs != nil || err == nil {
				t.Fatalf("ParseObservations = %+v, %v; want an error", recs, err)
			}
			checkErr(t, err, tc.want)
		})
	}
	recs, err := ParseObservationsWith(strings.NewReader(observationsHeader+strings.TrimSuffix(observationRow, "\n")), ParseOptions{AllowUnterminated: true})
	if err != nil || len(recs) != 1 || recs[0].Source != "SDES" {
		t.Errorf("ParseObservationsWith(AllowUnterminated) = %+v, %v", recs, err)
	}
}

func TestParseObservationsLimits(t *testing.T) {
	row := func(old, new string) string { return observationsHeader + strings.Replace(observationRow, old, new, 1) }
	for _, tc := range []struct{ name, file, want string }{
		{"value at the ceiling", row("41.5", "-1e12"), ""},
		{"value over the ceiling", row("41.5", "1e13"), "line 2: value must be a finite amount from -1e+12 to 1e+12, got 1e+13"},
		{"NaN value", row("41.5", "NaN"), "line 2: value must be a finite amount from -1e+12 to 1e+12, got NaN"},
		{"year out of range", row("2023", "1789"), "line 2: year 1789 is out of range (1990 to 2100)"},
		{"source of 300 characters", row("SDES", strings.Repeat("s", 300)), ""},
		{"source of 301 characters", row("SDES", strings.Repeat("s", 301)), "line 2: source has 301 characters, at most 300"},
		{"unit of 201 characters", row(",,2023", ","+strings.Repeat("u", 201)+",2023"), "line 2: unit has 201 characters, at most 200"},
		{"code of 65 characters", row(",53,", ","+strings.Repeat("5", 65)+","), "line 2: code has 65 characters, at most 64"},
		{"lever of 65 characters", row("augm_voitelec", strings.Repeat("l", 65)), "line 2: lever has 65 characters, at most 64"},
		{"NUL in the source", row("SDES", "SD\x00ES"), "line 2: source contains a NUL character (U+0000)"},
		{"Latin-1 source", row("SDES", "Minist\xe8re"), "line 2: source is not valid UTF-8 text"},
		{"long metric is quoted short", row("PHYSICAL", strings.Repeat("M", 1000)), `line 2: metric "` + strings.Repeat("M", 40) + `"… is not one of`},
		{"long year is quoted short", row("2023", strings.Repeat("2", 1000)), `line 2: year "` + strings.Repeat("2", 40) + `"… is not a whole number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := ParseObservations(strings.NewReader(tc.file))
			checkErr(t, err, tc.want)
			if (err == nil) == (recs == nil) {
				t.Errorf("records %v with error %v", recs, err)
			}
		})
	}
}

func TestCheckObservationFields(t *testing.T) {
	unit := "milliers de véhicules"
	for _, tc := range []struct {
		name string
		o    ObservationFields
		want string
	}{
		{"a good observation", ObservationFields{Metric: Physical, Year: 2024, Value: 1, Source: "SDES", LeverUnit: &unit}, ""},
		{"source of 301 characters", ObservationFields{Metric: Physical, Year: 2024, Value: 1, Source: strings.Repeat("s", 301), LeverUnit: &unit}, "source has 301 characters, at most 300"},
		{"unit of 201 characters", ObservationFields{Metric: GHGEmissions, Year: 2024, Value: 1, Unit: strings.Repeat("u", 201)}, "unit has 201 characters, at most 200"},
		{"NUL in the source", ObservationFields{Metric: GHGEmissions, Year: 2024, Value: 1, Source: "\x00"}, "source contains a NUL character"},
		{"value over the ceiling", ObservationFields{Metric: GHGEmissions, Year: 2024, Value: 2e12}, "value must be a finite amount from -1e+12 to 1e+12"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckObservationFields(tc.o)
			checkErr(t, err, tc.want)
		})
	}
}

// TestShippedFilesEndWithANewline keeps the fixtures, and the national file when present,
// readable by the strict parsers.
func TestShippedFilesEndWithANewline(t *testing.T) {
	b, err := os.ReadFile("../data/fixtures/observations-illustrative.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseObservations(strings.NewReader(string(b))); err != nil {
		t.Errorf("observations fixture: %v", err)
	}
	b, err = os.ReadFile("../data/planning/national-emissions-by-sector.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseNational(strings.NewReader(string(b))); err != nil {
		t.Errorf("national file: %v", err)
	}
}
