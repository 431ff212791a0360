#!/usr/bin/env bash
# The Debian packages LeadDesk needs beyond Python, installing only what is missing (needs
# root or sudo when something is):
#   (no option)  the libraries Qt loads (also for the offscreen platform the tests use), the
#                X11/xcb and Wayland ones a real window needs, and fonts: what running
#                LeadDesk needs
#   --tests      also the PostgreSQL server the team-mode tests start a throwaway copy of
#                (LeadDesk itself connects to a team's existing server)
#   --package    also what packaging/build-linux.sh and smoke-test.sh use: binutils (strip,
#                objdump), patchelf, lintian, appstream, desktop-file-utils, help2man, and Xvfb with
#                xdotool to open the installed app on a virtual screen
#   --list       print the runtime packages (the .deb's dependencies) and install nothing
set -euo pipefail

runtime=(
  libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libfreetype6 libxkbcommon0
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1
  libwayland-client0 libwayland-cursor0 libwayland-egl1
  fonts-dejavu-core
)
packages=("${runtime[@]}")
# Debian's own python3 makes virtual environments only with python3-venv (a Python built
# from source, as pyenv's, has it already): the quick start's first step needs it.
if command -v python3 >/dev/null && ! python3 -c 'import ensurepip' 2>/dev/null; then
  packages+=(python3-venv)
fi
case "${1:-}" in
  --list) echo "${runtime[@]}"; exit 0 ;;
  --tests) packages+=(postgresql) ;;
  --package) packages+=(binutils patchelf lintian appstream desktop-file-utils help2man xvfb xdotool) ;;
  "") ;;
  *) echo "usage: $0 [--tests | --package | --list]" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
