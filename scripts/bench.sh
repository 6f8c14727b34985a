#!/usr/bin/env bash
# `make bench`: every benchmark case, release build. Figures go to stdout; nothing here is a unit test.
set -euo pipefail
bench=${DANCE_BENCH:-.build/release/dance-bench}
# The slim case runs the `dance` executable next to dance-bench as a child process.
if [ ! -x "$(dirname "$bench")/dance" ]; then
  ${SWIFT:-swift} build -c release --product dance
fi
# PyTorch for the train-step comparison: the CPU build from scripts/torch-venv.sh, when it can be had.
if torch_python=$(scripts/torch-venv.sh); then torch=(--python "$torch_python"); else echo "PyTorch comparison skipped: $torch_python"; torch=(--no-torch); fi
# DANCE_PHOTOS (CamVid as SegNet released it) adds real photographs: the png case measures the codec
# on them, and the slim case builds two Cityscapes-format roots from them and compares on those too.
if [ -z "${DANCE_PHOTOS:-}" ]; then echo "DANCE_PHOTOS unset: the png case and slim's real-photo roots are skipped"; fi
for case in $("$bench" --list-cases); do
  if [ "$case" = train-step ]; then
    # The default (each convolution shape on its faster backend, Winograd in evaluation) in three
    # rounds alternating with PyTorch; then, one round each, each backend forced and Winograd in
    # training too; on the reference network and the default DeepLab model.
    for model in "" --deeplab; do
      for variant in "" DANCE_BACKEND=openblas DANCE_BACKEND=onednn DANCE_CONV_ALGORITHM=winograd; do
        echo "== $case ${model:-(reference network)} ${variant:-(per shape)}"
        if [ -z "$variant" ]; then
          "$bench" "$case" $model "${torch[@]}" --rounds 3
        else
          env "$variant" "$bench" "$case" $model --no-torch --rounds 1
        fi
        echo
      done
    done
    continue
  fi
  echo "== $case"
  "$bench" "$case"
  echo
done
