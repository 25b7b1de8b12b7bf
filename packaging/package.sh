#!/usr/bin/env bash
# make package: builds Merci's installers into dist/ and checks each one.
#   Linux:   the `fyne package` archive (Merci.tar.xz) and a .deb (dependencies read
#            from the binary's shared libraries, menu entry and icon, clean removal);
#   Windows: Merci.exe cross-compiled with Debian's mingw-w64 (GUI, icon, version
#            resource), zipped.
# Then: installs the .deb, runs `merci --version` and `merci scan` from /usr/bin,
# removes it and checks nothing is left; checks the .exe's PE headers and runs
# `merci.exe --version` and `merci.exe scan` under wine.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FYNE=$($GO env GOPATH)/bin/fyne
OUT=dist
VERSION=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
BUILD=$(sed -n 's/^Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
COMMIT=$(git rev-parse --short=12 HEAD)
APPVERSION="$VERSION-$BUILD"
LDFLAGS="-X main.version=$APPVERSION"
# fyne package has no flag for the linker: it passes GOFLAGS on to go build.
SAMPLE=packaging/sample-card.png
SAMPLE_CODE=FCX7R48XX72 # the code in $SAMPLE

step() { printf '\n== %s\n' "$*"; }

rm -rf "$OUT"
mkdir -p "$OUT/linux" "$OUT/windows"
# fyne package reads FyneApp.toml and the icon from the source folder.
cp FyneApp.toml cmd/merci/FyneApp.toml
mkdir -p cmd/merci/assets && cp assets/icon.png cmd/merci/assets/icon.png
trap 'rm -rf cmd/merci/FyneApp.toml cmd/merci/assets' EXIT

step "Linux archive (fyne package)"
(cd cmd/merci && GOFLAGS="-ldflags=-X=main.version=$APPVERSION" "$FYNE" package -os linux \
	--app-version "$VERSION" --app-build "$BUILD")
mv cmd/merci/Merci.tar.xz "$OUT/linux/Merci-$APPVERSION-linux-amd64.tar.xz"

step "Linux .deb"
DEB="$OUT/deb/root"
mkdir -p "$DEB/DEBIAN" "$DEB/usr/bin" "$DEB/usr/share/applications" "$DEB/usr/share/icons/hicolor/512x512/apps"
$GO build -trimpath -ldflags "$LDFLAGS" -o "$DEB/usr/bin/merci" ./cmd/merci
install -m 0644 assets/icon.png "$DEB/usr/share/icons/hicolor/512x512/apps/merci.png"
cat > "$DEB/usr/share/applications/merci.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Merci
GenericName=Loyalty and customer feedback
Comment=Offline-first loyalty cards and NPS for small shops
Exec=merci
Icon=merci
Categories=Office;
Keywords=loyalty;nps;shop;qr;
DESKTOP
# The packages of the shared libraries the binary loads, as Debian names them.
DEPENDS=$(ldd "$DEB/usr/bin/merci" | awk '/=> \//{print $3}' | xargs -r readlink -f | xargs -r dpkg -S 2>/dev/null |
	cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
cat > "$DEB/DEBIAN/control" <<CONTROL
Package: merci
Version: $VERSION+$BUILD.g$COMMIT
Architecture: amd64
Maintainer: Merci <hello@merci.app>
Depends: $DEPENDS
Section: misc
Priority: optional
Description: Offline-first loyalty cards and NPS for small shops
 Merci sits beside the till: QR loyalty cards, points and rewards, a customer
 tablet for feedback, and the owner's desk. Works offline; syncs with the
 shop's cloud account.
CONTROL
DEBFILE="$OUT/merci_${VERSION}+${BUILD}_amd64.deb"
dpkg-deb --root-owner-group --build "$DEB" "$DEBFILE" >/dev/null
rm -rf "$OUT/deb"
echo "Depends: $DEPENDS"

step "Windows (mingw-w64)"
(cd cmd/merci && CC=x86_64-w64-mingw32-gcc CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
	GOFLAGS="-ldflags=-X=main.version=$APPVERSION" \
	"$FYNE" package -os windows --app-version "$VERSION" --app-build "$BUILD")
mv cmd/merci/Merci.exe "$OUT/windows/Merci.exe"
(cd "$OUT/windows" && python3 -m zipfile -c "../Merci-$APPVERSION-windows-amd64.zip" Merci.exe)

step "check the .deb: install, run, remove"
if dpkg -s merci >/dev/null 2>&1; then
	echo "a merci package is already installed here: not touching it" >&2
	exit 1
fi
dpkg -i "$DEBFILE" >/dev/null
check_installed() {
	/usr/bin/merci --version | grep -F "Merci $APPVERSION (commit $COMMIT"
	/usr/bin/merci scan "$SAMPLE" | grep -F "$SAMPLE_CODE"
	test -f /usr/share/applications/merci.desktop
	test -f /usr/share/icons/hicolor/512x512/apps/merci.png
}
if ! check_installed; then
	dpkg --purge merci >/dev/null
	exit 1
fi
dpkg --purge merci >/dev/null
for f in /usr/bin/merci /usr/share/applications/merci.desktop /usr/share/icons/hicolor/512x512/apps/merci.png; do
	if [ -e "$f" ]; then echo "$f left after removal" >&2; exit 1; fi
done
echo "installed, ran and removed cleanly"

step "check the Windows build"
$GO run ./packaging/pecheck "$OUT/windows/Merci.exe"
export WINEPREFIX WINEDEBUG=-all
WINEPREFIX=$(mktemp -d)
trap 'rm -rf cmd/merci/FyneApp.toml cmd/merci/assets "$WINEPREFIX"' EXIT
WINE=$(command -v wine64 || command -v wine)
"$WINE" "$OUT/windows/Merci.exe" --version 2>/dev/null | tr -d '\r' | grep -F "Merci $APPVERSION"
"$WINE" "$OUT/windows/Merci.exe" scan "$SAMPLE" 2>/dev/null | tr -d '\r' | grep -F "$SAMPLE_CODE"

step "built"
ls -l "$OUT" "$OUT/linux" "$OUT/windows"
