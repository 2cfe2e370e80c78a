package planning

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// The fuzz tests check that no input makes the parsers panic, and that a parser either
// returns records or an error, never both: a refused file yields nothing to write.

func FuzzParseSGPE(f *testing.F) {
	f.Add([]byte(sgpeSample))
	f.Add([]byte(`[{"id":"x","leverName":"y","regionName":"Bretagne","regionEnabled":true,"sector":"Industrie","group":"Mieux produire","objCO2":1e308,"ratioCO2toPhys":1e308,"startPoint2019":-1e308,"unitPhys":"kha"}]`))
	f.Add([]byte(`[null, 1, "x", {}]`))
	f.Add([]byte(sgpeSample[:len(sgpeSample)/2]))
	f.Add([]byte(strings.Replace(sgpeSample, `"id":"augm_voitelec"`, `"id":5`, 1)))
	f.Add([]byte(strings.Replace(sgpeSample, `"objCO2":290.6026`, `"objCO2":null`, 1)))
	if b, err := os.ReadFile("../data/planning/sgpe-simulateur-territorial.json"); err == nil && len(b) < 1<<20 {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseSGPE(bytes.NewReader(data), regionCodes)
		if (file == nil) == (err == nil) {
			t.Fatalf("ParseSGPE returned %v and %v", file, err)
		}
		if err != nil {
			checkShortLines(t, err)
		}
	})
}

func FuzzParseNational(f *testing.F) {
	f.Add([]byte(nationalSample))
	f.Add([]byte("sector,label_fr,unit,y2019,target_2030\n\"transports,x\n"))
	f.Add([]byte("sector,label_fr,unit,y2019,target_2030\nagriculture,Agriculture,MtCO2e,82.8,6"))
	f.Add([]byte("sector,label_fr,unit,y2019,target_2030\nagriculture,Agriculture,MtCO2e,NaN,1e400\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseNational(bytes.NewReader(data))
		if err != nil && rows != nil {
			t.Fatalf("rows with an error")
		}
		if err != nil {
			checkShortLines(t, err)
		}
		if len(data) > 0 && data[len(data)-1] != '\n' && err == nil {
			t.Fatalf("a file without a final newline was accepted: %q", data)
		}
	})
}

func FuzzParseObservations(f *testing.F) {
	f.Add([]byte("level,code,lever,sector,metric,unit,year,value,source\nREGION,53,augm_voitelec,,PHYSICAL,,2023,41.5,x\n"))
	f.Add([]byte("level,code,lever,sector,metric,unit,year,value,source\n,,,,,,,,\n"))
	f.Add([]byte("level,code,lever,sector,metric,unit,year,value,source\nREGION,53,augm_voitelec,,PHYSICAL,,2023,41.5,\"SDES"))
	f.Add([]byte("level,code,lever,sector,metric,unit,year,value,source\nREGION,53,augm_voitelec,,PHYSICAL,,2023,-Inf,S\x00\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ParseObservations(bytes.NewReader(data))
		if (recs == nil) == (err == nil) {
			t.Fatalf("ParseObservations returned %v and %v", recs, err)
		}
		if err != nil {
			checkShortLines(t, err)
		}
		if len(data) > 0 && data[len(data)-1] != '\n' && err == nil {
			t.Fatalf("a file without a final newline was accepted: %q", data)
		}
		for _, o := range recs {
			if o.Value != o.Value || o.Value > MaxObservationValue || o.Value < -MaxObservationValue {
				t.Fatalf("value %v accepted", o.Value)
			}
		}
	})
}

// checkShortLines fails when a line of an error is long enough to carry a large chunk of
// the input back.
func checkShortLines(t *testing.T, err error) {
	t.Helper()
	for _, line := range strings.Split(err.Error(), "\n") {
		if len(line) > 1000 {
			t.Fatalf("an error line of %d bytes: %.200s...", len(line), line)
		}
	}
}
