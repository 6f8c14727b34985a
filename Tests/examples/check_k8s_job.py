"""Checks examples/k8s-indexed-job.yaml: it parses (three Jobs: score, an Indexed slim Job whose
completions and parallelism equal its --partitions, merge), every option its commands use is in
that command's `dance … --help`, and the commands run: each container's command is run here, the
slim pod once per JOB_COMPLETION_INDEX, with /data mapped to a scratch directory holding a synthetic
Cityscapes dataset at /data/cityscapes and `dance` to the binary under test; the merge pod's
`dance verify` must pass.
usage: check_k8s_job.py YAML DANCE DATA_DIR"""
import os, re, subprocess, sys

import yaml

path, dance, data = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
failures = []
jobs = {doc["metadata"]["name"]: doc for doc in yaml.safe_load_all(open(path))}
if sorted(jobs) != ["dance-merge", "dance-score", "dance-slim"]:
    sys.exit(f"FAIL jobs {sorted(jobs)}")


def command(job):
    (container,) = jobs[job]["spec"]["template"]["spec"]["containers"]
    return [part.replace("/data", data) for part in container["command"]]


slim = jobs["dance-slim"]["spec"]
parts = int(command("dance-slim")[command("dance-slim").index("--partitions") + 1])
if slim.get("completionMode") != "Indexed" or slim["completions"] != parts or slim["parallelism"] != parts:
    failures.append(f"dance-slim: completionMode {slim.get('completionMode')}, completions {slim['completions']}, "
                    f"parallelism {slim['parallelism']}, --partitions {parts}")
merge_script = command("dance-merge")[2]
for words in [command("dance-score")[1:], command("dance-slim")[1:]] + [
        piece.split()[1:] for piece in merge_script.split("&&")]:
    subcommand = words[:2] if words[0] == "catalog" else words[:1]
    help_text = subprocess.run([dance, *subcommand, "--help"], capture_output=True, text=True).stdout
    for option in (w for w in words if w.startswith("-")):
        if not re.search(rf"(^|[\s,]){re.escape(option)}\b", help_text):
            failures.append(f"`dance {' '.join(subcommand)} --help` does not list {option}")

env = dict(os.environ, PATH=os.path.dirname(dance) + os.pathsep + os.environ["PATH"])
env.pop("SLURM_ARRAY_TASK_ID", None)
steps = [("dance-score", command("dance-score"), {})]
steps += [(f"dance-slim pod {i}", command("dance-slim"), {"JOB_COMPLETION_INDEX": str(i)}) for i in range(parts)]
steps += [("dance-merge", command("dance-merge"), {})]
for name, argv, extra in steps:
    if os.path.basename(argv[0]) == "dance":
        argv = [dance] + argv[1:]
    result = subprocess.run(argv, env=dict(env, **extra), capture_output=True, text=True)
    if result.returncode != 0:
        failures.append(f"{name}: exit {result.returncode}: {(result.stderr or result.stdout).strip()[-400:]}")
        break
    last = result.stdout.strip().splitlines()[-1:] or [""]
    print(f"  {name}: {last[0]}")
for failure in failures:
    print("FAIL", failure)
sys.exit(1 if failures else 0)
