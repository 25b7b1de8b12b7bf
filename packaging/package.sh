#!/usr/bin/env bash
# make package: builds Merci's installers into dist/ and checks each one.
#   Linux:   the `fyne package` archive (Merci-V-linux-amd64.tar.xz) and a .deb made
#            from the same binary (dependencies from dpkg-shlibdeps, menu entry and
#            icon, clean removal);
#   Windows: Merci.exe cross-compiled with Debian's mingw-w64 (GUI subsystem, icon and
#            version resource), zipped.
# Then: installs the .deb, runs `merci --version` and `merci scan` from /usr/bin,
# removes and purges it and checks the system is as before; checks the .exe's PE
# headers and runs `Merci.exe --version` and `Merci.exe scan` under wine.
# Needs root (or sudo) for the .deb check; `make package` installs the tools it uses.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FYNE=$($GO env GOPATH)/bin/fyne
OUT=dist
VERSION=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
BUILD=$(sed -n 's/^Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
APPVERSION="$VERSION-$BUILD"
# The commit goes in by -X: the toolchain's own stamp is off under -buildvcs=false.
COMMIT=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- || COMMIT="$COMMIT+changes"
# fyne package has no flag for the linker: it takes -ldflags= out of GOFLAGS.
export GOFLAGS="${GOFLAGS:-} -ldflags=-X=main.version=$APPVERSION -ldflags=-X=main.commit=$COMMIT"
SAMPLE=packaging/sample-card.png
SAMPLE_CODE=FCX7R48XX72 # the card code in $SAMPLE's QR
# A check that takes longer than this is stuck (wine waiting on something), not slow.
CHECK_TIMEOUT=${CHECK_TIMEOUT:-300}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

step() { printf '\n== %s (%ds)\n' "$*" "$SECONDS"; }

# expect WANT CMD...: runs CMD, shows its output, fails unless the output holds WANT.
expect() {
	local want=$1 out
	shift
	if ! out=$("$@" </dev/null 2>"$WORK/stderr" | tr -d '\r'); then
		cat "$WORK/stderr" >&2
		echo "failed: $*" >&2
		return 1
	fi
	printf '%s\n' "$out"
	if ! grep -qF -- "$want" <<<"$out"; then
		cat "$WORK/stderr" >&2
		echo "$*: no \"$want\" in its output" >&2
		return 1
	fi
}

WORK=$(mktemp -d)
INSTALLED=""
cleanup() {
	# fyne package leaves its generated files behind when the build fails.
	rm -rf cmd/merci/FyneApp.toml cmd/merci/assets cmd/merci/fyne_metadata_init.go cmd/merci/fyne.syso \
		cmd/merci/merci.exe cmd/merci/Merci.exe
	if [ -n "$INSTALLED" ]; then $SUDO apt-get purge -y -qq -o DPkg::Lock::Timeout=600 merci >/dev/null || true; fi
	if [ -d "$WORK/wine" ]; then WINEPREFIX="$WORK/wine" timeout 60 wineserver -k 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT
# Stopped (CI's time limit, ^C): exit, so that cleanup removes the .deb if installed.
trap 'exit 130' INT
trap 'exit 143' TERM

rm -rf "$OUT"
mkdir -p "$OUT"
# fyne package reads FyneApp.toml and the icon from the source folder (git ignores
# both copies); --app-build keeps it from counting Build up in the copy.
cp FyneApp.toml cmd/merci/FyneApp.toml
mkdir -p cmd/merci/assets && cp assets/icon.png cmd/merci/assets/icon.png

step "Linux archive (fyne package)"
(cd cmd/merci && "$FYNE" package -os linux --release --app-version "$VERSION" --app-build "$BUILD")
ARCHIVE="$OUT/Merci-$APPVERSION-linux-amd64.tar.xz"
mv cmd/merci/Merci.tar.xz "$ARCHIVE"

step "Linux .deb"
# dpkg-shlibdeps wants a source package around the package's tree: debian/control
# and debian/merci/.
PKG="$WORK/deb/debian/merci"
mkdir -p "$PKG/DEBIAN" "$PKG/usr/bin" "$PKG/usr/share/applications" "$PKG/usr/share/icons/hicolor/512x512/apps"
tar -xJf "$ARCHIVE" -C "$WORK" merci/usr/local/bin/merci
install -m 0755 "$WORK/merci/usr/local/bin/merci" "$PKG/usr/bin/merci"
install -m 0644 assets/icon.png "$PKG/usr/share/icons/hicolor/512x512/apps/merci.png"
install -m 0644 packaging/merci.desktop "$PKG/usr/share/applications/merci.desktop"
desktop-file-validate "$PKG/usr/share/applications/merci.desktop"
printf 'Source: merci\n\nPackage: merci\nArchitecture: amd64\n' >"$WORK/deb/debian/control"
DEPENDS=$(cd "$WORK/deb" && dpkg-shlibdeps -O debian/merci/usr/bin/merci | sed -n 's/^shlibs:Depends=//p')
[ -n "$DEPENDS" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# Menu entry and icon cache are refreshed by desktop-file-utils' and the icon theme's
# dpkg triggers: no maintainer scripts.
cat >"$PKG/DEBIAN/control" <<CONTROL
Package: merci
Version: $APPVERSION
Architecture: amd64
Maintainer: Merci <hello@merci.app>
Depends: $DEPENDS
Section: misc
Priority: optional
Homepage: https://merci.app
Description: Offline-first loyalty cards and NPS for small shops
 Merci sits beside the till: QR loyalty cards, points and rewards, a customer
 tablet for feedback, and the owner's desk. Works offline; syncs with the
 shop's cloud account.
CONTROL
DEBFILE="$OUT/merci_${APPVERSION}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$PKG" "$DEBFILE" >/dev/null
echo "Depends: $DEPENDS"

step "Windows (mingw-w64)"
# fyne package -os windows builds once, then again with its icon and version resource;
# the first build takes -ldflags= out of GOFLAGS, so the second would lose the version.
# Given an "existing" executable it skips the first build. -static: the camera driver's
# C++ runtime goes inside Merci.exe, else it needs libstdc++-6.dll and libgcc_s_seh-1.dll.
touch cmd/merci/merci.exe
(cd cmd/merci && CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
	GOFLAGS="$GOFLAGS -ldflags=-extldflags=-static" \
	"$FYNE" package -os windows --release --executable merci.exe --app-version "$VERSION" --app-build "$BUILD")
mkdir -p "$WORK/zip"
mv cmd/merci/Merci.exe "$WORK/zip/Merci.exe"
(cd "$WORK/zip" && python3 -m zipfile -c "$OLDPWD/$OUT/Merci-$APPVERSION-windows-amd64.zip" Merci.exe)
EXE="$WORK/zip/Merci.exe"

step "check the .deb: install, run, remove"
if dpkg-query -W -f='${Status}' merci 2>/dev/null | grep -q 'install ok'; then
	echo "a merci package is already installed here: not touching it" >&2
	exit 1
fi
# What the package holds, and which of those paths (directories shared with other
# packages) were here before: after a purge exactly those must be left.
dpkg-deb --fsys-tarfile "$DEBFILE" | tar -t | sed 's|^\./|/|; s|/$||' | grep -v '^/\?$' >"$WORK/paths"
while read -r p; do [ ! -e "$p" ] || echo "$p"; done <"$WORK/paths" >"$WORK/before"
# As a shop would (apt installs the dependencies); waits for another apt to finish.
INSTALLED=1
$SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 "./$DEBFILE" >/dev/null
expect "Merci $APPVERSION (commit $COMMIT)" /usr/bin/merci --version
expect "$SAMPLE_CODE" /usr/bin/merci scan "$SAMPLE"
test -f /usr/share/applications/merci.desktop
test -f /usr/share/icons/hicolor/512x512/apps/merci.png
# Remove, then purge what is left (nothing, as long as Merci has no conffiles), as
# dpkg -r and dpkg --purge would but waiting for another apt to finish.
$SUDO apt-get remove -y -qq -o DPkg::Lock::Timeout=600 merci >/dev/null
if dpkg-query -W -f='${db:Status-Status}' merci 2>/dev/null | grep -q config-files; then
	$SUDO apt-get purge -y -qq -o DPkg::Lock::Timeout=600 merci >/dev/null
fi
INSTALLED=""
if dpkg-query -W merci >/dev/null 2>&1; then
	echo "dpkg still knows merci after the purge" >&2
	exit 1
fi
while read -r p; do [ ! -e "$p" ] || echo "$p"; done <"$WORK/paths" >"$WORK/after"
if ! diff -u "$WORK/before" "$WORK/after"; then
	echo "removing the .deb did not leave the system as before (+ left behind)" >&2
	exit 1
fi
echo "installed, ran, removed and purged cleanly"

step "check the Windows build"
$GO run ./packaging/pecheck "$EXE"
# A fresh wine prefix, without the Mono and Gecko installers it would offer; no display
# is needed for the command line.
export WINEPREFIX="$WORK/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=
timeout "$CHECK_TIMEOUT" wineboot --init >/dev/null 2>&1
SYSTEM32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -e "$SYSTEM32/bcryptprimitives.dll" ]; then
	# Wine 8 lacks this DLL, which Go programs load at start: see the C file.
	x86_64-w64-mingw32-gcc -shared -O2 -s -o "$SYSTEM32/bcryptprimitives.dll" \
		packaging/wine/bcryptprimitives.c -ladvapi32
fi
# Output piped as here takes the handles wine gives; typed into cmd.exe, attachConsole
# (cmd/merci/console_windows.go) finds the console.
expect "Merci $APPVERSION (commit $COMMIT)" timeout "$CHECK_TIMEOUT" wine "$EXE" --version
expect "$SAMPLE_CODE" timeout "$CHECK_TIMEOUT" wine "$EXE" scan "$SAMPLE"
echo "Merci.exe ran under wine"

step "built"
ls -l "$OUT"
