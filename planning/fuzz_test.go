package planning

import (
	"bytes"
	"os"
	"testing"
)

// The fuzz tests check that no input makes the parsers panic, and that a parser either
// returns records or an error, never both: a refused file yields nothing to write.

func FuzzParseSGPE(f *testing.F) {
	f.Add([]byte(sgpeSample))
	f.Add([]byte(`[{"id":"x","leverName":"y","regionName":"Bretagne","regionEnabled":true,"sector":"Industrie","group":"Mieux produire","objCO2":1e308,"ratioCO2toPhys":1e308,"startPoint2019":-1e308,"unitPhys":"kha"}]`))
	f.Add([]byte(`[null, 1, "x", {}]`))
	if b, err := os.ReadFile("../../shared/data/sgpe/simulateur-territorial-data.json"); err == nil && len(b) < 1<<20 {
		f.Add(b[:min(len(b), 4096)])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseSGPE(bytes.NewReader(data), regionCodes)
		if (file == nil) == (err == nil) {
			t.Fatalf("ParseSGPE returned %v and %v", file, err)
		}
	})
}

func FuzzParseNational(f *testing.F) {
	f.Add([]byte(nationalSample))
	f.Add([]byte("sector,label_fr,unit,y2019,target_2030\n\"transports,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := ParseNational(bytes.NewReader(data))
		if (rows == nil) == (err == nil) && !(rows == nil && err == nil) {
			t.Fatalf("ParseNational returned %v and %v", rows, err)
		}
		if err != nil && rows != nil {
			t.Fatalf("rows with an error")
		}
	})
}

func FuzzParseObservations(f *testing.F) {
	f.Add([]byte("level,code,lever,sector,metric,unit,year,value,source\nREGION,53,augm_voitelec,,PHYSICAL,,2023,41.5,x\n"))
	f.Add([]byte("level,code,lever,sector,metric,unit,year,value,source\n,,,,,,,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ParseObservations(bytes.NewReader(data))
		if (recs == nil) == (err == nil) {
			t.Fatalf("ParseObservations returned %v and %v", recs, err)
		}
	})
}
