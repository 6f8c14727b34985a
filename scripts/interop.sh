#!/usr/bin/env bash
# Interoperability check run by `make test`: slims a synthetic dataset with the dance binary and
# reads every shard back with Python's `webdataset` package (installed into a venv under .build/);
# then checks `dance export folder` of the Cityscapes output with cityscapesScripts' label table.
# Skips, saying so, when python3 is missing or the packages cannot be installed.
set -euo pipefail
dance=${DANCE:-.build/debug/dance}
python=$(command -v python3 || true)
if [ -z "$python" ]; then
  echo "interop: SKIPPED (python3 is not installed)"
  exit 0
fi
venv=.build/interop-venv
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import webdataset, PIL, numpy" 2>/dev/null; then
  if ! "$venv/bin/pip" install -q webdataset pillow numpy; then
    echo "interop: SKIPPED (could not install webdataset, pillow and numpy from PyPI)"
    exit 0
  fi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for format in cityscapes camvid ade20k; do
  "$dance" synth --format "$format" --out "$work/$format" --train 12 --val 3 --seed 5 > /dev/null
  codec=auto
  [ "$format" = camvid ] && codec=jpg
  "$dance" slim "$work/$format" --out "$work/$format-out" --catalog "$work/catalog.sqlite" --shard-samples 5 \
    --image-codec "$codec" > /dev/null 2>&1
  echo "interop: $format"
  "$venv/bin/python" Tests/interop/check_webdataset.py "$work/$format-out" "$work/catalog.sqlite"
done
# cityscapesScripts' label table (helpers/labels.py needs nothing beyond the standard library; the
# package's other dependencies serve its viewers and evaluation, so they are not installed).
if ! "$venv/bin/python" -c "import cityscapesscripts.helpers.labels" 2>/dev/null; then
  if ! "$venv/bin/pip" install -q --no-deps cityscapesscripts; then
    echo "interop: folder export SKIPPED (could not install cityscapesscripts from PyPI)"
    exit 0
  fi
fi
"$dance" export folder "$work/cityscapes-out" --to "$work/cityscapes-folder" > /dev/null
echo "interop: cityscapes folder export"
"$venv/bin/python" Tests/interop/check_folder_export.py "$work/cityscapes-folder" "$work/cityscapes"
