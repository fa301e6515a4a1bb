#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages that Qt needs, only when missing (`ldd` on PySide6's
# Qt/plugins/platforms/libqxcb.so shows what the window needs beyond the offscreen set).
# Does nothing on systems without apt-get (macOS, Windows, other distributions: install Qt's
# usual runtime libraries from your package manager).
set -euo pipefail

packages=(
    # QtCore, and offscreen rendering for the tests
    libglib2.0-0 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
    # a real window on X11, and screenshots under Xvfb
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxkbcommon-x11-0 xvfb xauth
    # validation of the desktop entry and AppStream metainfo
    desktop-file-utils appstream
)

command -v apt-get >/dev/null 2>&1 || exit 0
command -v dpkg-query >/dev/null 2>&1 || exit 0

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages for Qt: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
