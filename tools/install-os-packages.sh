#!/bin/sh
# Installs the Debian/Ubuntu packages SO Desk needs: the shared libraries Qt's wheels link
# against, python3-venv, and poppler-utils (the tests render printed forms to images).
# Installs only what is missing; uses sudo when not root. Safe to run again.
set -eu
PACKAGES="python3-venv libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4
libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0
libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 poppler-utils"

command -v dpkg-query >/dev/null 2>&1 || { echo "not a Debian system: skipping OS packages"; exit 0; }
missing=""
for pkg in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
