#!/usr/bin/env bash
# Prints the path of a Python interpreter that imports torch (CPU build) and numpy, creating it
# when needed; otherwise prints one line saying why not and exits 1. Shared by tests and benches:
#
#   python=$(scripts/torch-venv.sh) || { echo "skipped: $python"; exit 0; }
#
# Order: $DANCE_TORCH_PYTHON if set (used as it is, never installed into); else the venv
# <package root>/.build/torch-venv, created with `python3 -m venv` and filled with numpy and the
# local CPU wheel /opt/wheels/torch-*+cpu*.whl matching its Python (plain `pip install torch` would
# pull the multi-GB CUDA build). pip's output goes to .build/torch-venv.log. Concurrent callers
# wait for each other (flock), so only one of them installs.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usable() { "$1" -c "import torch, numpy" > /dev/null 2>&1; }
fail() { echo "$*"; exit 1; }

if [ -n "${DANCE_TORCH_PYTHON:-}" ]; then
  usable "$DANCE_TORCH_PYTHON" || fail "DANCE_TORCH_PYTHON=$DANCE_TORCH_PYTHON cannot import torch and numpy"
  echo "$DANCE_TORCH_PYTHON"
  exit 0
fi

venv=$root/.build/torch-venv
python=$venv/bin/python
if [ -x "$python" ] && usable "$python"; then echo "$python"; exit 0; fi

mkdir -p "$root/.build" || fail "cannot create $root/.build"
if command -v flock > /dev/null; then
  exec 9> "$root/.build/torch-venv.lock"
  flock 9
  if [ -x "$python" ] && usable "$python"; then echo "$python"; exit 0; fi  # another caller made it
fi
log=$root/.build/torch-venv.log
: > "$log"
if [ ! -x "$python" ] || ! "$python" -m pip --version > /dev/null 2>&1; then  # missing or half made
  base=$(command -v python3) || fail "python3 is not installed"
  "$base" -m venv --clear "$venv" >> "$log" 2>&1 || fail "python3 -m venv $venv failed (see $log)"
fi
tag=$("$python" -c 'import sys; print("cp%d%d" % sys.version_info[:2])') || fail "$python does not run"
wheel=$(ls /opt/wheels/torch-*+cpu*-"$tag"-*.whl 2> /dev/null | sort -V | tail -n 1)
[ -n "$wheel" ] || fail "no CPU torch wheel for $tag in /opt/wheels (torch-*+cpu*-$tag-*.whl)"
"$python" -m pip install -q numpy "$wheel" >> "$log" 2>&1 || fail "pip install numpy $(basename "$wheel") failed (see $log)"
usable "$python" || fail "$python still cannot import torch and numpy after installing (see $log)"
echo "$python"
