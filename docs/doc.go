// Package docs holds the project's documentation pages, one per topic (architecture.md,
// dashboards.md, data-teams.md, partners.md, limits.md, operations.md, performance.md).
// Its test holds architecture.md to the code: every package directory and every file of
// service/ has its row there.
package docs
