#!/usr/bin/env bash
# Build LeadDesk for Linux from this checkout, in one command (Debian or Ubuntu, x86_64):
#
#   dist/leaddesk/                               the one-folder app (PyInstaller)
#   dist/leaddesk_<version>_amd64.deb            installs it in /opt/leaddesk, with a
#                                                /usr/bin/leaddesk launcher, a menu entry,
#                                                icons, spreadsheet MIME types and AppStream data
#   dist/leaddesk-<version>-linux-x86_64.tar.gz  the same folder, portable
#
# The build's Python packages go into build/venv, from pyproject.toml; the Debian tools it
# uses are installed when missing (scripts/install-system-deps.sh --package). The .deb is
# checked with lintian, the menu entry with desktop-file-validate and the AppStream data
# with appstreamcli; any error stops the build. packaging/smoke-test.sh then tries it.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '== %s\n' "$*"; }
version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
app_id=io.leaddesk.LeadDesk
# File dates inside the packages: the last commit's, so two builds of one commit agree.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

say "build tools"
bash scripts/install-system-deps.sh --package
python3 -m venv build/venv
build/venv/bin/pip install --quiet --upgrade pip
build/venv/bin/pip install --quiet '.[package]'

say "the app folder (PyInstaller)"
build/venv/bin/python packaging/make_icons.py build/icons
rm -rf dist/leaddesk
build/venv/bin/pyinstaller --noconfirm --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/leaddesk.spec
# Debug symbols out (libpython alone carries 17 MB), but not from the wheels' own *.libs
# folders: auditwheel patched those, and strip breaks them.
find dist/leaddesk/_internal -type f -name '*.so*' ! -path '*.libs/*' \
  -exec strip --strip-unneeded {} +
# RUNPATHs naming the build machine's folders (pyenv's, a wheel builder's) would send the
# installed app looking there for libraries: keep only the entries inside the bundle.
while IFS= read -r -d '' library; do
  rpath=$(patchelf --print-rpath "$library" 2>/dev/null) || continue
  kept=$(tr ':' '\n' <<<"$rpath" | grep '^\$ORIGIN' | paste -sd: - || true)
  if [ "$rpath" != "$kept" ]; then
    if [ -n "$kept" ]; then patchelf --set-rpath "$kept" "$library"; else patchelf --remove-rpath "$library"; fi
  fi
done < <(find dist/leaddesk/_internal -type f -name '*.so*' -print0)
find dist/leaddesk/_internal -type f -name '*.so*' -exec chmod 644 {} +  # loaded, never run
unresolved=$(find dist/leaddesk -type f -name '*.so*' -print0 \
  | LD_LIBRARY_PATH=dist/leaddesk/_internal xargs -0 ldd 2>/dev/null | grep 'not found' | sort -u || true)
if [ -n "$unresolved" ]; then
  echo "error: libraries the bundle needs but neither ships nor finds:" >&2
  echo "$unresolved" >&2
  exit 1
fi
say "bundle: $(du -sh dist/leaddesk | cut -f1)"

say "the .deb"
stage=build/deb/leaddesk_${version}_amd64
rm -rf build/deb
mkdir -p "$stage/opt" "$stage/DEBIAN"
cp -a dist/leaddesk "$stage/opt/leaddesk"
install -D -m 755 packaging/linux/leaddesk "$stage/usr/bin/leaddesk"
install -D -m 644 packaging/linux/$app_id.desktop "$stage/usr/share/applications/$app_id.desktop"
install -D -m 644 packaging/linux/$app_id.metainfo.xml "$stage/usr/share/metainfo/$app_id.metainfo.xml"
for size in 16 24 32 48 64 128 256 512; do
  install -D -m 644 "build/icons/leaddesk-$size.png" \
    "$stage/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
install -D -m 644 leaddesk/resources/icons/leaddesk.svg "$stage/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
install -D -m 644 packaging/linux/copyright "$stage/usr/share/doc/leaddesk/copyright"
install -D -m 644 packaging/linux/lintian-overrides "$stage/usr/share/lintian/overrides/leaddesk"
changelog_date=$(date -u -R -d "@$SOURCE_DATE_EPOCH")
printf 'leaddesk (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- LeadDesk team <team@leaddesk.io>  %s\n' \
  "$version" "$version" "$changelog_date" | gzip -9n > "$stage/usr/share/doc/leaddesk/changelog.gz"
mkdir -p "$stage/usr/share/man/man1"
help2man --no-info --version-string="$version" --name="lead-scoring desk for small sales teams" \
  dist/leaddesk/leaddesk | gzip -9n > "$stage/usr/share/man/man1/leaddesk.1.gz"

# Depends: the C library the bundle was linked against, and the X11/xcb libraries Qt's xcb
# platform plugin loads from the system (the same list the source install uses).
glibc=$(find dist/leaddesk -type f \( -name '*.so*' -o -perm -u+x \) -print0 \
  | { xargs -0 objdump -T 2>/dev/null || true; } | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1 | cut -d_ -f2)
[ -n "$glibc" ] || { echo "error: found no GLIBC symbol versions in the bundle" >&2; exit 1; }
depends="libc6 (>= $glibc), sensible-utils"  # the bundled libmount names sensible-pager
for package in $(bash scripts/install-system-deps.sh --list); do depends+=", $package"; done
sed -e "s/@VERSION@/$version/" -e "s/@DEPENDS@/$depends/" \
  -e "s/@INSTALLED_SIZE@/$(du -sk --exclude=DEBIAN "$stage" | cut -f1)/" \
  packaging/linux/control > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) \
  > "$stage/DEBIAN/md5sums"
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
deb=dist/leaddesk_${version}_amd64.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null

say "checks"
desktop-file-validate packaging/linux/$app_id.desktop
appstreamcli validate --no-net packaging/linux/$app_id.metainfo.xml
lintian --fail-on error "$deb"

say "the portable .tar.gz"
tarball=dist/leaddesk-$version-linux-x86_64.tar.gz
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C dist -cf - leaddesk | gzip -9n > "$tarball"

say "built: $(du -h "$deb" | cut -f1) $deb, $(du -h "$tarball" | cut -f1) $tarball"
