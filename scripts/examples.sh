#!/usr/bin/env bash
# The checks of examples/ run by `make test`: each example runs end to end on a small synthetic
# `dance slim` output and a check under Tests/examples/ asserts what it shows. Every check prints
# one line, `examples: NAME PASSED`, `FAILED` (with its output) or `SKIPPED (reason)`, and the run
# ends with `examples: N passed, N failed, N skipped`; the exit code is 1 when a check failed.
#
# - Python checks run in .build/examples-venv: webdataset, wids, Pillow, PyYAML and mmengine's
#   config loader from PyPI, with torch taken from the CPU venv of scripts/torch-venv.sh through a
#   .pth file (never torch from PyPI); the webdataset and wids examples also in
#   .build/examples-webdataset0-venv with webdataset<1, which bundles wids. Without python3, PyPI or
#   the torch wheel they are skipped.
# - examples/slurm-array.sh: `bash -n`, then its DRY_RUN=1 commands run here (the partitions from
#   SLURM_ARRAY_TASK_ID/COUNT); then for real on a one-node Slurm cluster on localhost (munged,
#   slurmctld, slurmd with a private key, socket, ports and state in a scratch directory, stopped
#   by their PIDs afterwards) when Debian's slurmctld, slurmd, slurm-client and munge are installed
#   or, as root, can be installed with apt-get.
# - examples/export_onnx.py: a plain and a pruned network exported to ONNX and run in onnxruntime
#   (from PyPI, in .build/onnx-venv), compared with `dance predict --logits`; skipped, saying why,
#   without the torch wheel.
# - README.md's "Consuming the output" blocks run as written (Tests/examples/check_readme.py), and
#   those of the sections named in check_readme_sections.py's calls below.
# DANCE names the binary (default .build/debug/dance).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dance=$(realpath "${DANCE:-.build/debug/dance}")
work=$(mktemp -d)
daemons=()
cleanup() {
  for pid in "${daemons[@]}"; do kill "$pid" 2> /dev/null; done
  for pid in "${daemons[@]}"; do while kill -0 "$pid" 2> /dev/null; do sleep 0.2; done; done
  rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0 skipped=0
pass() { echo "examples: $1 PASSED"; passed=$((passed + 1)); }
skip() { echo "examples: $1 SKIPPED ($2)"; skipped=$((skipped + 1)); }
# check NAME COMMAND…: runs the command, prints its indented summary lines, PASSED or FAILED.
check() {
  local name=$1 log=$work/$1.log
  shift
  if "$@" > "$log" 2>&1; then
    grep '^  ' "$log"
    pass "$name"
  else
    sed 's/^/    /' "$log" | tail -n 40
    echo "examples: $name FAILED"
    failed=$((failed + 1))
  fi
}

# The data: Cityscapes with 4 training shards (brace form train-{000000..000003}.tar), its folder
# export, and ADE20K (JPEG images) with its folder export, all in one catalog.
"$dance" synth --format cityscapes --out "$work/cityscapes" --train 12 --val 3 --seed 5 > /dev/null
"$dance" slim "$work/cityscapes" --out "$work/cs-out" --catalog "$work/catalog.sqlite" --shard-samples 3 > /dev/null 2>&1
"$dance" export folder "$work/cs-out" --to "$work/cs-folder" > /dev/null
"$dance" synth --format ade20k --out "$work/ade20k" --train 6 --val 2 --seed 5 > /dev/null
"$dance" slim "$work/ade20k" --out "$work/ade-out" --catalog "$work/catalog.sqlite" --shard-samples 3 > /dev/null 2>&1
"$dance" export folder "$work/ade-out" --to "$work/ade-folder" > /dev/null

# slurm-array.sh, dry run: the printed commands, run here, slim in 2 partitions, merge and verify.
slurm_dry_run() {
  bash -n examples/slurm-array.sh || return 1
  mkdir -p "$work/slurm-dry"
  DANCE="$dance" SLIM_ARGS="--shard-samples 3" DRY_RUN=1 \
    examples/slurm-array.sh "$work/cityscapes" "$work/slurm-dry/out" 2 > "$work/slurm-dry/commands" || return 1
  [ "$(grep -c '^SLURM_ARRAY_TASK_ID=' "$work/slurm-dry/commands")" = 2 ] || { echo "not 2 task lines"; return 1; }
  grep -v '^#' "$work/slurm-dry/commands" | bash || return 1
  echo "  slurm-array.sh DRY_RUN=1: $(grep -c . "$work/slurm-dry/commands") lines; run here, merged and verified"
}
check "slurm-array.sh (bash -n, dry run)" slurm_dry_run

# slurm-array.sh on a one-node cluster on localhost.
slurm_ready() {
  command -v munged && command -v slurmctld && command -v slurmd && command -v sbatch && command -v scontrol
} > /dev/null
if ! slurm_ready && [ "$(id -u)" -eq 0 ] && command -v apt-get > /dev/null; then
  echo "examples: installing slurmctld, slurmd, slurm-client and munge for the Slurm check"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge \
    > "$work/apt.log" 2>&1 || { apt-get update -qq > /dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge > "$work/apt.log" 2>&1; }
fi
slurm_cluster() {
  local dir=$work/slurm ports
  mkdir -p "$dir/state" "$dir/spool" "$dir/munge" "$dir/job"
  chmod 700 "$dir/munge"
  head -c 1024 /dev/urandom > "$dir/munge/key" && chmod 400 "$dir/munge/key"
  munged --key-file="$dir/munge/key" --socket="$dir/munge/socket" --pid-file="$dir/munge/pid" \
    --log-file="$dir/munge/log" --seed-file="$dir/munge/seed" --force || return 1
  daemons+=("$(cat "$dir/munge/pid")")
  ports=$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])' 2> /dev/null || echo "16817 16818")
  read -r ctld_port slurmd_port <<< "$ports"
  cat > "$dir/slurm.conf" <<EOF
