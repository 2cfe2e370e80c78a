package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// listmarshalPath is the import path of graph/listmarshal, which the edited server calls.
const listmarshalPath = "github.com/cop-territoriales/cop-api/graph/listmarshal"

// rewrite edits the server gqlgen generated, src, as e tells and returns it formatted:
//
//   - the body of each plain field's function becomes a call of its marshal function
//     with its value (marshalPlain);
//   - in each list marshal function, the call of graphql.MarshalSliceConcurrently becomes
//     one of lists.Slice given the element type (routeSlice);
//   - in each object's marshaller, graphql.NewDeferredGroup becomes listmarshal.Deferred,
//     and the object is returned as a listmarshal.Object when nothing is deferred
//     (rewriteObject).
//
// Every function named in e must be found with the shape expected, and no call of
// MarshalSliceConcurrently or NewDeferredGroup may be left, else it fails naming the
// function: gqlgen then writes its server otherwise.
//
// The printer lays out the nodes by the lines of their positions and places the comments
// by their offsets: the nodes made here take the position of what they replace (at), and
// the lines of what is removed are joined into one (closeUp), so that they leave no blank
// line and no comment moves.
func rewrite(src []byte, e edits) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "generated.go", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	funcs := map[string]*ast.FuncDecl{} // nil: declared more than once
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			if _, dup := funcs[fd.Name.Name]; dup {
				funcs[fd.Name.Name] = nil
			} else {
				funcs[fd.Name.Name] = fd
			}
		}
	}
	var errs []string
	each := func(names map[string]bool, edit func(*ast.FuncDecl) error) {
		for _, name := range sorted(names) {
			fd, ok := funcs[name]
			if !ok || fd == nil {
				errs = append(errs, fmt.Sprintf("%s: not found, or declared more than once", name))
				continue
			}
			if err := edit(fd); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", name, err))
			}
		}
	}
	tf := fset.File(f.Pos())
	each(e.plain, func(fd *ast.FuncDecl) error { return marshalPlain(tf, fd) })
	slices := map[string]bool{}
	for name := range e.slices {
		slices[name] = true
	}
	each(slices, func(fd *ast.FuncDecl) error { return routeSlice(fd, e.slices[fd.Name.Name]) })
	each(e.objects, func(fd *ast.FuncDecl) error { return rewriteObject(tf, fd) })
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				for _, fn := range []string{"MarshalSliceConcurrently", "NewDeferredGroup"} {
					if isSelector(call.Fun, "graphql", fn) {
						errs = append(errs, fmt.Sprintf("%s: a call of graphql.%s left", fd.Name.Name, fn))
					}
				}
			}
			return true
		})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("not written as expected (has gqlgen changed?):\n\t%s", strings.Join(errs, "\n\t"))
	}
	astutil.AddImport(fset, f, listmarshalPath)
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// marshalPlain replaces the body of the function of a plain field,
//
//	return graphql.ResolveField(ctx, ec.OperationContext, field,
//		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {...},
//		func(ctx context.Context) (any, error) { return obj.Field, nil },
//		nil,
//		func(ctx context.Context, selections ast.SelectionSet, v T) graphql.Marshaler {
//			return ec.marshalT(ctx, selections, v)
//		},
//		true, true)
//
// with
//
//	return ec.marshalT(ctx, field.Selections, obj.Field)
//
// The field must have no middleware of its own (directives) and its value must be read
// from obj's fields.
func marshalPlain(tf *token.File, fd *ast.FuncDecl) error {
	ret, ok := onlyReturn(fd.Body)
	if !ok {
		return fmt.Errorf("body not a single return of graphql.ResolveField")
	}
	call, ok := ret.(*ast.CallExpr)
	if !ok || !isSelector(call.Fun, "graphql", "ResolveField") || len(call.Args) != 9 {
		return fmt.Errorf("body not a single return of graphql.ResolveField with 9 arguments")
	}
	if !isIdent(call.Args[5], "nil") {
		return fmt.Errorf("field with a middleware of its own")
	}
	value, err := resolvedValue(call.Args[4])
	if err != nil {
		return err
	}
	marshal, err := marshalFunc(call.Args[6])
	if err != nil {
		return err
	}
	old := fd.Body.List[0]
	fd.Body.List = []ast.Stmt{at(old.Pos(), &ast.ReturnStmt{Results: []ast.Expr{&ast.CallExpr{
		Fun:  marshal,
		Args: []ast.Expr{ast.NewIdent("ctx"), selector(ast.NewIdent("field"), "Selections"), value},
	}}})}
	closeUp(tf, old.Pos(), fd.Body.Rbrace)
	return nil
}

