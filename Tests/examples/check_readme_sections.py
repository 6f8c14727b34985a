"""Runs the `sh` and `python` code blocks of the named README.md sections as they are written, in
order, each section in its own scratch directory, with DANCE's directory first on PATH (as
`dance`). A python block importing a package that is not importable here is skipped, saying so.
usage: check_readme_sections.py README.md DANCE "Section title"...
check_readme.py imports `scratch` and `run_blocks` from here."""
import importlib.util, os, re, shutil, subprocess, sys, tempfile


def scratch(dance):
    """A scratch directory and an environment with DANCE first on PATH, as `dance`."""
    work = tempfile.mkdtemp()
    bin_dir = os.path.join(work, ".bin")
    os.mkdir(bin_dir)
    os.symlink(dance, os.path.join(bin_dir, "dance"))
    return work, dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"])


def run_blocks(blocks, work, env, failures, name):
    """Runs the (lang, body) blocks in order in `work`; returns (ran, skipped); appends failures."""
    ran, skipped = 0, []
    for number, (lang, body) in enumerate(blocks, 1):
        missing = [m for m in re.findall(r"^(?:from|import) (\w+)", body, re.M) if importlib.util.find_spec(m) is None]
        if lang == "python" and missing:
            skipped.append(f"block {number} ({', '.join(missing)} not importable here)")
            continue
        argv = ["bash", "-euo", "pipefail", "-c", body] if lang == "sh" else [sys.executable, "-c", body]
        result = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True)
        ran += 1
        if result.returncode != 0:
            failures.append(f"{name} block {number} ({lang}) exit {result.returncode}:\n{body}\n{result.stderr[-1500:]}")
    return ran, skipped


def main(readme, dance, titles):
    text = open(readme).read()
    failures, summary = [], []
    for title in titles:
        match = re.search(r"^(#+) " + re.escape(title) + r"\n", text, re.M)
        if match is None:
            failures.append(f"no section '{title}' in README.md")
            continue
        level = len(match.group(1))
        end = re.search(r"^#{1,%d} " % level, text[match.end():], re.M)
        section = text[match.end():match.end() + end.start()] if end else text[match.end():]
        blocks = re.findall(r"^ *```(sh|python)\n(.*?)^ *```", section, re.S | re.M)
        work, env = scratch(dance)
        ran, skipped = run_blocks(blocks, work, env, failures, f"'{title}'")
        shutil.rmtree(work)
        if not blocks:
            failures.append(f"section '{title}' has no sh or python block")
        summary.append(f"  README \"{title}\": {ran} of {len(blocks)} blocks run as written"
                       + "".join(f"\n  README block SKIPPED: {skip}" for skip in skipped))
    for failure in failures:
        print("FAIL", failure)
    print("\n".join(summary))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:]))
