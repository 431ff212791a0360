#!/usr/bin/env bash
# The Debian packages LeadDesk needs beyond Python: the libraries Qt loads (also for the
# offscreen platform the tests use), the X11/xcb ones a real window needs, and fonts.
# With --tests, also the PostgreSQL server the team-mode tests start a throwaway copy of
# (it is not needed to run LeadDesk, which connects to a team's existing server).
# Installs only what is missing; needs root or sudo when something is.
set -euo pipefail

packages=(
  libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1
  fonts-dejavu-core
)
if [ "${1:-}" = "--tests" ]; then
  packages+=(postgresql)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system libraries for Qt: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
