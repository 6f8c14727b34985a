#!/usr/bin/env bash
# Partitioned `dance slim` on Slurm: one scoring job, a job array of N slim partitions, one merge.
#
# usage: examples/slurm-array.sh ROOT OUT [N]          (on a login node; submits three jobs)
#        DRY_RUN=1 examples/slurm-array.sh ROOT OUT [N]  (prints what each job runs; submits nothing)
#
#   1. `dance score ROOT --catalog CATALOG` once: partitions plan from the scores in the catalog.
#   2. `sbatch --array=0-(N-1)`: every task runs the same `dance slim ROOT --out OUT --catalog CATALOG`;
#      dance reads SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (no --partition needed), writes
#      OUT/<split>/<split>-partIofN-*.tar and its own OUT/catalog.partIofN.sqlite.
#   3. after all tasks succeeded: `dance catalog merge` of the N part catalogs into MERGED, which
#      rewrites every split's shardindex.json, then `dance verify OUT --catalog MERGED`.
#
# Environment: DANCE (the binary, default `dance` on PATH), CATALOG (default dance-catalog.sqlite
# beside OUT), MERGED (default OUT.sqlite, beside OUT), SLIM_ARGS (more `dance slim` options, e.g.
# "--shard-samples 100 --policy budget --budget 0.5"), SBATCH_ARGS (e.g. "--partition=cpu
# --cpus-per-task=8 --time=02:00:00"). OUT, ROOT and the catalogs must be on a file system every
# node sees. In a dry run the lines are runnable as they are: `dance slim` takes its partition from
# the two variables each task line sets, so `DRY_RUN=1 … | grep -v '^#' | bash` does the whole job
# on one machine, as `make test` does (scripts/examples.sh).
set -euo pipefail
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: $0 ROOT OUT [N]" >&2
  exit 2
fi
root=$(realpath -m "$1")
out=$(realpath -m "$2")
parts=${3:-4}
dance=${DANCE:-dance}
catalog=${CATALOG:-$(dirname "$out")/dance-catalog.sqlite}
merged=${MERGED:-$out.sqlite}
read -r -a slim_args <<< "${SLIM_ARGS:-}"
read -r -a sbatch_args <<< "${SBATCH_ARGS:-}"

quote() { printf '%q ' "$@" | sed 's/ $//'; }
score=$(quote "$dance" score "$root" --catalog "$catalog")
slim=$(quote "$dance" slim "$root" --out "$out" --catalog "$catalog" "${slim_args[@]}")
part_catalogs=()
for ((i = 0; i < parts; i++)); do part_catalogs+=("$out/catalog.part${i}of${parts}.sqlite"); done
merge="$(quote "$dance" catalog merge "${part_catalogs[@]}" -o "$merged") && $(quote "$dance" verify "$out" --catalog "$merged")"

if [ "${DRY_RUN:-0}" = 1 ]; then
  echo "# job 1 (scores):"
  echo "$score"
  echo "# job 2, array 0-$((parts - 1)) (one line per task; Slurm sets the two variables):"
  for ((i = 0; i < parts; i++)); do
    echo "SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$parts $slim"
  done
  echo "# job 3 (after every task succeeded):"
  echo "$merge"
  exit 0
fi

command -v sbatch > /dev/null || { echo "$0: sbatch not found (DRY_RUN=1 prints the commands)" >&2; exit 1; }
first=$(sbatch --parsable "${sbatch_args[@]}" --job-name=dance-score --wrap="$score")
array=$(sbatch --parsable "${sbatch_args[@]}" --job-name=dance-slim --dependency="afterok:$first" \
  --array="0-$((parts - 1))" --wrap="$slim")
last=$(sbatch --parsable "${sbatch_args[@]}" --job-name=dance-merge --dependency="afterok:$array" --wrap="$merge")
echo "submitted: score $first, slim array $array (${parts} tasks), merge $last"
echo "when job $last has finished: $merged is the catalog of $out"
