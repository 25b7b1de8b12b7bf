# Merci: `make run` opens the app on a demo shop; `make test` runs every check and test.
# Both install the system packages they need when missing (Debian, as root or with sudo).

GO        ?= go
BIN       := bin
DATA      ?=
# Fyne's OpenGL driver and the webcam driver need cgo and these headers.
BUILD_PKGS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev linux-libc-dev
# Tests also rasterise PDFs, run a real PostgreSQL, render the app under Xvfb, and
# compare the scanner with zbar and zxing-cpp on simulated webcam frames.
TEST_PKGS  := poppler-utils postgresql xvfb xauth chromium zbar-tools python3-zxing-cpp
STATICCHECK := $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION := v0.8.2

# `make package` cross-compiles for Windows with mingw-w64 (C++ too, for the camera
# driver) and checks that build with wine.
PACKAGE_PKGS := dpkg-dev desktop-file-utils gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64 python3 xz-utils
FYNE_TOOLS_VERSION := v1.7.4

.PHONY: run build test bench deps test-deps lint screenshots package

run: deps build
	$(BIN)/merci $(if $(DATA),--data $(DATA))

build:
	$(GO) build -o $(BIN)/merci ./cmd/merci
	$(GO) build -o $(BIN)/merci-cloud ./cmd/merci-cloud

deps:
	@./.ci/apt-install $(BUILD_PKGS)

test-deps: deps
	@./.ci/apt-install $(TEST_PKGS)
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: test-deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# The race detector runs on every package but the app's main, whose OpenGL driver would
# be compiled a second time for it (minutes) and which holds no concurrency of its own.
# The photograph bench decodes 1,432 images: under the race detector that alone took ten
# minutes on a busy machine, so it runs in the race-free pass. A package may take long on
# a loaded machine without being stuck: the timeout is CI's, not go test's 10 minutes.
test: lint
	$(GO) test -race -count=1 -timeout 60m $$($(GO) list ./... | grep -v '/cmd/merci$$')
	$(GO) test -count=1 -timeout 60m ./cmd/merci
	$(GO) test -count=1 -timeout 60m -run '^(TestBenchPhotographs|TestSimulatedFramesVsZbar)$$' ./scanner

# Installers for Linux (fyne archive, .deb) and Windows (zip) in dist/, each checked:
# see packaging/package.sh.
package: deps
	@./.ci/apt-install $(PACKAGE_PKGS)
	@test -x $$($(GO) env GOPATH)/bin/fyne || $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOLS_VERSION)
	./packaging/package.sh

bench: test-deps
	$(GO) test -run '^$$' -bench . -skip BenchmarkUnlock -benchtime 2000x ./localdb/...
	$(GO) test -run '^$$' -bench BenchmarkUnlock -benchtime 10x ./localdb
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./scanner ./cloud/server ./syncclient ./transfer
	$(GO) test -run '^$$' -bench 'ApplePass|PassImages' -benchtime 30x ./cloud/wallet
