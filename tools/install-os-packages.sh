#!/bin/sh
# Installs the Debian/Ubuntu packages SO Desk needs: the shared libraries Qt's wheels link
# against, python3-venv, poppler-utils (the tests render printed forms to images), and CUPS
# with its PDF printer (forms print by handing the PDF itself to CUPS; the tests print to the
# "PDF" queue and read the result back). Installs only what is missing; uses sudo when not
# root. Then makes sure the CUPS scheduler runs and a cups-pdf queue exists: a container has
# no init to start cupsd, and the package skips its queue when cupsd is down. Safe to run again.
set -eu
PACKAGES="python3-venv libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libdbus-1-3
libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4
libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0
libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 poppler-utils
cups printer-driver-cups-pdf"

command -v dpkg-query >/dev/null 2>&1 || { echo "not a Debian system: skipping OS packages"; exit 0; }
missing=""
for pkg in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
if [ -n "$missing" ]; then
  echo "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# CUPS: the scheduler, then the PDF queue (as printer-driver-cups-pdf's own postinst makes it).
# Nothing here is fatal: without it the printing tests that need CUPS are skipped.
cups_running() { LC_ALL=C lpstat -r 2>/dev/null | grep -q "is running"; }
if command -v lpstat >/dev/null 2>&1 && ! cups_running; then
  if [ -d /run/systemd/system ]; then
    $SUDO systemctl start cups >/dev/null 2>&1 || true
  elif command -v cupsd >/dev/null 2>&1; then
    $SUDO cupsd >/dev/null 2>&1 || true
  fi
  tries=0
  while ! cups_running && [ "$tries" -lt 10 ]; do sleep 1; tries=$((tries + 1)); done
  cups_running || echo "note: the CUPS scheduler could not be started (printing tests will be skipped)"
fi
ppd=lsb/usr/cups-pdf/CUPS-PDF_opt.ppd
if cups_running && ! LC_ALL=C lpstat -v 2>/dev/null | grep -q "cups-pdf:/" \
  && [ -f /usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd ]; then
  size="$(LC_ALL=C paperconf 2>/dev/null)" || size=a4
  if $SUDO lpadmin -p PDF -E -v cups-pdf:/ -m "$ppd" -o pdftops-renderer-default=pdftocairo \
    -o printer-is-shared=no -o PageSize="$size" 2>/dev/null; then
    echo "CUPS: created the PDF printer queue \"PDF\""
  else
    echo "note: the CUPS PDF queue could not be created (printing tests will be skipped)"
  fi
fi
exit 0
