package graph

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/cop-territoriales/cop-api/hierarchy"
	"github.com/cop-territoriales/cop-api/planning"
)

// MaxOperationNameLength bounds the name of an operation: names are labels of the
// metrics, and a real one is a word or two ("RegionPage").
const MaxOperationNameLength = 100

// MaxVariableValues bounds the values (texts, numbers, list entries, object fields) in
// the variables of a request. Checking them against the operation's types costs tens of
// microseconds each (20,000 filter terms took a second): bounded, variables cost at most
// about a second of CPU. The largest useful request, 1,000 observations of 8 fields,
// holds 9,000.
const MaxVariableValues = 20_000

// MaxFilterTextLength bounds a text inside a filter (nameContains, codeHasPrefix...): like
// a search text, a few words.
const MaxFilterTextLength = hierarchy.MaxSearchTextLength

// inputLimit checks the variables of a request before they are checked against their
// types (countValues), then the arguments of every field of the operation before
// anything runs, the same for every field, those to come included:
//   - no text holds a NUL character (U+0000), which PostgreSQL cannot store or compare
//     and SQLite would keep: both databases answer the same;
//   - no list has more than planning.MaxInList entries (ids, codes, levels, records);
//   - a filter (an argument of a ...WhereInput type) has at most planning.MaxFilterTerms
//     terms over its whole tree (each field predicate and each and/or/not counts one),
//     and texts of at most MaxFilterTextLength characters;
//   - the operation's name has at most MaxOperationNameLength characters.
//
// Each filter term is a condition in SQL: bounded here, a filter cannot build a
// statement the database takes minutes to plan.
type inputLimit struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = inputLimit{}

// MutateOperationParameters checks the request before its document is parsed and its
// variables checked against their types, which costs in proportion to their size: the
// operation name, the length of every list and the number of values in the variables.
func (inputLimit) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if n := utf8.RuneCountInString(p.OperationName); n > MaxOperationNameLength {
		return badInputError(fmt.Sprintf("the operation name has %d characters, at most %d", n, MaxOperationNameLength))
	}
	n := 0
	if err := countValues("variables", p.Variables, &n); err != nil {
		return badInputError(err.Error())
	}
	return nil
}

// countValues counts the values of decoded JSON into n, refusing a list over
// planning.MaxInList entries and more than MaxVariableValues values in all.
func countValues(path string, v any, n *int) error {
	*n++
	if *n > MaxVariableValues {
		return fmt.Errorf("the variables hold more than %d values", MaxVariableValues)
	}
	switch x := v.(type) {
	case []any:
		if len(x) > planning.MaxInList {
			return fmt.Errorf("%s has %d entries, at most %d", path, len(x), planning.MaxInList)
		}
		for i, e := range x {
			if err := countValues(path+"["+strconv.Itoa(i)+"]", e, n); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range x {
			if err := countValues(path+"."+k, e, n); err != nil {
				return err
			}
		}
	}
	return nil
}

func (inputLimit) ExtensionName() string                   { return "InputLimit" }
func (inputLimit) Validate(graphql.ExecutableSchema) error { return nil }

func (inputLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	name := oc.OperationName
	if name == "" && oc.Operation != nil {
		name = oc.Operation.Name
	}
	if n := utf8.RuneCountInString(name); n > MaxOperationNameLength {
		return badInputError(fmt.Sprintf("the operation name has %d characters, at most %d", n, MaxOperationNameLength))
	}
	if oc.Operation == nil {
		return nil
	}
	w := inputWalker{vars: oc.Variables, frags: oc.Doc.Fragments, seen: map[string]bool{}}
	if err := w.selections(oc.Operation.SelectionSet); err != nil {
		return badInputError(err.Error())
	}
	return nil
}

func badInputError(msg string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", msg)
	err.Extensions = map[string]any{"code": CodeBadUserInput}
	return err
}

type inputWalker struct {
	vars  map[string]any
	frags ast.FragmentDefinitionList
	seen  map[string]bool // fragments checked already
}

func (w inputWalker) selections(set ast.SelectionSet) error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := w.field(s); err != nil {
				return err
			}
			if err := w.selections(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := w.selections(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if w.seen[s.Name] {
				continue
			}
			w.seen[s.Name] = true
			if f := w.frags.ForName(s.Name); f != nil {
				if err := w.selections(f.SelectionSet); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (w inputWalker) field(f *ast.Field) error {
	if len(f.Arguments) == 0 {
		return nil
	}
	for name, v := range f.ArgumentMap(w.vars) {
		filter := false
		if f.Definition != nil {
			if def := f.Definition.Arguments.ForName(name); def != nil {
				filter = strings.HasSuffix(def.Type.Name(), "WhereInput")
			}
		}
		what := f.Name + "(" + name + ")"
		if filter {
			if n := filterTerms(v, planning.MaxFilterTerms+1); n > planning.MaxFilterTerms {
				return fmt.Errorf("%s: the filter has more than %d terms (each field, and, or and not counts one)", what, planning.MaxFilterTerms)
			}
		}
		if err := checkValue(what, v, filter); err != nil {
			return err
		}
	}
	return nil
}

// checkValue checks a value as read from the operation and its variables: texts, lists,
// and input objects, recursively (their depth is bounded by the JSON decoder and the
// document parser).
func checkValue(path string, v any, filter bool) error {
	switch x := v.(type) {
	case string:
		max := math.MaxInt
		if filter {
			max = MaxFilterTextLength
		}
		return hierarchy.CheckText(path, x, max)
	case []any:
		if len(x) > planning.MaxInList {
			return fmt.Errorf("%s has %d entries, at most %d", path, len(x), planning.MaxInList)
		}
		for i, e := range x {
			if err := checkValue(path+"["+strconv.Itoa(i)+"]", e, filter); err != nil {
				return err
			}
		}
	case map[string]any:
		for k, e := range x {
			if err := checkValue(path+"."+k, e, filter); err != nil {
				return err
			}
		}
	}
	return nil
}

// filterTerms counts the terms of a filter as the client wrote it: every field given (a
// list of values counts one), every and, or and not, and the terms inside them; it stops
// counting past limit.
func filterTerms(v any, limit int) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			if n >= limit {
				return n
			}
			if e == nil {
				continue
			}
			n += 1 + filterTerms(e, limit-n)
		}
	case []any:
		for _, e := range x {
			if n >= limit {
				return n
			}
			if _, ok := e.(map[string]any); ok {
				n += filterTerms(e, limit-n)
			}
		}
	}
	return n
}
