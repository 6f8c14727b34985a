#!/usr/bin/env bash
# `make bench`: every benchmark case, release build. Figures go to stdout; nothing here is a unit test.
set -euo pipefail
bench=${DANCE_BENCH:-.build/release/dance-bench}
for case in $("$bench" --list-cases); do
  echo "== $case"
  "$bench" "$case"
  echo
done
