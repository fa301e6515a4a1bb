#!/usr/bin/env bash
# Builds PetitionDesk as a PyInstaller one-folder bundle in dist/, then smoke-tests it.
#
#     bash packaging/build-bundle.sh
#
# From a clean clone it creates build/bundle-venv and installs PetitionDesk's dependencies with
# its `bundle` extra (PyInstaller). BUNDLE_VENV=.venv reuses a virtualenv that already has them.
# The smoke test starts the built program offscreen with --self-test (which opens the window,
# draws a chart and quits); while the command line has no --self-test yet, with --version.
set -euo pipefail

repository="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repository"

python="${PYTHON:-python3}"
venv="${BUNDLE_VENV:-build/bundle-venv}"
smoke_timeout="${SMOKE_TIMEOUT:-120}"

case "$(uname -s)" in
    MINGW*|MSYS*|CYGWIN*) venv_python="$venv/Scripts/python.exe"
                          program="dist/petitiondesk/petitiondesk.exe" ;;
    Darwin)               venv_python="$venv/bin/python"
                          program="dist/PetitionDesk.app/Contents/MacOS/petitiondesk" ;;
    *)                    venv_python="$venv/bin/python"
                          program="dist/petitiondesk/petitiondesk" ;;
esac

seconds_since() { "$venv_python" -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$1"; }
now() { "$venv_python" -c "import time; print(time.time())"; }

# 1. A virtualenv with the dependencies and PyInstaller (installed only when missing).
if [ ! -x "$venv_python" ]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
fi
if ! "$venv_python" -c "import PyInstaller, PySide6.QtSvg, pyqtgraph, httpx, truststore, platformdirs, numpy, filelock" 2>/dev/null; then
    echo "== installing the dependencies into $venv"
    "$venv_python" -m pip install --quiet --upgrade pip
    "$venv_python" -m pip install --quiet ".[bundle]"
fi

# 2. The bundle, from the source tree (the spec puts src/ first on the path).
echo "== building the bundle"
started="$(now)"
rm -rf dist/petitiondesk dist/PetitionDesk.app
"$venv_python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/petitiondesk.spec
echo "built in $(seconds_since "$started") s"
bundle_dir="dist/petitiondesk"
[ -d dist/PetitionDesk.app ] && bundle_dir="dist/PetitionDesk.app"
echo "size: $(du -sh "$bundle_dir" | cut -f1) ($bundle_dir)"

# 3. The smoke test: the built program must start offscreen and exit 0 by itself.
export QT_QPA_PLATFORM=offscreen
limit=()
command -v timeout >/dev/null 2>&1 && limit=(timeout "$smoke_timeout")
smoke() {
    echo "== smoke test: $program $*"
    started="$(now)"
    status=0
    "${limit[@]}" "$program" "$@" 2> >(tee build/smoke-stderr.txt >&2) || status=$?
    wait  # for tee
    echo "exit status $status after $(seconds_since "$started") s"
}
mkdir -p build
smoke --self-test
if [ "$status" -eq 2 ] && grep -q "unrecognized arguments: --self-test" build/smoke-stderr.txt; then
    echo "note: this build has no --self-test yet; smoke-testing with --version instead"
    smoke --version
fi
if [ "$status" -ne 0 ]; then
    echo "SMOKE TEST FAILED" >&2
    exit 1
fi
echo "smoke test passed"
