#!/usr/bin/env bash
# `make demo`: the main job on the embedded synthetic data. Today it writes a synthetic dataset in
# each supported layout, decodes every file back, converts the labels to train ids and catalogs the
# samples; later stages (score, slim, verify) join as they land.
set -euo pipefail
dance=${DANCE:-.build/release/dance}
out=${DEMO_OUT:-demo-output}
rm -rf "$out"
mkdir -p "$out"
start=$(date +%s%N)

for format in cityscapes camvid ade20k; do
  echo "== synth $format"
  "$dance" synth --format "$format" --out "$out/$format" --train 24 --val 8 --seed 1
done

echo
echo "== inspect (every file decoded)"
for format in cityscapes camvid ade20k; do
  echo "-- $format"
  find "$out/$format" -type f \( -name '*.png' -o -name '*.jpg' \) -print0 | sort -z \
    | xargs -0 "$dance" inspect --summary
done

echo
echo "== label --all, then scan into one catalog"
for format in cityscapes camvid ade20k; do
  "$dance" label --all "$out/$format"
  "$dance" scan "$out/$format" --catalog "$out/catalog.sqlite"
  echo
done

elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo
echo "demo finished in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s; output in $out"
