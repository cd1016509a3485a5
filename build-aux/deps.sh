#!/bin/bash
# Installs what LandDesk needs on Debian 12 (bookworm): only the missing packages, with
# apt-get update first, as root or through sudo. Sourced by demo.sh and test.sh; the package
# list is the one place that says what a fresh machine must have.
set -euo pipefail

LD_PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config gettext python3
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libshumate-dev
  libgdal-dev libgeos-dev libproj-dev libsoup-3.0-dev libjson-glib-dev libsqlite3-dev
  libsodium-dev libcairo2-dev libpango1.0-dev libsecret-1-dev
  # run: icons, a CJK font, the Chinese locale, GDAL's and SQLite's command-line tools
  adwaita-icon-theme librsvg2-common fonts-wqy-microhei locales gdal-bin sqlite3
  # coastline for the demo data
  gmt gmt-gshhg-high
  # benchmarks: peak memory through /usr/bin/time, GDAL's validator for the demo GeoPackage,
  # Mesa's software OpenGL (llvmpipe) for ld-bench-pan with GSK_RENDERER=gl under Xvfb
  time python3-gdal spatialite-bin libgl1-mesa-dri libegl-mesa0
  # the offline-area benchmark's anchor fetches the tiles with curl
  curl
  # tests: a headless display, a session bus, validators, PDF pages to PNG
  xvfb xauth dbus dbus-x11 gsettings-desktop-schemas desktop-file-utils appstream poppler-utils
  # fuzzing (build-aux/fuzz.sh): clang with libFuzzer
  clang libclang-rt-14-dev
  # server tests: a self-signed certificate for the TLS test
  openssl
  # sync tests: a real keyring (Secret Service) for the login token
  gnome-keyring
)

ld_sudo() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ld_install_deps() {
  local missing=() p
  for p in "${LD_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
      || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${#missing[@]} Debian packages: ${missing[*]}" >&2
    ld_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q
    ld_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${missing[@]}"
  fi
  # The UI is tested and demonstrated in Chinese: the locale must exist.
  if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
    echo "Generating the zh_CN.UTF-8 locale" >&2
    ld_sudo localedef -i zh_CN -c -f UTF-8 -A /usr/share/locale/locale.alias zh_CN.UTF-8
  fi
}

# Configures build/ once and builds incrementally afterwards.
ld_build() {
  local root=$1
  if [ ! -f "$root/build/build.ninja" ]; then
    meson setup "$root/build" "$root" --buildtype=debugoptimized
  fi
  meson compile -C "$root/build"
}
