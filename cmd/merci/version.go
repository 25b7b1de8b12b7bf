package main

import (
	"fmt"
	"runtime/debug"
)

// version is FyneApp.toml's Version and Build, set by `make package` and `make build`
// (-ldflags -X main.version=...); a plain go build says "dev".
var version = "dev"

// versionLine is what merci --version prints: the version and the git commit the
// binary was built from, as the Go toolchain stamped it.
func versionLine() string {
	commit, dirty := "unknown", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && len(s.Value) >= 12:
				commit = s.Value[:12]
			case s.Key == "vcs.modified" && s.Value == "true":
				dirty = "+changes"
			}
		}
	}
	return fmt.Sprintf("Merci %s (commit %s%s)", version, commit, dirty)
}
