//go:build !wasip1

package vmtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strings"

	"github.com/govm-net/vm"
)

// Contract is a contract to deploy natively: its entry points, and the source file they come
// from. Declare it once, next to the contract's tests:
//
//	var counterContract = vmtest.Contract{
//		Source:    "counter.go",
//		Functions: map[string]any{"Add": Add},
//	}
type Contract struct {
	// Source is the path of the contract's Go file (a relative path is relative to the
	// test's working directory: the package's directory). Deploy hashes it as the engine
	// does, so that contract addresses and object IDs are those the engine gives, and
	// checks that Functions holds exactly the file's exported functions. Without a source,
	// the code hash is the sha256 of the entry points' names, and addresses differ from the
	// engine's.
	Source string
	// Functions maps each entry point's name to the function: the contract's exported
	// package-level functions.
	Functions map[string]any
}

// code is a contract's code, ready to run.
type code struct {
	name    string
	hash    vm.Hash
	entries map[string]*entry
	types   *types
}

// entry is one entry point, as the ABI describes it.
type entry struct {
	name     string
	fn       reflect.Value
	context  bool
	params   []reflect.Type
	results  []reflect.Type
	hasError bool
}

func (c Contract) load() (*code, error) {
	if len(c.Functions) == 0 {
		return nil, fmt.Errorf("vmtest: the contract has no functions")
	}
	ts := &types{pkgs: map[string]bool{}, structs: map[string]reflect.Type{}}
	names := make([]string, 0, len(c.Functions))
	for name, fn := range c.Functions {
		v := reflect.ValueOf(fn)
		if v.Kind() != reflect.Func || v.IsNil() {
			return nil, fmt.Errorf("vmtest: Functions[%q] is a %T, not a function", name, fn)
		}
		ts.pkgs[funcPackage(v)] = true
		names = append(names, name)
	}
	sort.Strings(names)
	out := &code{name: "contract", entries: map[string]*entry{}, types: ts}
	if c.Source == "" {
		out.hash = CodeHash([]byte(strings.Join(names, "\n")))
	} else {
		source, err := os.ReadFile(c.Source)
		if err != nil {
			return nil, fmt.Errorf("vmtest: %w", err)
		}
		out.hash = CodeHash(source)
		pkg, exported, err := exportedFunctions(c.Source, source)
		if err != nil {
			return nil, err
		}
		out.name = pkg
		if err := sameNames(c.Source, exported, names); err != nil {
			return nil, err
		}
	}
	for _, name := range names {
		e, err := newEntry(name, reflect.ValueOf(c.Functions[name]), ts)
		if err != nil {
			return nil, fmt.Errorf("vmtest: %s: %w", name, err)
		}
		out.entries[name] = e
	}
	return out, nil
}

// funcPackage is the import path of the package that declares fn.
func funcPackage(fn reflect.Value) string {
	f := runtime.FuncForPC(fn.Pointer())
	if f == nil {
		return ""
	}
	// "path/to/pkg.Func", "path/to/pkg.Test.func1"; dots in the last path element are
	// escaped as %2e.
	name := f.Name()
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		name = name[:slash+1+dot]
	}
	return strings.ReplaceAll(name, "%2e", ".")
}

// exportedFunctions lists the exported package-level functions of a Go file: the contract's
// entry points.
func exportedFunctions(path string, source []byte) (string, []string, error) {
	file, err := parser.ParseFile(token.NewFileSet(), path, source, parser.SkipObjectResolution)
	if err != nil {
		return "", nil, fmt.Errorf("vmtest: %w", err)
	}
	var names []string
	for _, decl := range file.Decls {
		if fn, ok := decl.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.IsExported() {
			names = append(names, fn.Name.Name)
		}
	}
	sort.Strings(names)
	return file.Name.Name, names, nil
}

func sameNames(path string, exported, registered []string) error {
	want := map[string]bool{}
	for _, n := range exported {
		want[n] = true
	}
	var missing, extra []string
	for _, n := range registered {
		if !want[n] {
			extra = append(extra, n)
		}
		delete(want, n)
	}
	for _, n := range exported {
		if want[n] {
			missing = append(missing, n)
		}
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, "missing from Functions: "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		problems = append(problems, "not exported functions of the file: "+strings.Join(extra, ", "))
	}
	if len(problems) > 0 {
		return fmt.Errorf("vmtest: Functions does not match the entry points of %s: %s", path, strings.Join(problems, "; "))
	}
	return nil
}

// newEntry checks a function's signature as the validator checks an entry point's.
func newEntry(name string, fn reflect.Value, ts *types) (*entry, error) {
	if !token.IsExported(name) {
		return nil, fmt.Errorf("entry points are exported: %q is not", name)
	}
	t := fn.Type()
	if t.IsVariadic() {
		return nil, fmt.Errorf("entry points are not variadic")
	}
	e := &entry{name: name, fn: fn}
	for i := 0; i < t.NumIn(); i++ {
		p := t.In(i)
		if p == contextType {
			if i != 0 {
				return nil, fmt.Errorf("vm.Context must be the first parameter")
			}
			e.context = true
			continue
		}
		if err := checkType(p, ts.pkgs); err != nil {
			return nil, fmt.Errorf("parameter %d: %w", i+1, err)
		}
		ts.learn(p)
		e.params = append(e.params, p)
	}
	for i := 0; i < t.NumOut(); i++ {
		r := t.Out(i)
		if r == errorType {
			if i != t.NumOut()-1 {
				return nil, fmt.Errorf("error must be the last result")
			}
			e.hasError = true
			continue
		}
		if err := checkType(r, ts.pkgs); err != nil {
			return nil, fmt.Errorf("result %d: %w", i+1, err)
		}
		ts.learn(r)
		e.results = append(e.results, r)
	}
	return e, nil
}
