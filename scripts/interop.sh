#!/usr/bin/env bash
# Interoperability check run by `make test`: slims a synthetic dataset with the dance binary and
# reads every shard back with Python's `webdataset` package (installed into a venv under .build/);
# then checks `dance export folder` of the Cityscapes output with cityscapesScripts' label table,
# `--label-ids` and the category IoU with cityscapesScripts' evaluation, and `dance export mds` with
# MosaicML Streaming's MDS reader.
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
# cityscapesScripts' label table and pixel-level evaluation: helpers/labels.py needs nothing beyond
# the standard library, the evaluation numpy, PIL and pyquaternion (imported by its helpers); the
# package's other dependencies serve its viewers, so they are not installed.
if ! "$venv/bin/python" -c "import cityscapesscripts.evaluation.evalPixelLevelSemanticLabeling" 2>/dev/null; then
  if ! "$venv/bin/pip" install -q --no-deps cityscapesscripts pyquaternion; then
    echo "interop: folder export and --label-ids SKIPPED (could not install cityscapesscripts and pyquaternion from PyPI)"
    exit 0
  fi
fi
"$dance" export folder "$work/cityscapes-out" --to "$work/cityscapes-folder" > /dev/null
echo "interop: cityscapes folder export"
"$venv/bin/python" Tests/interop/check_folder_export.py "$work/cityscapes-folder" "$work/cityscapes"

# --label-ids and the category IoU with cityscapesScripts' own evaluation (numpy and PIL, its
# evaluation module without the optional Cython part): a tiny network trained for three epochs.
"$dance" train "$work/cityscapes" --out "$work/cs-run" --epochs 3 --lr 0.05 --width 0.25 --crop 64x64 --batch 4 --threads 1 > /dev/null
val_image=$(find "$work/cityscapes/leftImg8bit/val" -name '*.png' | sort | head -n 1)
"$dance" predict "$work/cs-run" "$val_image" --out "$work/cs-predict" --label-ids --threads 1 > /dev/null
"$dance" eval "$work/cs-run" --data "$work/cityscapes" --save-predictions "$work/cs-labelids" --label-ids --json \
  --threads 1 > "$work/cs-eval.json"
echo "interop: cityscapes --label-ids and category IoU"
"$venv/bin/python" Tests/interop/check_label_ids.py "$work/cs-predict" "$work/cs-eval.json" "$work/cs-labelids" "$work/cityscapes"

# MosaicML Streaming's own MDS reader over `dance export mds`. mosaicml-streaming's declared
# dependencies include a CUDA build of torch, so it is installed without them into a venv layered on
# the CPU torch venv (scripts/torch-venv.sh); its reader needs only torch, numpy and PIL.
if ! torch_python=$(scripts/torch-venv.sh); then
  echo "interop: MDS export SKIPPED ($torch_python)"
  exit 0
fi
mds_venv=.build/mds-venv
if ! "$mds_venv/bin/python" -c "import streaming, PIL" 2>/dev/null; then
  rm -rf "$mds_venv"
  "$python" -m venv "$mds_venv"
  site=$("$mds_venv/bin/python" -c "import site; print(site.getsitepackages()[0])")
  "$torch_python" -c "import site; print(site.getsitepackages()[0])" > "$site/torch-venv.pth"
  if ! "$mds_venv/bin/pip" install -q --no-deps "mosaicml-streaming==0.13.*" pillow; then
    echo "interop: MDS export SKIPPED (could not install mosaicml-streaming from PyPI)"
    exit 0
  fi
fi
for format in cityscapes camvid; do
  "$dance" export mds "$work/$format-out" --to "$work/$format-mds" --shard-size 200000 > /dev/null
  echo "interop: $format MDS export"
  "$mds_venv/bin/python" Tests/interop/check_mds.py "$work/$format-mds" "$work/$format-out"
done
