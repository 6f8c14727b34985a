#!/usr/bin/env bash
# `make demo`: the main job on the embedded synthetic data, end to end:
# synth → scan → score → audit → slim → verify, for a Cityscapes-layout dataset, then a summary.
set -euo pipefail
dance=${DANCE:-.build/release/dance}
out=${DEMO_OUT:-demo-output}
rm -rf "$out"
mkdir -p "$out"
catalog="$out/catalog.sqlite"
start=$(date +%s%N)

echo "== synth: a synthetic Cityscapes-layout dataset (48 train, 12 val, 512×256)"
"$dance" synth --format cityscapes --out "$out/cityscapes" --train 48 --val 12 --size 512x256 --seed 1

echo
echo "== scan: discover and validate the samples"
"$dance" scan "$out/cityscapes" --catalog "$catalog"

echo
echo "== score: complexity indicators (all of them), cached in the catalog"
"$dance" score "$out/cityscapes" --catalog "$catalog" --indicators all

echo
echo "== audit: the complexity distribution as one HTML page"
"$dance" audit --catalog "$catalog" --html "$out/audit.html"

echo
echo "== slim: DANCE quantile policy on the training split (drop the simplest 10 %, bands 0.5 / 0.75 / 1)"
"$dance" slim "$out/cityscapes" --out "$out/shards" --catalog "$catalog" --shard-samples 16

echo
echo "== verify: every shard against the catalog"
"$dance" verify "$out/shards" --catalog "$catalog"

elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo
echo "== summary"
sqlite3 -separator ' ' "$catalog" \
  "select 'split ' || split || ': ' || kept || ' of ' || samples || ' samples kept, ' || (samples - kept) || ' dropped, '
     || printf('%.1f', 100.0 * pixelFraction) || ' % of the pixels' from plan where output not like '%#dry-run' order by id;" 2>/dev/null \
  || echo "(install sqlite3 for the per-split summary)"
echo "shards written: $(find "$out/shards" -name '*.tar' | wc -l) ($(du -sh "$out/shards" | cut -f1)); audit: $out/audit.html"
echo "demo finished in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s; output in $out"
