#!/usr/bin/env bash
# Try the built .deb as a user gets it, on temporary databases:
#
#   packaging/smoke-test.sh [--install] [DEB]     (default: the newest dist/leaddesk_*.deb)
#
# Unpacks the package into a throwaway root and runs the frozen app from there; with
# --install (root, on a machine you can spare: CI's) installs it with apt for real, so its
# dependencies come from the archive, then removes it again. Either way the frozen app
#   - answers --version, adds sample leads and scores them (the SQL migrations, phonenumbers'
#     data for the sample's many countries), trains a predictive model (scikit-learn) and
#     exports an .xlsx workbook (openpyxl);
#   - imports that workbook and a CSV into a new database (python-calamine, phone cleaning);
#   - opens its window offscreen on the workbook, as a double-click does, reaches the import
#     wizard's mapping step (Qt's plugins), and closes cleanly on SIGTERM.
# With --install, the menu entry's Exec line is also run on a virtual screen (Xvfb).
# Frozen apps fail on a data file or hidden import left out; these steps load each of them.
set -euo pipefail

install=no
if [ "${1:-}" = "--install" ]; then install=yes; shift; fi
[ -z "${1:-}" ] || deb=$(realpath "$1")  # before the cd: relative to where it was run
cd "$(dirname "$0")/.."
deb=${deb:-$(realpath "$(ls -t dist/leaddesk_*_amd64.deb | head -n 1)")}
version=$(dpkg-deb -f "$deb" Version)
app_id=io.leaddesk.LeadDesk
work=$(mktemp -d)
log=""
pids=()
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done  # those still running
  if [ "$install" = yes ]; then $sudo apt-get purge -y -qq leaddesk >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '== %s\n' "$*"; }
fail() {
  echo "smoke test FAILED: $*" >&2
  if [ -n "$log" ] && [ -f "$log" ]; then echo "-- the app's log:" >&2; tail -n 20 "$log" >&2; fi
  exit 1
}
# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

if [ "$install" = yes ]; then
  bash scripts/install-system-deps.sh --package  # Xvfb and xdotool for the menu entry's window
  step "installing $(basename "$deb") with apt"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
  [ "$(command -v leaddesk)" = /usr/bin/leaddesk ] || fail "leaddesk is not on the PATH"
  app=leaddesk
  root=""
else
  step "unpacking $(basename "$deb") into a throwaway root"
  dpkg-deb -x "$deb" "$work/root"
  apt-get satisfy --simulate -qq "$(dpkg-deb -f "$deb" Depends)" >/dev/null \
    || fail "the package's dependencies cannot be installed here"
  app=$work/root/opt/leaddesk/leaddesk
  root=$work/root
fi
[ -f "$root/usr/share/applications/$app_id.desktop" ] || fail "no menu entry"
[ -f "$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg" ] || fail "no icon"

export LEADDESK_HOME=$work/home QT_QPA_PLATFORM=offscreen
log=$LEADDESK_HOME/logs/leaddesk.log
samples=$work/home/samples.db

step "the command line: sample leads, scoring, a predictive model, an Excel export"
"$app" --version | grep -qx "LeadDesk $version" || fail "--version does not say $version"
"$app" --db "$samples" demo >/dev/null || fail "sample leads"
"$app" --db "$samples" train --json > "$work/train.json" || fail "training (scikit-learn)"
grep -q '"auc"' "$work/train.json" || fail "training reported no AUC"
"$app" --db "$samples" export "$work/leads.xlsx" >/dev/null || fail "export (openpyxl)"

step "a workbook and a CSV imported into a new database"
imported=$work/home/imported.db
"$app" --db "$imported" import "$work/leads.xlsx" --json > "$work/import.json" \
  || fail "importing the workbook (python-calamine)"
grep -q '"created": 500' "$work/import.json" || fail "the workbook's 500 leads were not all created"
printf 'Name,Email,Phone,Company\nAda Lovelace,ADA@Example.com ,030 901820,Analytical Engines\n' \
  > "$work/contacts.csv"
"$app" --db "$imported" import "$work/contacts.csv" --region DE >/dev/null || fail "importing a CSV"
"$app" --db "$imported" leads --json --search lovelace > "$work/ada.json"
grep -q '+4930901820' "$work/ada.json" || fail "the phone was not cleaned (phonenumbers' data)"
grep -q 'ada@example.com' "$work/ada.json" || fail "the email was not cleaned"

# run_window TITLE DATABASE COMMAND...: start the app, wait for its import wizard to have read
# the workbook (its log says so), then end it with SIGTERM as a logout does.
run_window() {
  local title=$1 database=$2; shift 2
  mkdir -p "$(dirname "$log")"
  : > "$log"
  LEADDESK_DB=$database "$@" &
  local pid=$!
  pids+=("$pid")
  if ! wait_for 60 grep -q "import of $work/leads.xlsx: read" "$log"; then
    kill -0 "$pid" 2>/dev/null || fail "$title: the app ended before its import wizard read the workbook"
    fail "$title: the import wizard never read the workbook"
  fi
  if [ "${QT_QPA_PLATFORM:-}" = xcb ]; then
    wait_for 10 xdotool search --name "LeadDesk" || fail "$title: no LeadDesk window on the screen"
  fi
  kill -TERM "$pid" || fail "$title: the app ended by itself"
  wait "$pid" || fail "$title: the app did not close cleanly on SIGTERM"
  [ ! -e "$database.lock" ] || fail "$title: the database's lock was left behind"
}

step "the window, offscreen, opening the workbook as a double-click does"
run_window "offscreen" "$work/home/window.db" "$app" "$work/leads.xlsx"

if [ "$install" = yes ]; then
  step "the menu entry's Exec line, on a virtual screen"
  Xvfb -displayfd 3 -noreset -screen 0 1280x800x24 -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
  pids+=("$!")
  wait_for 10 test -s "$work/display" || fail "Xvfb did not start"
  display=:$(cat "$work/display")  # a free display, chosen by Xvfb
  exec_line=$(sed -n 's/^Exec=//p' "/usr/share/applications/$app_id.desktop")
  command=${exec_line//%f/$work/leads.xlsx}
  # shellcheck disable=SC2086  # the Exec line is split into words, as a desktop does
  DISPLAY=$display QT_QPA_PLATFORM=xcb run_window "menu entry" "$work/home/menu.db" $command
fi

step "smoke test passed: LeadDesk $version"
