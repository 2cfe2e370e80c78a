package enum

import "testing"

type color string

func TestUnmarshal(t *testing.T) {
	values := []string{"RED", "GREEN"}
	var c color
	if err := Unmarshal("GREEN", &c, values, "Color"); err != nil || c != "GREEN" {
		t.Fatalf("Unmarshal(GREEN) = %q, %v", c, err)
	}
	for _, bad := range []any{"BLUE", "green", "", 1, nil} {
		c = "RED"
		err := Unmarshal(bad, &c, values, "Color")
		if err == nil || c != "RED" {
			t.Errorf("Unmarshal(%v) = %q, %v; want an error and no change", bad, c, err)
		}
	}
	if err := Unmarshal("BLUE", &c, values, "Color"); err == nil || err.Error() != "BLUE is not a valid Color" {
		t.Errorf("error = %v", err)
	}
}
