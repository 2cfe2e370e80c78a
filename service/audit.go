package service

import (
	"context"

	"github.com/cop-territoriales/cop-api/access"
	"github.com/cop-territoriales/cop-api/ent"
)

// requireAuditReader refuses to show audit entries to a request without a valid key
// (access.CanReadAudit).
func requireAuditReader(ctx context.Context) error {
	p, err := principal(ctx)
	if err != nil {
		return err
	}
	return access.CanReadAudit(p)
}

// guardNodes refuses nodes that are audit entries to a request that may not read them:
// node(id:) and nodes(ids:) reach every record.
func guardNodes(ctx context.Context, nodes ...ent.Noder) error {
	for _, n := range nodes {
		if _, ok := n.(*ent.AuditEntry); ok {
			return requireAuditReader(ctx)
		}
	}
	return nil
}
