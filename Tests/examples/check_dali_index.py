"""Checks the DALI `.idx` beside every shard of a `dance slim` output without DALI (its wheels are
CUDA builds): the header's sample count, and for every member the field, data offset, size and
name equal what Python's tarfile finds in the shard, in order, so `fn.readers.webdataset` with
`index_paths` reads the members that a plain tar reader does.
usage: check_dali_index.py OUT"""
import glob, os, sys, tarfile

out = sys.argv[1]
failures, members = [], 0
shards = sorted(glob.glob(os.path.join(out, "*", "*.tar")))
for shard in shards:
    lines = open(shard[:-4] + ".idx").read().splitlines()
    version, count = lines[0].split()
    with tarfile.open(shard) as tar:
        samples = {}
        for member in tar.getmembers():
            key, field = member.name.split(".", 1)
            samples.setdefault(key, []).append((field, member.offset_data, member.size, member.name))
    if version != "v1.2" or int(count) != len(samples) or len(lines) != len(samples) + 1:
        failures.append(f"{shard}: header {lines[0]!r}, {len(lines) - 1} lines, {len(samples)} samples")
    for line, expected in zip(lines[1:], samples.values()):
        words = line.split(" ")
        entries = [(words[i], int(words[i + 1]), int(words[i + 2]), words[i + 3]) for i in range(0, len(words), 4)]
        members += len(entries)
        if entries != expected:
            failures.append(f"{shard}: {line!r} != {expected}")
for failure in failures:
    print("FAIL", failure)
print(f"  DALI .idx: {members} members of {len(shards)} shards at the offsets tarfile finds")
sys.exit(1 if failures or not shards else 0)
