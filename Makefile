# The two commands a newcomer needs:
#   make run   — the desktop app on the embedded default (SQLite + the sample project)
#   make test  — every check and test, installing what a fresh Debian machine lacks
SHELL := /bin/bash
CARGO ?= cargo
SAMPLE := Sample: B2B SaaS growth
# The web UI's dependencies are installed again only when its lock file changes.
UI_DEPS := ui/node_modules/.package-lock.json
# The app's window under a virtual X display, for the end-to-end tests.
XVFB := xvfb-run -a -s "-screen 0 1280x800x24"

.PHONY: run test setup lint bench ui e2e e2e-only cli-demo sqlx-prepare

setup:
	@scripts/setup.sh

$(UI_DEPS): ui/package-lock.json ui/package.json
	cd ui && npm ci --no-audit --no-fund
	@touch $(UI_DEPS)

# The web UI, built into ui/dist (the app embeds it when built with custom-protocol).
ui: setup $(UI_DEPS)
	cd ui && npm run build

# The app as it ships: UI embedded, the size-optimised `desktop` profile (Cargo.toml).
run: ui
	$(CARGO) build --profile desktop -p comment-finder-app --features custom-protocol
	"$${CARGO_TARGET_DIR:-target}/desktop/comment-finder-app"

# The command-line tool on the same database.
cli-demo: setup
	$(CARGO) build --release -p comment-finder
	./target/release/comment-finder score --project "$(SAMPLE)" --top 10
	@echo
	@echo "Next: ./target/release/comment-finder --help   (import, export, projects)"

# The app embeds the built UI by default (custom-protocol), so its code needs ui/dist to build.
lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked --features comment-finder/bench -- -D warnings
	# The checked queries' offline cache (.sqlx/) matches the code and migrations/.
	scripts/sqlx-prepare.sh --check

# Rewrites the checked queries' offline cache after a query or a migration changed.
sqlx-prepare:
	scripts/sqlx-prepare.sh

# Tests build the app as it ships (custom-protocol, the UI embedded), so the end-to-end run
# below reuses the same build instead of compiling Tauri a second time. The CLI's benchmark
# commands (and the fake servers they link) are a feature, `bench`, off in the shipped CLI.
TEST_FEATURES := comment-finder-app/custom-protocol,comment-finder/bench
test: lint ui
	# The web UI's logic (formatters, error sentences, state), with Vitest.
	cd ui && npm test
	# Tests see a private, unlocked gnome-keyring (Secret Service), as the keychain tests need.
	scripts/with-keyring.sh $(CARGO) test --workspace --locked --features $(TEST_FEATURES)
	# The benchmark must keep working; a small debug run proves the path (figures: make bench).
	$(CARGO) run --quiet -p comment-finder --features bench -- bench --posts 3000 --ledger-rows 20000
	$(MAKE) --no-print-directory e2e-only

# The desktop app end to end, in its real webview (screenshots: e2e/screenshots/).
e2e: ui
	$(MAKE) --no-print-directory e2e-only

# `cargo test --no-run` with the same features as `make test` builds the app and the fake
# Gemini server binaries (target/debug/) without compiling the Tauri stack a second time.
e2e-only:
	$(CARGO) test --workspace --locked --features $(TEST_FEATURES) --no-run --quiet
	$(XVFB) scripts/with-keyring.sh node --test --test-reporter=spec e2e/

bench: setup
	$(CARGO) run --release --quiet -p comment-finder --features bench -- bench --posts 100000
