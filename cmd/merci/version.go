package main

import (
	"fmt"
	"runtime/debug"
)

// version is FyneApp.toml's Version and Build, and commit the git commit, both set by
// `make package` (-ldflags -X main.version=... -X main.commit=...): the Go toolchain's
// own stamp is missing under -buildvcs=false, which CI machines may set. A plain go
// build says "dev" and the commit the toolchain stamped, if any.
var version, commit = "dev", ""

// versionLine is what merci --version prints: the version and the git commit the
// binary was built from.
func versionLine() string {
	c := commit
	if c == "" {
		c = vcsCommit()
	}
	return fmt.Sprintf("Merci %s (commit %s)", version, c)
}

// vcsCommit is the commit the Go toolchain stamped, "+changes" when the tree had some.
func vcsCommit() string {
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
	return commit + dirty
}
