package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strings"
)

// A mutant is one small change to one source file: the bytes
// src[Start:End] replaced by New.
type mutant struct {
	File  string // path relative to the repository root
	Line  int
	Col   int
	Start int
	End   int
	New   string
	Desc  string // what was changed, e.g. `"<" -> "<="`
	Code  string // the original source line, trimmed
	Func  string // the enclosing function, for reading the report
	Extra []edit // further edits made together with this one
}

// An edit replaces src[Start:End] by New.
type edit struct {
	Start, End int
	New        string
}

// apply returns src with the mutant's edits made.
func (m mutant) apply(src []byte) []byte {
	edits := append([]edit{{m.Start, m.End, m.New}}, m.Extra...)
	sort.Slice(edits, func(i, j int) bool { return edits[i].Start > edits[j].Start })
	out := append([]byte(nil), src...)
	for _, e := range edits {
		out = append(out[:e.Start:e.Start], append([]byte(e.New), out[e.End:]...)...)
	}
	return out
}

// binaryOps lists, for each binary operator, what it is mutated into.
var binaryOps = map[token.Token][]token.Token{
	token.LSS:     {token.LEQ},
	token.LEQ:     {token.LSS},
	token.GTR:     {token.GEQ},
	token.GEQ:     {token.GTR},
	token.EQL:     {token.NEQ},
	token.NEQ:     {token.EQL},
	token.ADD:     {token.SUB},
	token.SUB:     {token.ADD},
	token.MUL:     {token.QUO},
	token.QUO:     {token.MUL},
	token.REM:     {token.MUL},
	token.AND:     {token.OR},
	token.OR:      {token.AND},
	token.XOR:     {token.OR},
	token.AND_NOT: {token.AND},
	token.SHL:     {token.SHR},
	token.SHR:     {token.SHL},
	token.LAND:    {token.LOR},
	token.LOR:     {token.LAND},
}

// assignOps lists, for each assignment operator, what it is mutated into.
var assignOps = map[token.Token]token.Token{
	token.ADD_ASSIGN:     token.SUB_ASSIGN,
	token.SUB_ASSIGN:     token.ADD_ASSIGN,
	token.MUL_ASSIGN:     token.QUO_ASSIGN,
	token.QUO_ASSIGN:     token.MUL_ASSIGN,
	token.OR_ASSIGN:      token.AND_ASSIGN,
	token.AND_ASSIGN:     token.OR_ASSIGN,
	token.XOR_ASSIGN:     token.OR_ASSIGN,
	token.SHL_ASSIGN:     token.SHR_ASSIGN,
	token.SHR_ASSIGN:     token.SHL_ASSIGN,
	token.AND_NOT_ASSIGN: token.AND_ASSIGN,
}

