"""Checks examples/pytorch_wids.py: through shardindex.json, dataset[i] for every i gives the i-th
sample in shard order with the tar's exact train ids and json weight, the loader yields every
sample once, and no shard was copied into wids' cache directory ($WIDS_CACHE, set by the caller).
usage: check_pytorch_wids.py OUT"""
import io, json, os, sys, tarfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
import pytorch_wids as example

out = os.path.abspath(sys.argv[1])
failures = []
index = json.load(open(os.path.join(out, "train", "shardindex.json")))
truth = []  # (key, seg.png bytes, json) in shard order
for shard in index["shardlist"]:
    with tarfile.open(os.path.join(out, "train", shard["url"])) as tar:
        samples = {}
        for member in tar.getmembers():
            key, field = member.name.split(".", 1)
            samples.setdefault(key, {})[field] = tar.extractfile(member).read()
        truth += [(key, fields["seg.png"], json.loads(fields["json"])) for key, fields in samples.items()]

dataset = example.make_dataset(out)
if len(dataset) != len(truth):
    failures.append(f"len {len(dataset)}, {len(truth)} samples in the shards")
for i in reversed(range(min(len(dataset), len(truth)))):  # random access, last first
    sample, (key, seg, meta) = dataset[i], truth[i]
    if sample["key"] != key:
        failures.append(f"[{i}] is {sample['key']}, the shards have {key}")
    if not np.array_equal(sample["label"], np.array(Image.open(io.BytesIO(seg)))) or sample["label"].dtype != np.uint8:
        failures.append(f"{key}: labels differ from the tar's seg.png")
    if sample["weight"] != meta["weight"] or list(sample["image"].shape[1::-1]) != meta["size"]:
        failures.append(f"{key}: weight {sample['weight']} or image {sample['image'].shape} differ from the json")
seen = [s["key"] for batch in example.make_loader(dataset, batch=4) for s in batch]
if sorted(seen) != sorted(key for key, _, _ in truth):
    failures.append(f"the loader gave {len(seen)} samples, {len(truth)} expected")
cache = os.environ.get("WIDS_CACHE")
if cache and os.path.isdir(cache) and os.listdir(cache):
    failures.append(f"wids copied shards into {cache}: {os.listdir(cache)}")
for failure in failures:
    print("FAIL", failure)
print(f"  pytorch_wids: {len(truth)} samples by index from {len(index['shardlist'])} shards")
sys.exit(1 if failures else 0)
