package access

import (
	"errors"
	"testing"
)

func TestKeys(t *testing.T) {
	key, prefix, hash, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	p, secret, err := SplitKey(key)
	if err != nil || p != prefix || !Matches(secret, hash) {
		t.Fatalf("SplitKey(%q) = %q, %q, %v", key, p, secret, err)
	}
	if Matches(secret+"x", hash) || Matches("", hash) {
		t.Error("a wrong secret matches")
	}
	for _, bad := range []string{"", "cop_", "cop_1234_5678", "xyz_12345678_" + secret, "cop_12345678" + secret} {
		if _, _, err := SplitKey(bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("SplitKey(%q) = %v", bad, err)
		}
	}
}

func TestRoles(t *testing.T) {
	key := func(role Role, level string) *Principal {
		return &Principal{Organisation: "o", Prefix: "p", Role: role, TerritoryLevel: level, TerritoryCode: "x"}
	}
	for _, tc := range []struct {
		name       string
		p          *Principal
		inside     bool
		write      error
		coordinate error
	}{
		{"no key", nil, true, ErrUnauthenticated, ErrUnauthenticated},
		{"reader inside", key(Reader, "EPCI"), true, ErrForbidden, ErrForbidden},
		{"contributor inside", key(Contributor, "EPCI"), true, nil, ErrForbidden},
		{"contributor outside", key(Contributor, "EPCI"), false, ErrForbidden, ErrForbidden},
		{"region coordinator inside", key(Coordinator, "REGION"), true, nil, nil},
		{"region coordinator outside", key(Coordinator, "REGION"), false, ErrForbidden, ErrForbidden},
		{"department coordinator", key(Coordinator, "DEPARTMENT"), true, nil, ErrForbidden},
		{"admin anywhere", key(Admin, "COUNTRY"), false, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CanWrite(tc.p, tc.inside); !errors.Is(err, tc.write) && !(err == nil && tc.write == nil) {
				t.Errorf("CanWrite = %v, want %v", err, tc.write)
			}
			if err := CanCoordinate(tc.p, tc.inside); !errors.Is(err, tc.coordinate) && !(err == nil && tc.coordinate == nil) {
				t.Errorf("CanCoordinate = %v, want %v", err, tc.coordinate)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		from, to    string
		ok, coordin bool
	}{
		{Draft, Submitted, true, false},
		{Submitted, Adopted, true, true},
		{Adopted, Withdrawn, true, false},
		{Adopted, Submitted, true, true},
		{Draft, Adopted, false, false},
		{Withdrawn, Draft, false, false},
		{Withdrawn, Adopted, false, false},
		{Draft, Draft, false, false},
	} {
		c, err := Transition(tc.from, tc.to)
		if (err == nil) != tc.ok || c != tc.coordin {
			t.Errorf("Transition(%s, %s) = %v, %v", tc.from, tc.to, c, err)
		}
	}
}