// generate returns every mutant of one file, in source order.
func generate(rel string, src []byte) ([]mutant, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(src), "\n")
	var out []mutant
	var funcName string
	add := func(pos token.Pos, end token.Pos, repl, desc string, extra ...edit) {
		p := fset.Position(pos)
		out = append(out, mutant{
			File: rel, Line: p.Line, Col: p.Column,
			Start: p.Offset, End: fset.Position(end).Offset,
			New: repl, Desc: desc, Func: funcName,
			Code:  strings.Join(strings.Fields(lines[p.Line-1]), " "),
			Extra: extra,
		})
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset }
	text := func(n ast.Node) string { return string(src[off(n.Pos()):off(n.End())]) }

	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			// Only code in function bodies is mutated: constants and
			// types are exercised through the functions that use them.
			continue
		}
		funcName = fd.Name.Name
		if fd.Recv != nil && len(fd.Recv.List) == 1 {
			funcName = recvName(fd.Recv.List[0].Type) + "." + funcName
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ReturnStmt:
				// What a function returns beside a non-nil error is
				// ignored by Go convention: it is not mutated.
				if len(n.Results) > 1 && returnsError(n.Results[len(n.Results)-1]) {
					return false
				}
			case *ast.BinaryExpr:
				for _, to := range binaryOps[n.Op] {
					if (n.Op == token.ADD || n.Op == token.SUB) && (isString(n.X) || isString(n.Y)) {
						continue
					}
					add(n.OpPos, n.OpPos+token.Pos(len(n.Op.String())), to.String(),
						fmt.Sprintf("%q -> %q", n.Op.String(), to.String()))
				}
			case *ast.AssignStmt:
				if to, ok := assignOps[n.Tok]; ok {
					add(n.TokPos, n.TokPos+token.Pos(len(n.Tok.String())), to.String(),
						fmt.Sprintf("%q -> %q", n.Tok.String(), to.String()))
				}
			case *ast.IncDecStmt:
				to := token.DEC
				if n.Tok == token.DEC {
					to = token.INC
				}
				add(n.TokPos, n.TokPos+2, to.String(), fmt.Sprintf("%q -> %q", n.Tok.String(), to.String()))
			case *ast.UnaryExpr:
				if n.Op == token.NOT {
					add(n.OpPos, n.OpPos+1, "", fmt.Sprintf("remove unary %q", n.Op.String()))
				}
			case *ast.BasicLit:
				if n.Kind == token.INT && (n.Value == "0" || n.Value == "1") {
					to := map[string]string{"0": "1", "1": "0"}[n.Value]
					add(n.Pos(), n.End(), to, fmt.Sprintf("%s -> %s", n.Value, to))
				}
			case *ast.IfStmt:
				if redundantNegation(n.Cond) {
					break
				}
				add(n.Cond.Pos(), n.Cond.Pos(), "!(", "negate if condition",
					edit{off(n.Cond.End()), off(n.Cond.End()), ")"})
			case *ast.BlockStmt:
				for i, s := range n.List {
					if _, ret := s.(*ast.ReturnStmt); ret && n == fd.Body && i == len(n.List)-1 && fd.Type.Results != nil {
						continue // a function cannot end without its return
					}
					deletable(s, text, add)
				}
			case *ast.CaseClause:
				for _, s := range n.Body {
					deletable(s, text, add)
				}
			}
			return true
		})
	}
	return out, nil
}

// deletable adds the mutant that deletes statement s, if s assigns,
// returns, calls, or breaks out of a loop.
func deletable(s ast.Stmt, text func(ast.Node) string, add func(token.Pos, token.Pos, string, string, ...edit)) {
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok == token.DEFINE {
			return
		}
	case *ast.IncDecStmt, *ast.ExprStmt, *ast.ReturnStmt:
	case *ast.BranchStmt:
		if s.Tok != token.BREAK && s.Tok != token.CONTINUE {
			return
		}
	default:
		return
	}
	t := text(s)
	// Keep the line numbers: blank the statement but keep its newlines.
	blank := strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		return ' '
	}, t)
	short := strings.Join(strings.Fields(t), " ")
	if len(short) > 60 {
		short = short[:57] + "..."
	}
	add(s.Pos(), s.End(), blank, fmt.Sprintf("delete %q", short))
}

// returnsError reports whether e is evidently a non-nil error: a call
// of fmt.Errorf or errors.New, or a variable named err.
func returnsError(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "err"
	case *ast.CallExpr:
		if sel, ok := e.Fun.(*ast.SelectorExpr); ok {
			if x, ok := sel.X.(*ast.Ident); ok {
				return x.Name == "fmt" && sel.Sel.Name == "Errorf" || x.Name == "errors" && sel.Sel.Name == "New"
			}
		}
	}
	return false
}

// redundantNegation reports whether negating cond makes a mutant
// already made by flipping its == or != or removing its !.
func redundantNegation(cond ast.Expr) bool {
	for {
		p, ok := cond.(*ast.ParenExpr)
		if !ok {
			break
		}
		cond = p.X
	}
	switch c := cond.(type) {
	case *ast.BinaryExpr:
		return c.Op == token.EQL || c.Op == token.NEQ
	case *ast.UnaryExpr:
		return c.Op == token.NOT
	}
	return false
}

func isString(e ast.Expr) bool {
	l, ok := e.(*ast.BasicLit)
	return ok && l.Kind == token.STRING
}

func recvName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvName(t.X)
	case *ast.IndexExpr:
		return recvName(t.X)
	case *ast.IndexListExpr:
		return recvName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return "?"
}
