#!/usr/bin/env bash
# `make bench`: every benchmark case, release build. Figures go to stdout; nothing here is a unit test.
set -euo pipefail
bench=${DANCE_BENCH:-.build/release/dance-bench}
# The slim case runs the `dance` executable next to dance-bench as a child process.
if [ ! -x "$(dirname "$bench")/dance" ]; then
  ${SWIFT:-swift} build -c release --product dance
fi
for case in $("$bench" --list-cases); do
  if [ "$case" = train-step ]; then
    # Both convolution backends, on the reference network and the default DeepLab model.
    for model in "" --deeplab; do
      for backend in openblas onednn; do
        echo "== $case ${model:-(reference network)} DANCE_BACKEND=$backend"
        DANCE_BACKEND=$backend "$bench" "$case" $model
        echo
      done
    done
    continue
  fi
  echo "== $case"
  "$bench" "$case"
  echo
done
