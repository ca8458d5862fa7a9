package gentest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// These tests build a user's module in a temporary directory, requiring
// this checkout's generators module through a replace directive, and
// look at the module graph the user ends up with: what importing gentest
// and the generators costs, and that it changes no version the user
// chose. They run the go command and may fetch from the module proxy.

// pseudo is the version a module without published versions is
// required at; the replace directive supplies its code.
const pseudo = "v0.0.0-00010101000000-000000000000"

// allowed are the only modules a user's graph may hold besides the
// user's own.
var allowed = []string{
	"github.com/idsim/idsim/generators",
	"pgregory.net/rapid",
}

// userModule writes a module named example.com/user into a temporary
// directory with the given go.mod requirements, replace directives to
// this checkout's generators and workerid modules and the given files,
// runs go mod tidy and returns the directory.
func userModule(t *testing.T, require []string, files map[string]string) string {
	t.Helper()
	generators, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mod := "module example.com/user\n\ngo 1.26.0\n\nrequire (\n"
	for _, r := range require {
		mod += "\t" + r + "\n"
	}
	mod += ")\n\nreplace (\n" +
		"\tgithub.com/idsim/idsim/generators => " + filepath.ToSlash(generators) + "\n" +
		"\tgithub.com/idsim/idsim/generators/workerid => " + filepath.ToSlash(filepath.Join(generators, "workerid")) + "\n" +
		")\n"
	files["go.mod"] = mod
	// The generators module's checksums, so that tidy needs the network
	// only for what the user adds.
	if sum, err := os.ReadFile(filepath.Join(generators, "go.sum")); err == nil {
		files["go.sum"] = string(sum)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goCmd(t, dir, "mod", "tidy")
	return dir
}

// goCmd runs the go command in dir, outside any workspace, and returns
// its standard output; it fails the test with the output on error.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		if goTool, err = exec.LookPath("go"); err != nil {
			t.Fatalf("no go command: %v", err)
		}
	}
	cmd := exec.Command(goTool, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, stderr.String())
	}
	return string(out)
}

func TestImportingGeneratorsAddsOnlyRapid(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on a scratch module; not a race test")
	}
	dir := userModule(t, []string{"github.com/idsim/idsim/generators " + pseudo}, map[string]string{
		"user.go": "package user\n",
		"user_test.go": `package user

import (
	"testing"

	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/faulty"
	"github.com/idsim/idsim/generators/gentest"
	"github.com/idsim/idsim/generators/rangebatch"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
)

var (
	_ clock.Clock
	_ entropy.Source
	_ faulty.Bug
	_ rangebatch.Config
	_ snowflake.Config
	_ ulid.Config
	_ uuid.V7Config
)

func TestSnowflake(t *testing.T) {
	gentest.Check(t, func(env gentest.Env) (gentest.Generator, error) {
		g, err := snowflake.New(snowflake.Config{Layout: snowflake.Twitter, Worker: int64(env.Worker)}, env.Clock)
		return gentest.Func(func() (gentest.ID, error) {
			id, err := g.Next()
			return gentest.ID{Lo: id}, err
		}), err
	}, gentest.Promises{Unique: true}, gentest.Options{MaxWorker: 1023})
}
`,
	})
	// The user's test must compile against what tidy chose.
	goCmd(t, dir, "vet", "./...")
	var extra []string
	mods := strings.Fields(goCmd(t, dir, "list", "-m", "-f", "{{.Path}}", "all"))
	for _, m := range mods[1:] { // mods[0] is the user's module
		if !isAllowed(m) {
			extra = append(extra, m)
		}
	}
	if len(extra) > 0 {
		t.Errorf("a module importing gentest and the generators gets %d modules beyond %v:\n%s",
			len(extra), allowed, strings.Join(extra, "\n"))
	}
	t.Logf("go list -m all: %d modules: %s", len(mods), strings.Join(mods, " "))
}

func isAllowed(m string) bool {
	for _, a := range allowed {
		if m == a {
			return true
		}
	}
	return false
}

func TestUsersGoogleUUIDVersionHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on a scratch module; not a race test")
	}
	dir := userModule(t, []string{
		"github.com/google/uuid v1.5.0",
		"github.com/idsim/idsim/generators " + pseudo,
	}, map[string]string{
		"user.go": `package user

import (
	googleuuid "github.com/google/uuid"

	"github.com/idsim/idsim/generators/uuid"
)

var (
	_ = googleuuid.New
	_ uuid.V7Config
)
`,
		"user_test.go": `package user

import _ "github.com/idsim/idsim/generators/gentest"
`,
	})
	got := strings.TrimSpace(goCmd(t, dir, "list", "-m", "github.com/google/uuid"))
	if got != "github.com/google/uuid v1.5.0" {
		t.Errorf("the user pinned github.com/google/uuid v1.5.0 and got %q", got)
	}
}

// The workerid module needs the etcd client, and with it gRPC, whose own
// go.mod brings OpenTelemetry, gonum and google/uuid v1.6.0 into a user's
// module graph. What it must not bring is the harness's: etcd's server,
// SQLite, the comparison benchmarks' ID libraries.
func TestImportingWorkeridAddsNoHarnessModule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command on a scratch module; not a race test")
	}
	dir := userModule(t, []string{"github.com/idsim/idsim/generators/workerid " + pseudo}, map[string]string{
		"user.go": "package user\n\nimport _ \"github.com/idsim/idsim/generators/workerid\"\n",
	})
	var found []string
	for _, m := range strings.Fields(goCmd(t, dir, "list", "-m", "-f", "{{.Path}}", "all")) {
		if m == "github.com/idsim/idsim" {
			found = append(found, m)
		}
		for _, bad := range []string{"go.etcd.io/etcd/server", "modernc.org/", "github.com/lib/pq", "gonum.org/v1/plot",
			"github.com/bwmarrin/", "github.com/sony/", "github.com/oklog/", "github.com/gofrs/", "github.com/idsim/idsim/generators/compare"} {
			if strings.HasPrefix(m, bad) {
				found = append(found, m)
				break
			}
		}
	}
	if len(found) > 0 {
		t.Errorf("a module importing workerid gets harness or ID-library modules:\n%s", strings.Join(found, "\n"))
	}
}
