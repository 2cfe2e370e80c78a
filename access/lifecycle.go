package access

import "fmt"

// Commitment statuses.
const (
	Draft     = "DRAFT"
	Submitted = "SUBMITTED"
	Adopted   = "ADOPTED"
	Withdrawn = "WITHDRAWN"
)

// transitions lists the allowed status changes of a commitment and whether each needs
// the region's coordinator (adoption, and sending an adopted commitment back).
var transitions = map[[2]string]bool{
	{Draft, Submitted}:     false,
	{Submitted, Draft}:     false,
	{Submitted, Adopted}:   true,
	{Draft, Withdrawn}:     false,
	{Submitted, Withdrawn}: false,
	{Adopted, Withdrawn}:   false,
	{Adopted, Submitted}:   true,
}

// Transition checks a commitment's status change: whether it exists in the life cycle,
// and whether it needs the region's coordinator.
func Transition(from, to string) (needsCoordinator bool, err error) {
	c, ok := transitions[[2]string{from, to}]
	if !ok {
		return false, fmt.Errorf("a commitment cannot go from %s to %s", from, to)
	}
	return c, nil
}
