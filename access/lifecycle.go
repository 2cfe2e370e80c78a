package access

import "fmt"

// Commitment statuses.
const (
	Draft     CommitmentStatus = "DRAFT"
	Submitted CommitmentStatus = "SUBMITTED"
	Adopted   CommitmentStatus = "ADOPTED"
	Withdrawn CommitmentStatus = "WITHDRAWN"
)

// transitions lists the allowed status changes of a commitment and whether each needs
// the region's coordinator (or an admin). Adoption puts a commitment in the regional
// roadmap, so every change that takes one out of it is the coordinator's too: sending it
// back to SUBMITTED, and withdrawing it. Before adoption the committing territory's
// contributors move their own commitments freely.
var transitions = map[[2]CommitmentStatus]bool{
	{Draft, Submitted}:     false,
	{Submitted, Draft}:     false,
	{Submitted, Adopted}:   true,
	{Draft, Withdrawn}:     false,
	{Submitted, Withdrawn}: false,
	{Adopted, Withdrawn}:   true,
	{Adopted, Submitted}:   true,
}

// Transition checks a commitment's status change: whether it exists in the life cycle,
// and whether it needs the region's coordinator. When needsCoordinator is true the caller
// must check CanCoordinate rather than CanWrite: a contributor cannot withdraw a
// commitment its region adopted, nor send it back, since that would change the roadmap
// the COP agreed on behind the coordinator's back.
func Transition(from, to CommitmentStatus) (needsCoordinator bool, err error) {
	c, ok := transitions[[2]CommitmentStatus{from, to}]
	if !ok {
		return false, fmt.Errorf("a commitment cannot go from %s to %s", from, to)
	}
	return c, nil
}
