package access

import (
	"errors"
	"testing"

	"github.com/cop-territoriales/cop-api/hierarchy"
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
	for _, bad := range []string{"", "cop_", "cop_1234_5678", "xyz_12345678_" + secret, "cop_12345678" + secret,
		"cop_\x00\x00\x00\x00\x00\x00\x00\x00_" + secret, "cop_1234567\xff_" + secret, "cop_ABCDEF12_" + secret, "cop_12345678_G" + secret[1:]} {
		if _, _, err := SplitKey(bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("SplitKey(%q) = %v", bad, err)
		}
	}
}

func TestRoles(t *testing.T) {
	key := func(role Role, level hierarchy.Level) *Principal {
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
		{"reader inside", key(Reader, hierarchy.EPCI), true, ErrForbidden, ErrForbidden},
		{"contributor inside", key(Contributor, hierarchy.EPCI), true, nil, ErrForbidden},
		{"contributor outside", key(Contributor, hierarchy.EPCI), false, ErrForbidden, ErrForbidden},
		{"region coordinator inside", key(Coordinator, hierarchy.Region), true, nil, nil},
		{"region coordinator outside", key(Coordinator, hierarchy.Region), false, ErrForbidden, ErrForbidden},
		{"department coordinator", key(Coordinator, hierarchy.Department), true, nil, ErrForbidden},
		{"admin anywhere", key(Admin, hierarchy.Country), false, nil, nil},
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
		name             string
		from, to         CommitmentStatus
		ok               bool
		needsCoordinator bool
	}{
		{"contributor submits a draft", Draft, Submitted, true, false},
		{"contributor takes a submission back to draft", Submitted, Draft, true, false},
		{"contributor withdraws a draft", Draft, Withdrawn, true, false},
		{"contributor withdraws a submission", Submitted, Withdrawn, true, false},
		{"coordinator adopts a submission", Submitted, Adopted, true, true},
		{"only a coordinator withdraws an adopted commitment", Adopted, Withdrawn, true, true},
		{"only a coordinator sends an adopted commitment back", Adopted, Submitted, true, true},
		{"a draft is not adopted without submission", Draft, Adopted, false, false},
		{"an adopted commitment does not go back to draft", Adopted, Draft, false, false},
		{"a withdrawn commitment stays withdrawn", Withdrawn, Draft, false, false},
		{"a withdrawn commitment is not adopted", Withdrawn, Adopted, false, false},
		{"a withdrawn commitment is not resubmitted", Withdrawn, Submitted, false, false},
		{"no change is not a transition", Draft, Draft, false, false},
		{"unknown status", "ARCHIVED", Draft, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Transition(tc.from, tc.to)
			if (err == nil) != tc.ok || c != tc.needsCoordinator {
				t.Errorf("Transition(%s, %s) = %v, %v; want ok %v, needsCoordinator %v", tc.from, tc.to, c, err, tc.ok, tc.needsCoordinator)
			}
		})
	}
}

// TestWithdrawingAnAdoptedCommitment follows the checks a service makes: the transition
// needs the coordinator, so a contributor of the committing territory is refused and the
// region's coordinator or an admin is not.
func TestWithdrawingAnAdoptedCommitment(t *testing.T) {
	needsCoordinator, err := Transition(Adopted, Withdrawn)
	if err != nil || !needsCoordinator {
		t.Fatalf("Transition(ADOPTED, WITHDRAWN) = %v, %v; want the coordinator", needsCoordinator, err)
	}
	for _, tc := range []struct {
		name string
		p    *Principal
		want error
	}{
		{"contributor of the territory", &Principal{Prefix: "c", Role: Contributor, TerritoryLevel: hierarchy.EPCI}, ErrForbidden},
		{"coordinator of the region", &Principal{Prefix: "r", Role: Coordinator, TerritoryLevel: hierarchy.Region}, nil},
		{"admin", &Principal{Prefix: "a", Role: Admin, TerritoryLevel: hierarchy.Country}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CanCoordinate(tc.p, true); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Errorf("CanCoordinate = %v, want %v", err, tc.want)
			}
		})
	}
}
