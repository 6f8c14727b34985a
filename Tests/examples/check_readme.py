"""Runs the code blocks of README.md's "Consuming the output" section as they are written, in order,
in one scratch directory: `sh` blocks with bash (DANCE's directory first on PATH, as `dance`),
`python` blocks with this interpreter. A python block importing a package that is not importable
here (MosaicML Streaming, DALI) is skipped, saying so. Also checks that the brace URL names every
training shard and that the MMSegmentation export destination is examples/mmseg_config.py's data_root.
usage: check_readme.py README.md DANCE"""
import glob, os, re, runpy, shutil, sys

from check_readme_sections import run_blocks, scratch

readme, dance = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
text = open(readme).read()
section = text[text.index("### Consuming the output"):text.index("### Training")]
blocks = [(lang, re.sub(r"^  ", "", body, flags=re.M))
          for lang, body in re.findall(r"^ *```(sh|python)\n(.*?)^ *```", section, re.S | re.M)]
work, env = scratch(dance)
failures = []
ran, skipped = run_blocks(blocks, work, env, failures, "")
shards = sorted(glob.glob(os.path.join(work, "cs-slim", "train", "train-*.tar")))
if len(shards) != 4:
    failures.append(f"the brace form train-{{000000..000003}} names 4 shards, the output has {len(shards)}")
config = runpy.run_path(os.path.join(os.path.dirname(readme), "examples", "mmseg_config.py"))
if "--to " + config["data_root"] not in section or not os.path.isdir(os.path.join(work, config["data_root"], "leftImg8bit")):
    failures.append(f"the folder export does not go to mmseg_config.py's data_root {config['data_root']!r}")
shutil.rmtree(work)
for failure in failures:
    print("FAIL", failure)
for skip in skipped:
    print(f"  README block SKIPPED: {skip}")
print(f"  README \"Consuming the output\": {ran} of {len(blocks)} blocks run as written")
sys.exit(1 if failures else 0)
