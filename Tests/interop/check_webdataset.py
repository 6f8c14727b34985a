"""Reads every shard of a `dance slim` output with the `webdataset` package and checks it against the
catalog: sample count, keys, image and label shapes, label values and the json loss weight.
usage: check_webdataset.py OUTPUT_DIR CATALOG.sqlite"""
import io, json, os, sqlite3, sys

import numpy as np
import webdataset as wds
from PIL import Image

output, catalog_path = os.path.abspath(sys.argv[1]), sys.argv[2]
db = sqlite3.connect(catalog_path)
failures = []
failed_keys = set()
checked = 0

# The written output (not a dry run, not one partition) of this directory.
output_id = db.execute(
    "select id from output where directory = ? and partitionIndex is null and dryRun = 0", (output,)).fetchone()[0]
for split, in db.execute("select distinct split from shard where outputId = ? order by split", (output_id,)):
    shards = [row[0] for row in db.execute(
        "select path from shard where outputId = ? and split = ? order by id", (output_id, split))]
    plan = db.execute("select id from plan where outputId = ? and split = ?", (output_id, split)).fetchone()[0]
    expected = {key: (w, h, weight) for key, w, h, weight in db.execute(
        "select sampleKey, outputWidth, outputHeight, weight from decision where planId = ? and keep = 1", (plan,))}
    urls = [os.path.join(output, path) for path in shards]
    dataset = wds.WebDataset(urls, shardshuffle=False, empty_check=False)
    seen = set()
    for sample in dataset:
        key = sample["__key__"]
        seen.add(key)
        checked += 1
        if key not in expected:
            failures.append(f"{key}: not a kept sample of the {split} plan")
            continue
        width, height, weight = expected[key]
        image_field = "png" if "png" in sample else "jpg"
        image = np.asarray(Image.open(io.BytesIO(sample[image_field])))
        label = np.asarray(Image.open(io.BytesIO(sample["seg.png"])))
        meta = json.loads(sample["json"])
        if image.shape[:2] != (height, width):
            failures.append(f"{key}: image {image.shape} but the plan says {width}x{height}")
        if label.shape != (height, width) or label.dtype != np.uint8:
            failures.append(f"{key}: label {label.shape} {label.dtype}, expected ({height}, {width}) uint8")
        valid = label[label != 255]
        space = meta["label_space"]
        limit = {"cityscapes-trainid-19": 19, "camvid-segnet-11": 11, "ade20k-150-reduced": 150}[space]
        if valid.size and int(valid.max()) >= limit:
            failures.append(f"{key}: label value {int(valid.max())} outside {space}")
        if meta["weight"] != weight:
            failures.append(f"{key}: json weight {meta['weight']!r} != catalog {weight!r}")
        if meta["size"] != [width, height]:
            failures.append(f"{key}: json size {meta['size']} != {[width, height]}")
    if seen != set(expected):
        failures.append(f"{split}: {len(seen)} samples read, {len(expected)} kept in the plan")

for failure in failures:
    print("FAIL", failure)
    failed_keys.add(failure.split(":")[0])
print(f"webdataset {getattr(wds, '__version__', '?')}: {checked} samples read from {output}")
print(f"interop: {checked - len(failed_keys)} passed, {len(failed_keys)} failed")
sys.exit(1 if failures else 0)
