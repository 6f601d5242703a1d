#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian machine; quiet when all is there.
set -euo pipefail

# dbus, dbus-x11, gnome-keyring, libsecret-tools: a real Secret Service for the keychain tests
# (scripts/with-keyring.sh); libdbus-1-dev: the keychain crate links libdbus.
need_apt=()
for pkg in build-essential pkg-config libdbus-1-dev dbus dbus-x11 gnome-keyring libsecret-tools; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done

if ((${#need_apt[@]})); then
  echo "Installing system packages: ${need_apt[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust (cargo) is missing. Install it from https://rustup.rs and run this again." >&2
  exit 1
fi