ClusterName=dance-examples
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge/socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF" || return 1
  for _ in $(seq 50); do [ -s "$dir/slurmctld.pid" ] && break; sleep 0.1; done
  daemons+=("$(cat "$dir/slurmctld.pid")")
  slurmd -f "$SLURM_CONF" -N localhost || return 1
  for _ in $(seq 50); do [ -s "$dir/slurmd.pid" ] && break; sleep 0.1; done
  daemons+=("$(cat "$dir/slurmd.pid")")
  for _ in $(seq 100); do sinfo -h -o %t 2> /dev/null | grep -q idle && break; sleep 0.2; done
  sinfo -h -o %t | grep -q idle || { echo "the node did not come up"; tail -n 5 "$dir"/*.log; return 1; }
  local submitted last state
  submitted=$(DANCE="$dance" SLIM_ARGS="--shard-samples 3" SBATCH_ARGS="--chdir=$dir/job --output=$dir/job/%x-%j.out" \
    examples/slurm-array.sh "$work/cityscapes" "$dir/out" 3) || return 1
  echo "$submitted"
  last=$(sed -n 's/.*, merge \([0-9]*\).*/\1/p' <<< "$submitted" | head -n 1)
  for _ in $(seq 600); do
    state=$(scontrol show job "$last" -o 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
    sleep 0.2
  done
  cat "$dir"/job/*.out > "$dir/jobs.log" 2> /dev/null
  [ "$state" = COMPLETED ] || { echo "merge job $last: ${state:-gone}"; cat "$dir/jobs.log"; return 1; }
  grep -q 'all consistent' "$dir/jobs.log" || { cat "$dir/jobs.log"; return 1; }
  [ "$(grep -c '"url": "train-part' "$dir/out/train/shardindex.json")" -ge 1 ] || return 1
  echo "  slurm-array.sh on a localhost cluster ($(slurmctld -V)): $(grep -c 'images copied' "$dir/jobs.log") array tasks, $(tail -n 1 "$dir/jobs.log")"
}
if slurm_ready && [ "$(id -u)" -ne 0 ]; then
  skip "slurm-array.sh (localhost cluster)" "slurmd runs jobs as root here; not root"
elif slurm_ready; then
  check "slurm-array.sh (localhost cluster)" slurm_cluster
else
  skip "slurm-array.sh (localhost cluster)" "munged, slurmctld, slurmd or sbatch missing and not installable here"
fi

# The Python examples.
python=$(command -v python3 || true)
# The CPU torch venv of scripts/torch-venv.sh, set up once for every example that uses torch: its
# site-packages reach their venvs through a .pth file. Without it torch_site is empty and
# torch_python says why.
torch_site=""
if [ -z "$python" ]; then
  torch_python="python3 is not installed"
elif torch_python=$(scripts/torch-venv.sh); then
  torch_site=$("$torch_python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') ||
    { torch_site=""; torch_python="$torch_python cannot print its site-packages directory"; }
fi
# README's DALI path, without DALI (CUDA wheels): every .idx entry against the tar, with the stdlib.
if [ -n "$python" ]; then
  check "DALI .idx (README)" "$python" Tests/examples/check_dali_index.py "$work/cs-out"
  check "README: sections of issue 27" "$python" Tests/examples/check_readme_sections.py README.md "$dance" \
    "The audit page" "Catalog housekeeping" "Your own dataset" "Evaluation as benchmarks do it" "Fine-tuning and extending a run"
else
  skip "DALI .idx (README)" "python3 is not installed"
  skip "README: sections of issue 27" "python3 is not installed"
fi
venv=.build/examples-venv
if [ -z "$python" ]; then
  for name in pytorch_webdataset.py pytorch_wids.py pytorch_catalog_dataset.py mmseg_config.py k8s-indexed-job.yaml; do
    skip "$name" "python3 is not installed"
  done
else
  [ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
  site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  [ -z "$torch_site" ] || echo "$torch_site" > "$site/torch-venv.pth"
  vpython=$venv/bin/python
  have() { "$vpython" -c "import $1" > /dev/null 2>&1; }
  have "webdataset, wids, PIL, yaml, numpy" || "$venv/bin/pip" install -q webdataset wids pillow pyyaml > "$work/pip.log" 2>&1
  # mmengine's Config alone: its other dependencies (opencv, matplotlib) serve the runner.
  have "mmengine.config" || "$venv/bin/pip" install -q --no-deps mmengine addict yapf termcolor platformdirs packaging rich \
    markdown-it-py mdurl pygments > "$work/pip-mmengine.log" 2>&1
  if ! have "webdataset, wids, PIL, yaml, numpy"; then
    for name in pytorch_webdataset.py pytorch_wids.py pytorch_catalog_dataset.py mmseg_config.py k8s-indexed-job.yaml; do
      skip "$name" "could not install webdataset, wids, pillow and pyyaml from PyPI"
    done
  else
    if ! have torch; then
      reason="no torch: $torch_python"
      for name in pytorch_webdataset.py pytorch_wids.py pytorch_catalog_dataset.py; do skip "$name" "$reason"; done
    else
      run_webdataset() {
        "$vpython" examples/pytorch_webdataset.py "$work/cs-out" --steps 3 --workers 2 &&
          "$vpython" Tests/examples/check_pytorch_webdataset.py "$work/cs-out"
      }
      check pytorch_webdataset.py run_webdataset
      run_wids() {
        mkdir -p "$work/wids-cache"
        WIDS_CACHE=$work/wids-cache "$vpython" examples/pytorch_wids.py "$work/cs-out" &&
          WIDS_CACHE=$work/wids-cache "$vpython" Tests/examples/check_pytorch_wids.py "$work/cs-out"
      }
      check pytorch_wids.py run_wids
      run_catalog() {
        "$vpython" examples/pytorch_catalog_dataset.py "$work/cs-out" "$work/catalog.sqlite" &&
          "$vpython" Tests/examples/check_catalog_dataset.py "$work/cs-out" "$work/catalog.sqlite"
      }
      check pytorch_catalog_dataset.py run_catalog
      # The same two readers with webdataset<1, which ships wids inside (1.x no longer does).
      old_venv=.build/examples-webdataset0-venv
      [ -x "$old_venv/bin/python" ] || "$python" -m venv "$old_venv"
      old_site=$("$old_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
      echo "$torch_site" > "$old_site/torch-venv.pth"
      "$old_venv/bin/python" -c "import webdataset, wids, PIL" > /dev/null 2>&1 ||
        "$old_venv/bin/pip" install -q "webdataset<1" pillow > "$work/pip-webdataset0.log" 2>&1
      if "$old_venv/bin/python" -c "import webdataset, wids, PIL" > /dev/null 2>&1; then
        run_old() {
          "$old_venv/bin/python" Tests/examples/check_pytorch_webdataset.py "$work/cs-out" &&
            WIDS_CACHE=$work/wids-cache "$old_venv/bin/python" Tests/examples/check_pytorch_wids.py "$work/cs-out"
        }
        check "pytorch_webdataset.py and pytorch_wids.py with webdataset<1" run_old
      else
        skip "pytorch_webdataset.py and pytorch_wids.py with webdataset<1" "could not install webdataset<1 from PyPI"
      fi
    fi
    check mmseg_config.py "$vpython" Tests/examples/check_mmseg_config.py examples/mmseg_config.py \
      "$work/cs-folder" "$work/ade-folder" "$work/ade-out"
    # MMSegmentation itself: mmseg 1.2.2 imports mmcv.ops (mmseg/utils/mask_classification.py),
    # whose compiled extension only a from-source build of the full mmcv has (mmcv-lite lacks it).
    skip "mmseg_config.py in MMSegmentation" "mmsegmentation imports mmcv's compiled ops, which need a from-source mmcv build"
    k8s() {
      mkdir -p "$work/k8s" && "$dance" synth --format cityscapes --out "$work/k8s/cityscapes" --train 12 --val 3 --seed 5 > /dev/null &&
        "$vpython" Tests/examples/check_k8s_job.py examples/k8s-indexed-job.yaml "$dance" "$work/k8s"
    }
    check k8s-indexed-job.yaml k8s
    if have torch; then
      check "README: Consuming the output" "$vpython" Tests/examples/check_readme.py README.md "$dance"
    else
      skip "README: Consuming the output" "no torch (wids needs it): $torch_python"
    fi
  fi
fi
# examples/export_onnx.py: a network and a pruned one exported to ONNX and run in onnxruntime from
# PyPI, against `dance predict --logits` (in .build/onnx-venv: onnx, onnxruntime and Pillow from
# PyPI, torch from the venv set up above through a .pth file).
if [ -z "$python" ]; then
  skip export_onnx.py "python3 is not installed"
elif [ -z "$torch_site" ]; then
  skip export_onnx.py "no torch: $torch_python"
else
  onnx_venv=.build/onnx-venv
  [ -x "$onnx_venv/bin/python" ] || "$python" -m venv "$onnx_venv"
  echo "$torch_site" > "$("$onnx_venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/torch-venv.pth"
  "$onnx_venv/bin/python" -c "import torch, onnx, onnxruntime, PIL" > /dev/null 2>&1 ||
    "$onnx_venv/bin/pip" install -q onnx onnxruntime pillow > "$work/pip-onnx.log" 2>&1
  if ! "$onnx_venv/bin/python" -c "import torch, onnx, onnxruntime, PIL" > /dev/null 2>&1; then
    skip export_onnx.py "could not install onnx, onnxruntime and pillow from PyPI (see $work/pip-onnx.log)"
  else
    export_onnx() {
      local image
      image=$(find "$work/cityscapes/leftImg8bit/val" -name '*.png' | sort | head -n 1)
      "$dance" train "$work/cityscapes" --out "$work/onnx-plain" --epochs 2 --width 0.25 --crop 64x64 --batch 4 --threads 1 \
        --no-val > /dev/null || return 1
      "$dance" train "$work/cityscapes" --out "$work/onnx-pruned" --epochs 2 --width 0.25 --crop 64x64 --batch 4 --threads 1 \
        --no-val --prune-at 1 --prune-fraction 0.3 > /dev/null || return 1
      for run in onnx-plain onnx-pruned; do
        "$onnx_venv/bin/python" examples/export_onnx.py "$work/$run" "$work/$run.onnx" > /dev/null || return 1
        "$dance" predict "$work/$run" "$image" --out "$work/$run-predict" --logits --threads 1 > /dev/null || return 1
        "$onnx_venv/bin/python" Tests/examples/check_export_onnx.py "$work/$run.onnx" "$image" \
          "$work/$run-predict/$(basename "$image" .png)_logits.npy" || return 1
      done
    }
    check export_onnx.py export_onnx
  fi
fi
echo "examples: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
