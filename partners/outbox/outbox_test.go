package outbox

import (
	"slices"
	"testing"
)

func TestChangeEvents(t *testing.T) {
	for _, c := range []struct {
		entity   string
		created  bool
		from, to string
		want     []EventType
	}{
		{"Action", true, "", "PLANNED", []EventType{ActionCreated}},
		{"Action", true, "", "ABANDONED", []EventType{ActionCreated, ActionWithdrawn}},
		{"Action", false, "PLANNED", "IN_PROGRESS", []EventType{ActionUpdated}},
		{"Action", false, "PLANNED", "ABANDONED", []EventType{ActionUpdated, ActionWithdrawn}},
		{"Action", false, "ABANDONED", "ABANDONED", []EventType{ActionUpdated}},
		{"Commitment", true, "", "DRAFT", []EventType{CommitmentCreated}},
		{"Commitment", true, "", "SUBMITTED", []EventType{CommitmentCreated, CommitmentSubmitted}},
		{"Commitment", false, "DRAFT", "DRAFT", []EventType{CommitmentUpdated}},
		{"Commitment", false, "DRAFT", "SUBMITTED", []EventType{CommitmentUpdated, CommitmentSubmitted}},
		{"Commitment", false, "SUBMITTED", "SUBMITTED", []EventType{CommitmentUpdated}},
		{"Commitment", false, "SUBMITTED", "ADOPTED", []EventType{CommitmentUpdated, CommitmentAdopted}},
		{"Commitment", false, "ADOPTED", "SUBMITTED", []EventType{CommitmentUpdated, CommitmentSubmitted}},
		{"Commitment", false, "SUBMITTED", "DRAFT", []EventType{CommitmentUpdated}},
		{"Commitment", false, "ADOPTED", "WITHDRAWN", []EventType{CommitmentUpdated, CommitmentWithdrawn}},
	} {
		if got := changeEvents(c.entity, c.created, c.from, c.to); !slices.Equal(got, c.want) {
			t.Errorf("%s created=%t %s -> %s: %v, want %v", c.entity, c.created, c.from, c.to, got, c.want)
		}
	}
}
