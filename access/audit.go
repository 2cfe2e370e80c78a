package access

import "fmt"

// CanReadAudit tells whether p may read the audit log: any valid key, a reader's
// included. The log names the organisations and keys that wrote, and holds every record
// before and after each write: what partners and the administration need to check the
// writes, not something to publish to anonymous visitors. Without a key the error wraps
// ErrUnauthenticated.
func CanReadAudit(p *Principal) error {
	if p == nil {
		return fmt.Errorf("%w: the audit log needs an API key, a reader's is enough: send Authorization: Bearer <API key>", ErrUnauthenticated)
	}
	return nil
}
