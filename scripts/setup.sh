#!/usr/bin/env bash
# Installs what the build and tests need on a fresh Debian machine; quiet when all is there.
set -euo pipefail

# dbus, dbus-x11, gnome-keyring, libsecret-tools: a real Secret Service for the keychain tests
# (scripts/with-keyring.sh); libdbus-1-dev: the keychain crate links libdbus.
# The desktop app (Tauri v2 on WebKitGTK): libwebkit2gtk-4.1-dev, libgtk-3-dev,
# libayatana-appindicator3-dev, librsvg2-dev, libssl-dev, file; its end-to-end tests run the real
# window under Xvfb (xvfb, xauth) driven by WebKitWebDriver (webkit2gtk-driver), and take
# screenshots with ImageMagick's `import` and read the clipboard back with xclip. sqlite3 builds
# the schema that scripts/sqlx-prepare.sh checks the queries against.
need_apt=()
for pkg in build-essential pkg-config libdbus-1-dev dbus dbus-x11 gnome-keyring libsecret-tools \
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev file \
  xvfb xauth webkit2gtk-driver imagemagick xclip sqlite3; do
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

# Node.js (20.19 or newer) and npm build the desktop app's web UI (ui/).
if ! command -v npm >/dev/null 2>&1; then
  echo "Node.js and npm are missing. Install Node.js 20.19 or newer and run this again." >&2
  exit 1
fi

# tauri-driver lets the end-to-end tests drive the app's window through WebKitWebDriver.
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  echo "Installing tauri-driver (end-to-end tests of the desktop app)"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi
