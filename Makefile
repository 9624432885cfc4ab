# Herald's task runner. The two commands a newcomer needs:
#   make run    installs what is missing, builds the UI and the app, opens the window
#   make test   installs what is missing, then runs every check and test (what CI runs)
# Optional: make bundle (Linux .deb/AppImage), make windows (Windows installer, cross-built),
# make bindings, make bench.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

APT_BUILD := libwebkit2gtk-4.1-dev build-essential pkg-config libayatana-appindicator3-dev librsvg2-dev libxdo-dev file
APT_TEST  := xvfb xauth webkit2gtk-driver gnome-keyring dbus dbus-x11 libsecret-tools imagemagick fonts-dejavu-core xdotool python3-gi gir1.2-atspi-2.0 at-spi2-core
TAURI_DRIVER_VERSION := 2.1.0
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(PATH)

UI_SOURCES := $(shell find ui/src ui/index.html ui/vite.config.ts ui/public -type f 2>/dev/null)

.PHONY: help run test deps-build deps-test deps-windows ui app rust-test ui-test e2e windows test-windows bindings bundle bench bench-preview bench-dashboard measure-launch tzdata clean

help:
	@echo "make run     - build and open Herald (installs what is missing)"
	@echo "make test    - every check and test, as CI runs them"
	@echo "make bundle  - Linux bundles (.deb, AppImage) with the Tauri bundler"
	@echo "make windows - herald.exe, herald-cli.exe and the Windows installer, cross-built here"

## ---- prerequisites (idempotent: quick when everything is there) ----

deps-build:
	@./.ci/ensure-deps build $(APT_BUILD)

deps-test: deps-build
	@./.ci/ensure-deps test $(APT_TEST)
	@command -v tauri-driver >/dev/null || { echo "Installing tauri-driver $(TAURI_DRIVER_VERSION)…"; cargo install tauri-driver --locked --version $(TAURI_DRIVER_VERSION); }

ui/node_modules/.stamp: ui/package.json ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@

ui/dist/index.html: ui/node_modules/.stamp $(UI_SOURCES)
	cd ui && npm run build

ui: ui/dist/index.html

## ---- run ----

app: deps-build ui
	cargo build -p herald -p herald-cli

run: app
	@echo "Starting Herald (data: $${HERALD_DATA_DIR:-the OS app-data folder})"
	./target/debug/herald

## ---- test ----

test: deps-test ui
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(MAKE) --no-print-directory rust-test ui-test e2e test-windows

# Twilio's own segment calculator, the oracle of the differential segment test.
SEGCALC := src-tauri/core/tests/differential
$(SEGCALC)/node_modules/.stamp: $(SEGCALC)/package.json $(SEGCALC)/package-lock.json
	npm ci --prefix $(SEGCALC) --no-audit --no-fund
	@touch $@

# Google's libphonenumber (Python port, pinned to the crate's metadata version), the
# oracle of the differential phone test.
$(SEGCALC)/pydeps/.stamp: $(SEGCALC)/requirements.txt
	python3 -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
	  --target $(SEGCALC)/pydeps -r $(SEGCALC)/requirements.txt
	@touch $@

# Stoplight Prism serving Twilio's own OpenAPI description: checks our Twilio requests.
PRISM := src-tauri/core/tests/prism
$(PRISM)/node_modules/.stamp: $(PRISM)/package.json $(PRISM)/package-lock.json
	npm ci --prefix $(PRISM) --no-audit --no-fund
	@touch $@

# A real SMTP server (aiosmtpd) for the report tests.
SMTPD := src-tauri/core/tests/smtp
$(SMTPD)/pydeps/.stamp: $(SMTPD)/requirements.txt
	python3 -m pip install --quiet --disable-pip-version-check --target $(SMTPD)/pydeps -r $(SMTPD)/requirements.txt
	@touch $@

# Under a private D-Bus session with a throw-away unlocked gnome-keyring, so the keychain
# tests talk to a real Secret Service (and must: HERALD_KEYCHAIN_TESTS=required).
# libphonenumber's time-zone map, from the pinned oracle package (same release as the metadata).
tzdata: $(SEGCALC)/pydeps/.stamp
	PYTHONPATH=$(SEGCALC)/pydeps python3 src-tauri/core/data/make_tzdata.py

