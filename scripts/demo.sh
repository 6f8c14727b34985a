#!/usr/bin/env bash
# `make demo`: the main job on the embedded synthetic data, end to end, as the pipeline file
# Pipelines/demo.yaml describes it: synth → scan → score → audit → slim → verify, for a
# Cityscapes-layout dataset; then one training epoch on the shards, a prediction, and a summary.
set -euo pipefail
dance=${DANCE:-.build/release/dance}
out=${DEMO_OUT:-demo-output}
rm -rf "$out"
mkdir -p "$out"
catalog="$out/catalog.sqlite"
start=$(date +%s%N)

echo "== dance run Pipelines/demo.yaml: synth (48 train, 12 val, 512×256) → scan → score (all indicators)"
echo "   → audit → slim (DANCE quantile: drop the simplest 10 %, bands 0.5 / 0.75 / 1) → verify"
# The pipeline file reads DEMO_OUT (absolute, so it does not depend on the file's directory).
DEMO_OUT=$(cd "$out" && pwd) "$dance" run Pipelines/demo.yaml

echo
echo "== dance train: one epoch of the bundled network on the slimmed shards (scale-bucketed crops,"
echo "   DANCE loss weights), validated at full resolution; then dance predict on one validation image"
"$dance" train "$out/shards" --out "$out/run" --epochs 1 --catalog "$catalog"
first_val=$(find "$out/cityscapes/leftImg8bit/val" -name '*.png' | sort | head -n 1)
"$dance" predict "$out/run" "$first_val" --out "$out/predictions"

echo
echo "== dance experiment --quick: baseline (full data, full network) against DANCE (budget 0.5 with loss"
echo "   weights, the head matched to the data and progressively slimmed), one seed each, on the same dataset"
"$dance" experiment "$out/cityscapes" --out "$out/experiment" --quick

elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo
echo "== summary"
sqlite3 -separator ' ' "$catalog" \
  "select 'split ' || split || ': ' || kept || ' of ' || samples || ' samples kept, ' || (samples - kept) || ' dropped, '
     || printf('%.1f', 100.0 * pixelFraction) || ' % of the pixels'
   from plan join output on output.id = plan.outputId where not output.dryRun order by plan.id;" 2>/dev/null \
  || echo "(install sqlite3 for the per-split summary)"
echo "shards written: $(find "$out/shards" -name '*.tar' | wc -l) ($(du -sh "$out/shards" | cut -f1)); audit: $out/audit.html"
echo "training run: $out/run (report.json, last.safetensors); overlay: $(ls "$out"/predictions/*_overlay.png)"
echo "experiment: $out/experiment/experiment.html (make experiment runs every control with 3 seeds)"
echo "demo finished in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s; output in $out"