// resolvedValue returns, from the resolver closure of a field, func(ctx context.Context)
// (any, error) { return obj.Field, nil }, a copy of obj.Field: a field of obj, at any
// depth (obj.A.B).
func resolvedValue(e ast.Expr) (ast.Expr, error) {
	lit, ok := e.(*ast.FuncLit)
	if !ok {
		return nil, fmt.Errorf("resolver not a function literal")
	}
	ret, ok := onlyReturn(lit.Body)
	if !ok || len(lit.Body.List[0].(*ast.ReturnStmt).Results) != 2 ||
		!isIdent(lit.Body.List[0].(*ast.ReturnStmt).Results[1], "nil") {
		return nil, fmt.Errorf("resolver not a single return of a value and nil")
	}
	var path []string
	for {
		switch x := ret.(type) {
		case *ast.SelectorExpr:
			path = append(path, x.Sel.Name)
			ret = x.X
			continue
		case *ast.Ident:
			if x.Name != "obj" || len(path) == 0 {
				return nil, fmt.Errorf("resolver's value not read from a field of obj")
			}
			value := ast.Expr(ast.NewIdent("obj"))
			for i := len(path) - 1; i >= 0; i-- {
				value = selector(value, path[i])
			}
			return value, nil
		}
		return nil, fmt.Errorf("resolver's value not read from a field of obj")
	}
}

// marshalFunc returns, from the marshal closure of a field, func(ctx context.Context,
// selections ast.SelectionSet, v T) graphql.Marshaler { return ec.marshalT(ctx,
// selections, v) }, a copy of ec.marshalT.
func marshalFunc(e ast.Expr) (ast.Expr, error) {
	lit, ok := e.(*ast.FuncLit)
	if !ok {
		return nil, fmt.Errorf("marshaller not a function literal")
	}
	ret, ok := onlyReturn(lit.Body)
	call, isCall := ret.(*ast.CallExpr)
	if !ok || !isCall || len(call.Args) != 3 || !isIdent(call.Args[0], "ctx") ||
		!isIdent(call.Args[1], "selections") || !isIdent(call.Args[2], "v") {
		return nil, fmt.Errorf("marshaller not a single return of a call with ctx, selections and v")
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !isIdent(sel.X, "ec") || !strings.HasPrefix(sel.Sel.Name, "marshal") {
		return nil, fmt.Errorf("marshaller not a call of an ec.marshal function")
	}
	return selector(ast.NewIdent("ec"), sel.Sel.Name), nil
}

// routeSlice replaces, in the marshal function of a list, the call
//
//	graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {...})
//
// with
//
//	lists.Slice(ctx, sel, "Elem", len(v), func(ctx context.Context, i int) graphql.Marshaler {...})
//
// There must be one such call, marshalling concurrently with no worker limit and the
// panics recovered: lists.Slice does as much.
func routeSlice(fd *ast.FuncDecl, elem string) error {
	n := 0
	var err error
	ast.Inspect(fd.Body, func(node ast.Node) bool {
		call, ok := node.(*ast.CallExpr)
		if !ok || !isSelector(call.Fun, "graphql", "MarshalSliceConcurrently") {
			return true
		}
		n++
		if len(call.Args) != 5 || !isIdent(call.Args[0], "ctx") || !isLit(call.Args[2], "0") || !isIdent(call.Args[3], "false") {
			err = fmt.Errorf("graphql.MarshalSliceConcurrently not called with ctx, n, 0, false and a function")
			return false
		}
		call.Fun = at(call.Fun.Pos(), selector(ast.NewIdent("lists"), "Slice"))
		n := call.Args[1]
		call.Args = []ast.Expr{call.Args[0], at(n.Pos(), ast.NewIdent("sel")),
			at(n.Pos(), &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(elem)}), n, call.Args[4]}
		return false
	})
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("%d calls of graphql.MarshalSliceConcurrently, want 1", n)
	}
	return nil
}