rust-test: $(SEGCALC)/node_modules/.stamp $(SEGCALC)/pydeps/.stamp $(PRISM)/node_modules/.stamp $(SMTPD)/pydeps/.stamp
	HERALD_KEYCHAIN_TESTS=required dbus-run-session -- .ci/with-keyring cargo test --workspace --no-fail-fast

ui-test: ui/node_modules/.stamp
	cd ui && npm run check && npm run lint && npm test

# The real app under Xvfb with a private D-Bus session, driven over WebDriver.
# A desktop notification server on the e2e's session bus (dbus-next), to see and click them.
NOTIFYD := tests/e2e/notifications
$(NOTIFYD)/pydeps/.stamp: $(NOTIFYD)/requirements.txt
	python3 -m pip install --quiet --disable-pip-version-check --target $(NOTIFYD)/pydeps -r $(NOTIFYD)/requirements.txt
	@touch $@

# axe-core, injected into the real window by the accessibility test (never in the app's bundle).
AXE := tests/e2e/axe
$(AXE)/node_modules/.stamp: $(AXE)/package.json $(AXE)/package-lock.json
	npm ci --prefix $(AXE) --no-audit --no-fund
	@touch $@

e2e: ui $(NOTIFYD)/pydeps/.stamp $(AXE)/node_modules/.stamp
	cargo build -p herald -p herald-cli -p herald-fake-imis -p herald-fake-twilio
	rm -rf artifacts/e2e && mkdir -p artifacts/e2e
	NO_AT_BRIDGE=1 dbus-run-session -- .ci/with-keyring xvfb-run -a -s "-screen 0 1280x800x24" \
	  node --test --test-concurrency=1 tests/e2e/

## ---- other ----

bindings:
	HERALD_WRITE_BINDINGS=1 cargo test -p herald --test bindings

BENCHPY := src-tauri/core/benches
$(BENCHPY)/pydeps/.stamp: $(BENCHPY)/requirements.txt
	python3 -m pip install --quiet --disable-pip-version-check --target $(BENCHPY)/pydeps -r $(BENCHPY)/requirements.txt
	@touch $@

bench: $(BENCHPY)/pydeps/.stamp
	cargo bench -p herald_core --bench prepare
	$(MAKE) --no-print-directory bench-preview
	cargo bench -p herald_core --bench imis_fetch
	cargo bench -p herald_core --bench engine
	cargo bench -p herald_core --bench grid
	cargo bench -p herald_core --bench grid -- 1000000
	cargo bench -p herald_core --bench replies
	cargo bench -p herald_core --bench campaign
	$(MAKE) --no-print-directory bench-dashboard

# `herald-cli preview` end to end (10k to 1M rows) against Python + libphonenumber doing
# the same work, in the same run (src-tauri/core/benches/preview.py).
bench-preview: $(SEGCALC)/pydeps/.stamp
	cargo build --release -p herald-cli
	python3 src-tauri/core/benches/preview.py target/release/herald-cli

# The dashboard of a 250,000-message campaign in the real (release) window, over WebDriver:
# first rows painted, frame times while scrolling fast, memory (tests/perf/dashboard.mjs).
bench-dashboard: deps-test ui
	cargo build --release -p herald
	cargo build --release -p herald_core --example seed_campaign
	mkdir -p artifacts/e2e
	NO_AT_BRIDGE=1 dbus-run-session -- .ci/with-keyring xvfb-run -a -s "-screen 0 1280x800x24" \
	  node tests/perf/dashboard.mjs

# Launch-to-first-paint and idle memory of the release build (build it with `make bundle`).
measure-launch:
	NO_AT_BRIDGE=1 dbus-run-session -- .ci/with-keyring xvfb-run -a -s "-screen 0 1280x800x24" tests/perf/launch.sh target/release/herald

## ---- Windows, cross-built on Debian with mingw-w64, tested under Wine ----
# Debian's own rustc/cargo (1.96, in /usr/bin) come with the standard library's source,
# so std is built for the target (-Zbuild-std) instead of downloading a prebuilt one.
# rustup's cargo stays the one for Linux builds; both share target/ (artifacts are keyed
# by compiler version, the Windows ones live under target/x86_64-pc-windows-gnu/).
APT_WINDOWS := rustc-web cargo-web rust-web-src gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 \
  binutils-mingw-w64-x86-64 wine64 wine nsis p7zip-full
