package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
	"github.com/cop-territoriales/cop-api/service"
)

// CodeComplexity refuses an operation costing more than the limit.
const CodeComplexity = "COMPLEXITY_LIMIT_EXCEEDED"

// Sizes of the catalogue, as upper bounds (10 sectors and 42 levers in the SGPE file of
// 2024), for the rows of rollupBy(groupBy: SECTOR or LEVER) and of a dashboard.
const (
	maxSectorRows = 20
	maxLeverRows  = 100
)

// childRowRead is what a CHILD row of rollupBy reads besides its fields: the territory's
// roll-up cells, summed (tens of cells: per sector, status and kind of record).
const childRowRead = 50

// costLimit refuses, before anything runs, an operation whose cost is above max. The cost
// is gqlgen's complexity (one per field, lists multiplied by their page size through the
// functions of complexity.go), except for the fields that read under a territory, which
// cost what they read: the walk knows the level of the territory each field is on
// (territory(level:), children(level:), descendants(level:), rollupBy's rows...; unknown
// counts as the country) and prices with the sizes of the hierarchy (hierarchy.MaxUnder,
// hierarchy.MaxChildren):
//
//   - rollupBy(groupBy: CHILD, level: L) on a territory of level P: one row per territory
//     of L under P (at most service.MaxPageSize), each costing its fields plus the cells
//     it sums (childRowRead); SECTOR and LEVER: one row per sector or lever, each costing
//     its fields plus one;
//   - breakdown(level: L): one share per territory of L under P, each costing its fields
//     plus one;
//   - children and descendants (level: L, first: n): min(n, territories of L under P)
//     times their fields, plus the links read: every territory of L under P;
//   - rollup and rollupBy with a year or carrier levels (read from the records, not the
//     roll-up cells): plus one per commune under P;
//   - dashboard: one row per lever.
//
// Fields skipped by @skip or @include cost nothing.
type costLimit struct {
	max int
	es  graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = &costLimit{}

func (c *costLimit) ExtensionName() string { return "CostLimit" }

func (c *costLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = es
	return nil
}

func (c *costLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := costWalker{ctx: ctx, es: c.es, schema: c.es.Schema(), vars: oc.Variables}
	if cost := w.set(oc.Operation.SelectionSet, "", "", 0); cost > c.max {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", cost, c.max)
		errcode.Set(err, CodeComplexity)
		return err
	}
	return nil
}

// Cost prices an operation as the limit does (docs/limits.md describes the rule).
func Cost(es graphql.ExecutableSchema, op *ast.OperationDefinition, vars map[string]any) int {
	w := costWalker{ctx: context.Background(), es: es, schema: es.Schema(), vars: vars}
	return w.set(op.SelectionSet, "", "", 0)
}

type costWalker struct {
	ctx    context.Context
	es     graphql.ExecutableSchema
	schema *ast.Schema
	vars   map[string]any
}

// set prices a selection set. level is the level of the territory the set is on (when
// it is a Territory's), next the level of the territories a list field returns below
// it (set by children, descendants, rollupBy..., passed through connections and rows).
func (w costWalker) set(sel ast.SelectionSet, level, next hierarchy.Level, depth int) int {
	if depth > 2*MaxDepth { // fragments spread into themselves are refused by validation
		return 0
	}
	total := 0
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if skipped(s.Directives, w.vars) {
				continue
			}
			total = safeAdd(total, w.field(s, level, next, depth))
		case *ast.FragmentSpread:
			if !skipped(s.Directives, w.vars) && s.Definition != nil {
				total = safeAdd(total, w.set(s.Definition.SelectionSet, level, next, depth+1))
			}
		case *ast.InlineFragment:
			if !skipped(s.Directives, w.vars) {
				total = safeAdd(total, w.set(s.SelectionSet, level, next, depth+1))
			}
		}
	}
	return total
}

func (w costWalker) field(f *ast.Field, level, next hierarchy.Level, depth int) int {
	if f.Definition == nil || f.ObjectDefinition == nil {
		return 1
	}
	typ := w.schema.Types[f.Definition.Type.Name()]
	if typ == nil || typ.Name == "__Schema" {
		return 0
	}
	args := f.ArgumentMap(w.vars)
	parent := f.ObjectDefinition.Name

	// The levels below this field.
	produced, sets := producedLevel(parent, f.Name, args)
	childLevel, childNext := level, next
	switch {
	case typ.Name == "Territory" && sets:
		childLevel, childNext = produced, ""
	case typ.Name == "Territory":
		childLevel, childNext = next, ""
	case sets:
		childNext = produced
	case parent == "Territory" || parent == "Query" || parent == "Mutation":
		childNext = "" // another record: its territories are of any level
	}
	child := 0
	switch typ.Kind {
	case ast.Object, ast.Interface, ast.Union:
		child = w.set(f.SelectionSet, childLevel, childNext, depth+1)
	}

	if parent == "Territory" {
		if c, ok := territoryFieldCost(f.Name, level, child, args); ok {
			return c
		}
	}
	if f.ObjectDefinition.Kind == ast.Interface {
		// No cost of its own: the most expensive implementation.
		most := 0
		for _, t := range w.schema.GetPossibleTypes(f.ObjectDefinition) {
			most = max(most, w.gqlgenCost(t.Name, f.Name, typ.Kind, child, args))
		}
		return most
	}
	return w.gqlgenCost(parent, f.Name, typ.Kind, child, args)
}

