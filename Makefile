# Herald's task runner. The two commands a newcomer needs:
#   make run    installs what is missing, builds the UI and the app, opens the window
#   make test   installs what is missing, then runs every check and test (what CI runs)
# Optional: make bundle (Linux .deb/AppImage), make bindings, make bench.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

APT_BUILD := libwebkit2gtk-4.1-dev build-essential pkg-config libayatana-appindicator3-dev librsvg2-dev libxdo-dev file
APT_TEST  := xvfb xauth webkit2gtk-driver gnome-keyring dbus dbus-x11 libsecret-tools imagemagick fonts-dejavu-core
TAURI_DRIVER_VERSION := 2.1.0
CARGO_BIN := $(HOME)/.cargo/bin
export PATH := $(CARGO_BIN):$(PATH)

UI_SOURCES := $(shell find ui/src ui/index.html ui/vite.config.ts ui/public -type f 2>/dev/null)

.PHONY: help run test deps-build deps-test ui app rust-test ui-test e2e bindings bundle bench bench-dashboard measure-launch clean

help:
	@echo "make run     - build and open Herald (installs what is missing)"
	@echo "make test    - every check and test, as CI runs them"
	@echo "make bundle  - Linux bundles (.deb, AppImage) with the Tauri bundler"

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
	$(MAKE) --no-print-directory rust-test ui-test e2e

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
rust-test: $(SEGCALC)/node_modules/.stamp $(SEGCALC)/pydeps/.stamp $(PRISM)/node_modules/.stamp $(SMTPD)/pydeps/.stamp
	HERALD_KEYCHAIN_TESTS=required dbus-run-session -- .ci/with-keyring cargo test --workspace

ui-test: ui/node_modules/.stamp
	cd ui && npm run check && npm run lint && npm test

# The real app under Xvfb with a private D-Bus session, driven over WebDriver.
e2e: ui
	cargo build -p herald -p herald-cli -p herald-fake-imis
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
	cargo bench -p herald_core --bench imis_fetch
	cargo bench -p herald_core --bench engine
	cargo bench -p herald_core --bench grid
	$(MAKE) --no-print-directory bench-dashboard

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

bundle: deps-build ui
	ui/node_modules/.bin/tauri build --bundles deb
	ui/node_modules/.bin/tauri build --bundles appimage || { \
	  echo "AppImage not built: the Tauri bundler downloads its AppImage tools (AppRun, linuxdeploy)" >&2; \
	  echo "from github.com at bundle time. The .deb above is complete." >&2; exit 1; }

clean:
	cargo clean
	rm -rf ui/dist ui/dist-mock artifacts