WIN_TARGET := x86_64-pc-windows-gnu
WIN_OUT := target/$(WIN_TARGET)
MINGW := x86_64-w64-mingw32
WIN_CARGO := env RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=$(MINGW)-gcc \
  CC_x86_64_pc_windows_gnu=$(MINGW)-gcc CXX_x86_64_pc_windows_gnu=$(MINGW)-g++ \
  AR_x86_64_pc_windows_gnu=$(MINGW)-ar RC_x86_64_pc_windows_gnu=$(MINGW)-windres \
  /usr/bin/cargo
WIN_FLAGS := --target $(WIN_TARGET) -Zbuild-std=std,panic_abort
VERSION := $(shell sed -n 's/^  "version": "\(.*\)",/\1/p' tauri.conf.json)
INSTALLER := $(WIN_OUT)/release/bundle/nsis/Herald_$(VERSION)_x64-setup.exe
# A throw-away Wine prefix for the tests, never the developer's own ~/.wine.
WINEPREFIX_DIR := $(CURDIR)/target/wine/prefix
WINE_ENV := WINEPREFIX=$(WINEPREFIX_DIR) WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" DISPLAY=

deps-windows:
	@./.ci/ensure-deps windows $(APT_WINDOWS)

# The release herald.exe and herald-cli.exe, and the per-user installer made from our own
# NSIS script (the Tauri bundler's NSIS path downloads a plugin DLL at bundle time).
windows: deps-windows ui
	$(WIN_CARGO) build --release $(WIN_FLAGS) -p herald -p herald-cli
	test -f $(WIN_OUT)/release/WebView2Loader.dll || cp "$$(find $(WIN_OUT)/release/build -path '*webview2-com-sys*' -name WebView2Loader.dll | head -n 1)" $(WIN_OUT)/release/
	mkdir -p $(dir $(INSTALLER))
	makensis -V2 -WX -DVERSION=$(VERSION) -DSRC_DIR=$(CURDIR)/$(WIN_OUT)/release \
	  -DICON=$(CURDIR)/icons/icon.ico -DOUTFILE=$(CURDIR)/$(INSTALLER) src-tauri/windows/installer.nsi
	@echo "Windows installer: $(INSTALLER)"

# Wine 8 lacks bcryptprimitives.dll (ProcessPrng), which every Rust >= 1.78 exe imports:
# a stub built from our source forwards it to BCryptGenRandom, in the test prefix only.
target/wine/.ready: src-tauri/windows/bcryptprimitives.c
	rm -rf target/wine && mkdir -p target/wine
	$(MINGW)-gcc -O2 -shared -o target/wine/bcryptprimitives.dll $< -lbcrypt -Wl,--kill-at
	$(WINE_ENV) wineboot -i >/dev/null 2>&1
	cp target/wine/bcryptprimitives.dll $(WINEPREFIX_DIR)/drive_c/windows/system32/
	touch $@

# The core's and the CLI's tests as Windows executables under Wine, then the installer's
# contents. The oracle tests (segments, phones, Prism, SMTP) stay Linux-only: they check
# the same code against tools that run on Linux.
test-windows: deps-windows windows target/wine/.ready
	$(WINE_ENV) HERALD_KEYCHAIN_TESTS=required CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine \
	  $(WIN_CARGO) test $(WIN_FLAGS) --no-fail-fast -p herald_core --lib --test storage --test ledger_props \
	  --test keychain --test engine --test imis
	$(WINE_ENV) CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine \
	  $(WIN_CARGO) test $(WIN_FLAGS) --no-fail-fast -p herald-cli --test cli --test crash
	$(WINE_ENV) wineserver -k || true
	.ci/check-installer $(INSTALLER)

bundle: deps-build ui
	ui/node_modules/.bin/tauri build --bundles deb
	ui/node_modules/.bin/tauri build --bundles appimage || { \
	  echo "AppImage not built: the Tauri bundler downloads its AppImage tools (AppRun, linuxdeploy)" >&2; \
	  echo "from github.com at bundle time. The .deb above is complete." >&2; exit 1; }

clean:
	cargo clean
	rm -rf ui/dist ui/dist-mock artifacts