// gqlgenCost is the cost complexity.go gives a field, or gqlgen's default: one plus its
// fields.
func (w costWalker) gqlgenCost(parent, field string, kind ast.DefinitionKind, child int, args map[string]any) int {
	if c, ok := w.es.Complexity(w.ctx, parent, field, child, args); ok {
		if c < 1 {
			return maxInt // a product of page sizes that overflowed
		}
		return c
	}
	return safeAdd(1, child)
}

// producedLevel is the level of the territories a field returns, directly or in its
// rows, edges or shares, when its arguments say it; sets is false when the field does not
// say.
func producedLevel(parent, field string, args map[string]any) (hierarchy.Level, bool) {
	lv := func(v any) hierarchy.Level {
		if s, ok := v.(string); ok && hierarchy.Level(s).Valid() {
			return hierarchy.Level(s)
		}
		return ""
	}
	switch parent + "." + field {
	case "Query.territory", "Territory.children", "Territory.descendants", "Territory.breakdown":
		return lv(args["level"]), true
	case "Query.territories":
		if where, ok := args["where"].(map[string]any); ok {
			return lv(where["level"]), true
		}
		return "", true
	case "Query.searchTerritories":
		if ls, ok := args["levels"].([]any); ok && len(ls) == 1 {
			return lv(ls[0]), true
		}
		return "", true
	case "Territory.rollupBy":
		if args["groupBy"] == string(service.RollupGroupChild) {
			return lv(args["level"]), true
		}
		return "", true
	}
	return "", false
}

// territoryFieldCost prices the fields of a territory of level p that read under it.
func territoryFieldCost(field string, p hierarchy.Level, child int, args map[string]any) (int, bool) {
	level := func() hierarchy.Level {
		if s, ok := args["level"].(string); ok && hierarchy.Level(s).Valid() {
			return hierarchy.Level(s)
		}
		return ""
	}
	live := readsRecords(args["filter"])
	switch field {
	case "rollupBy":
		rows, read := maxSectorRows, 1
		switch args["groupBy"] {
		case string(service.RollupGroupLever):
			rows = maxLeverRows
		case string(service.RollupGroupChild):
			rows, read = min(hierarchy.MaxUnder(p, level()), service.MaxPageSize), childRowRead
		}
		c := safeAdd(1, safeMul(max(rows, 1), safeAdd(child, read)))
		if live {
			c = safeAdd(c, hierarchy.MaxUnder(p, hierarchy.Commune))
		}
		return c, true
	case "rollup":
		c := safeAdd(1, child)
		if live {
			c = safeAdd(c, hierarchy.MaxUnder(p, hierarchy.Commune))
		}
		return c, true
	case "breakdown":
		return safeAdd(1, safeMul(max(hierarchy.MaxUnder(p, level()), 1), safeAdd(child, 1))), true
	case "children", "descendants":
		rows := hierarchy.MaxChildren(p, level())
		if field == "descendants" {
			rows = hierarchy.MaxUnder(p, level())
		}
		page := pageCost(intArg(args["first"]), intArg(args["last"]))
		return safeAdd(1, safeAdd(safeMul(max(min(page, rows), 1), child), rows)), true
	case "dashboard":
		return safeAdd(1, safeMul(maxLeverRows, child)), true
	}
	return 0, false
}

// readsRecords reports whether a roll-up filter makes the roll-up read the records
// rather than the roll-up cells: planning.ReadsRecords, the rule service.Amounts applies,
// on the filter's arguments as given (a single level stands for a list of one).
func readsRecords(filter any) bool {
	f, ok := filter.(map[string]any)
	if !ok {
		return false
	}
	levels := 0
	switch ls := f["carrierLevels"].(type) {
	case nil:
	case []any:
		levels = len(ls)
	default:
		levels = 1
	}
	return planning.ReadsRecords(f["year"] != nil, levels)
}

func intArg(v any) *int {
	var n int
	switch x := v.(type) {
	case int64:
		n = int(x)
	case int:
		n = x
	case float64:
		n = int(x)
	default:
		return nil
	}
	return &n
}

// skipped reports whether @skip(if: true) or @include(if: false) leaves a selection out.
func skipped(dirs ast.DirectiveList, vars map[string]any) bool {
	if d := dirs.ForName("skip"); d != nil {
		if v, _ := d.ArgumentMap(vars)["if"].(bool); v {
			return true
		}
	}
	if d := dirs.ForName("include"); d != nil {
		if v, ok := d.ArgumentMap(vars)["if"].(bool); ok && !v {
			return true
		}
	}
	return false
}

const maxInt = int(^uint(0) >> 1)

// safeAdd adds costs without overflowing (a client could otherwise wrap a huge cost
// around to a small one).
func safeAdd(a, b int) int {
	if a < 0 || b < 0 {
		return maxInt
	}
	if c := a + b; c >= a {
		return c
	}
	return maxInt
}

// safeMul multiplies costs without overflowing.
func safeMul(a, b int) int {
	if a < 0 || b < 0 {
		return maxInt
	}
	if a != 0 && b > maxInt/a {
		return maxInt
	}
	return a * b
}
