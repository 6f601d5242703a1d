# The two commands a newcomer needs:
#   make run   — the app on the embedded default (SQLite + the sample project)
#   make test  — every check and test, installing what a fresh Debian machine lacks
SHELL := /bin/bash
CARGO ?= cargo
SAMPLE := Sample: B2B SaaS growth

.PHONY: run test setup lint bench

setup:
	@scripts/setup.sh

run: setup
	$(CARGO) build --release -p comment-finder
	./target/release/comment-finder score --project "$(SAMPLE)" --top 10
	@echo
	@echo "Next: ./target/release/comment-finder --help   (import, export, projects)"

lint: setup
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

test: lint
	# Tests see a private, unlocked gnome-keyring (Secret Service), as the keychain tests need.
	scripts/with-keyring.sh $(CARGO) test --workspace --locked
	# The benchmark must keep working; a small debug run proves the path (figures: make bench).
	$(CARGO) run --quiet -p comment-finder -- bench --posts 3000

bench: setup
	$(CARGO) run --release --quiet -p comment-finder -- bench --posts 100000
