package main

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResourceTypes(t *testing.T) {
	// A root directory with one named entry (its name offset must not count as a type)
	// and two id entries: an icon group and a version.
	dir := make([]byte, 16+3*8)
	binary.LittleEndian.PutUint16(dir[12:], 1)
	binary.LittleEndian.PutUint16(dir[14:], 2)
	binary.LittleEndian.PutUint32(dir[16:], 0x80000040)
	binary.LittleEndian.PutUint32(dir[24:], rtGroupIcon)
	binary.LittleEndian.PutUint32(dir[32:], rtVersion)
	got, err := resourceTypes(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[uint32]bool{rtGroupIcon: true, rtVersion: true}, got); diff != "" {
		t.Errorf("resource types (-want +got):\n%s", diff)
	}
	if _, err := resourceTypes(dir[:30]); err == nil {
		t.Error("a directory cut short was read without an error")
	}
}

// TestCheckRejects builds real Windows executables that miss what Merci.exe needs.
func TestCheckRejects(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build a Windows executable with")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	build := func(name string, ldflags string) string {
		exe := filepath.Join(dir, name)
		cmd := exec.Command(goTool, "build", "-ldflags="+ldflags, "-o", exe, src)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", name, err, out)
		}
		return exe
	}
	for _, tc := range []struct{ name, ldflags, want string }{
		{"console.exe", "", "subsystem"},
		{"gui.exe", "-H=windowsgui", "no resources"},
	} {
		err := check(build(tc.name, tc.ldflags))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("check(%s) = %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}
