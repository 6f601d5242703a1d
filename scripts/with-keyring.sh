#!/usr/bin/env bash
# Runs a command with a real, unlocked Secret Service (gnome-keyring) on a private D-Bus session,
# so the keychain tests exercise the OS keychain even on a headless machine or in CI:
#
#   scripts/with-keyring.sh cargo test -p keychain
#
# The keyring lives in a temporary folder (never the user's own login keyring), the command sees
# COMMENT_FINDER_REQUIRE_KEYCHAIN=1 (keychain tests fail instead of skipping), the script exits
# with the command's exit code, and no daemon is left running afterwards.
set -euo pipefail

if (($# == 0)); then
  echo "usage: scripts/with-keyring.sh COMMAND [ARGS...]" >&2
  exit 2
fi

for tool in dbus-run-session gnome-keyring-daemon dbus-send secret-tool; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$tool is missing: run scripts/setup.sh (or make setup) first." >&2
    exit 1
  fi
done

# Runs inside the private bus: "$@" is the command.
inner='
set -uo pipefail
tmp=$(mktemp -d "${TMPDIR:-/tmp}/comment-finder-keyring.XXXXXX")
chmod 700 "$tmp"
mkdir -m 700 "$tmp/runtime" "$tmp/data" "$tmp/home"
daemon_pid=""
cleanup() {
  if [ -n "$daemon_pid" ]; then
    kill "$daemon_pid" 2>/dev/null
    wait "$daemon_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

# gnome-keyring needs a writable HOME and XDG_RUNTIME_DIR. Its own are private temp folders:
# that keeps it away from a desktop keyring daemon (which it would otherwise find through
# $XDG_RUNTIME_DIR/keyring and unlock with the wrong password) and from ~/.local/share/keyrings.
daemon_home="$HOME"
if [ -z "${HOME:-}" ] || [ ! -d "$HOME" ] || [ ! -w "$HOME" ]; then
  daemon_home="$tmp/home"
fi
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -d "$XDG_RUNTIME_DIR" ] || [ ! -w "$XDG_RUNTIME_DIR" ]; then
  export XDG_RUNTIME_DIR="$tmp/runtime"
fi
unset GNOME_KEYRING_CONTROL GNOME_KEYRING_PID SSH_AUTH_SOCK

# An empty unlock password creates no collection, so use a throwaway one.
printf "some-password" >"$tmp/password"
HOME="$daemon_home" XDG_RUNTIME_DIR="$tmp/runtime" XDG_DATA_HOME="$tmp/data" \
  gnome-keyring-daemon --foreground --unlock --components=secrets \
  <"$tmp/password" >"$tmp/daemon.log" 2>&1 &
daemon_pid=$!

ready=""
for _ in $(seq 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
    grep -q "boolean true"; then
    ready=1
    break
  fi
  if ! kill -0 "$daemon_pid" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
if [ -z "$ready" ]; then
  echo "with-keyring: gnome-keyring did not start a Secret Service:" >&2
  cat "$tmp/daemon.log" >&2
  exit 1
fi

# The bus name appears before the unlocked login collection is ready; a client that comes too
# early finds no collection ("no result found"). Store, read and remove one item to be sure.
warm=""
for _ in $(seq 100); do
  if printf warm | secret-tool store --label=with-keyring-warmup with-keyring warmup 2>/dev/null &&
    [ "$(secret-tool lookup with-keyring warmup 2>/dev/null)" = warm ]; then
    secret-tool clear with-keyring warmup 2>/dev/null
    warm=1
    break
  fi
  sleep 0.1
done
if [ -z "$warm" ]; then
  echo "with-keyring: the Secret Service did not become usable:" >&2
  cat "$tmp/daemon.log" >&2
  exit 1
fi

export COMMENT_FINDER_REQUIRE_KEYCHAIN=1
"$@"
'

# dbus-run-session ends its bus when the command ends and exits with the command's status.
# (Its "Failed to set fd limit" notice when not allowed to raise the limit is harmless.)
exec dbus-run-session -- bash -c "$inner" with-keyring "$@"