// rewriteObject edits the marshaller of an object: its statement
//
//	deferred := graphql.NewDeferredGroup(ctx)
//
// becomes
//
//	deferred := listmarshal.Deferred(ctx, fields)
//
// and its end,
//
//	if n := len(deferred.Defers); n > 0 {
//		...
//		ec.ProcessDeferredGroup(deferred)
//	}
//
//	return out
//
// becomes
//
//	if n := len(deferred.Defers); n > 0 {
//		...
//		ec.ProcessDeferredGroup(deferred)
//		return out
//	}
//	return listmarshal.Object(fields, out.Values)
func rewriteObject(tf *token.File, fd *ast.FuncDecl) error {
	list := fd.Body.List
	if len(list) == 0 || !definesIdent(list[0], "fields") {
		return fmt.Errorf("marshaller not starting with fields :=")
	}
	group := 0
	for _, s := range list {
		as, ok := s.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || !isIdent(as.Lhs[0], "deferred") || len(as.Rhs) != 1 {
			continue
		}
		if !isCall(as.Rhs[0], "graphql", "NewDeferredGroup", "ctx") {
			continue
		}
		call := as.Rhs[0].(*ast.CallExpr)
		call.Fun = at(call.Fun.Pos(), selector(ast.NewIdent("listmarshal"), "Deferred"))
		call.Args = append(call.Args, at(call.Args[0].End(), ast.NewIdent("fields")))
		group++
	}
	if group != 1 {
		return fmt.Errorf("%d statements deferred := graphql.NewDeferredGroup(ctx), want 1", group)
	}
	n := len(list)
	if n < 3 {
		return fmt.Errorf("marshaller not ending with the deferred group and return out")
	}
	ret, ok := list[n-1].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 || !isIdent(ret.Results[0], "out") {
		return fmt.Errorf("marshaller not ending with return out")
	}
	ifs, ok := list[n-2].(*ast.IfStmt)
	if !ok || ifs.Else != nil || len(ifs.Body.List) == 0 {
		return fmt.Errorf("marshaller's return out not after an if of the deferred group")
	}
	last, _ := ifs.Body.List[len(ifs.Body.List)-1].(*ast.ExprStmt)
	if last == nil || !isCall(last.X, "ec", "ProcessDeferredGroup", "deferred") {
		return fmt.Errorf("marshaller's last if not ending with ec.ProcessDeferredGroup(deferred)")
	}
	ifs.Body.List = append(ifs.Body.List, at(ifs.Body.Rbrace, &ast.ReturnStmt{Results: []ast.Expr{ast.NewIdent("out")}}))
	list[n-1] = at(ret.Pos(), &ast.ReturnStmt{Results: []ast.Expr{&ast.CallExpr{
		Fun:  selector(ast.NewIdent("listmarshal"), "Object"),
		Args: []ast.Expr{ast.NewIdent("fields"), selector(ast.NewIdent("out"), "Values")},
	}}})
	closeUp(tf, ifs.Body.Rbrace, ret.Pos())
	return nil
}

// at gives the nodes of n without a position the position pos, that of what n replaces.
func at[N ast.Node](pos token.Pos, n N) N {
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Ident:
			if !x.NamePos.IsValid() {
				x.NamePos = pos
			}
		case *ast.BasicLit:
			if !x.ValuePos.IsValid() {
				x.ValuePos = pos
			}
		case *ast.CallExpr:
			if !x.Lparen.IsValid() {
				x.Lparen, x.Rparen = pos, pos
			}
		case *ast.ReturnStmt:
			if !x.Return.IsValid() {
				x.Return = pos
			}
		}
		return true
	})
	return n
}

// closeUp joins the lines from that of a to the one before that of b, so that b's line
// follows a's.
func closeUp(tf *token.File, a, b token.Pos) {
	for l := tf.Line(a); tf.Line(b) > l+1; {
		tf.MergeLine(l)
	}
}

// onlyReturn returns the only result of a block made of a single return statement.
func onlyReturn(b *ast.BlockStmt) (ast.Expr, bool) {
	if b == nil || len(b.List) != 1 {
		return nil, false
	}
	ret, ok := b.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) == 0 {
		return nil, false
	}
	return ret.Results[0], true
}

// definesIdent reports whether s is name := ....
func definesIdent(s ast.Stmt, name string) bool {
	as, ok := s.(*ast.AssignStmt)
	return ok && as.Tok == token.DEFINE && len(as.Lhs) == 1 && isIdent(as.Lhs[0], name)
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

func isLit(e ast.Expr, value string) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Value == value
}

// isCall reports whether e is x.fn(args...), each argument an identifier.
func isCall(e ast.Expr, x, fn string, args ...string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok || !isSelector(call.Fun, x, fn) || len(call.Args) != len(args) {
		return false
	}
	for i, a := range args {
		if !isIdent(call.Args[i], a) {
			return false
		}
	}
	return true
}

// isSelector reports whether e is x.sel.
func isSelector(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	return ok && isIdent(s.X, x) && s.Sel.Name == sel
}

func selector(x ast.Expr, sel string) *ast.SelectorExpr {
	return &ast.SelectorExpr{X: x, Sel: ast.NewIdent(sel)}
}

func sorted(set map[string]bool) []string {
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
