"""Reads a `dance export mds` directory with MosaicML Streaming's own MDS reader
(`streaming.base.format.mds.reader.MDSReader`, which `StreamingDataset` uses per shard) and checks
every sample against the slimmed WebDataset shards: same keys in order, image and mask bytes, and
scale and weight from the json member.

`import streaming` pulls in the whole package (transformers, torchvision, cloud clients); the
reader modules need only numpy, PIL and torch, so their parent packages are registered empty and
the reader is imported by its module path.
usage: check_mds.py MDS_DIR SLIMMED_OUTPUT_DIR"""
import importlib, importlib.util, io, json, os, sys, tarfile, types

import numpy as np
from PIL import Image

spec = importlib.util.find_spec("streaming")
if spec is None:
    print("mosaicml-streaming is not installed")
    sys.exit(2)
base = os.path.dirname(spec.origin)
for name in ["streaming", "streaming.base", "streaming.base.format", "streaming.base.format.base",
             "streaming.base.format.mds"]:
    module = types.ModuleType(name)
    module.__path__ = [os.path.join(base, *name.split(".")[1:])]
    sys.modules[name] = module
MDSReader = importlib.import_module("streaming.base.format.mds.reader").MDSReader

mds_dir, slimmed = sys.argv[1], sys.argv[2]
failures, checked = [], 0
# Dance's own records (.dance-written, .dance-export.json) sit beside the split folders.
for split in sorted(name for name in os.listdir(mds_dir) if not name.startswith(".")):
    with open(os.path.join(mds_dir, split, "index.json")) as handle:
        index = json.load(handle)
    expected = []
    split_dir = os.path.join(slimmed, split)
    for shard in sorted(f for f in os.listdir(split_dir) if f.endswith(".tar")):
        with tarfile.open(os.path.join(split_dir, shard)) as tar:
            members = {}
            for member in tar.getmembers():
                key, field = member.name.split(".", 1)
                members.setdefault(key, {})[field] = tar.extractfile(member).read()
            expected += [(key, fields) for key, fields in members.items()]
    rows = []
    for shard in index["shards"]:
        reader = MDSReader.from_json(mds_dir, split, shard)
        rows += [reader.get_item(i) for i in range(reader.samples)]
    if [row["key"] for row in rows] != [key for key, _ in expected]:
        failures.append(f"{split}: keys differ from the shards")
        continue
    for row, (key, fields) in zip(rows, expected):
        meta = json.loads(fields["json"])
        image_bytes = fields.get("png", fields.get("jpg"))
        if np.asarray(row["image"]).tobytes() != np.asarray(Image.open(io.BytesIO(image_bytes))).tobytes():
            failures.append(f"{key}: image differs")
        mask = np.asarray(row["mask"])
        if mask.ndim != 2 or mask.tobytes() != np.asarray(Image.open(io.BytesIO(fields["seg.png"]))).tobytes():
            failures.append(f"{key}: mask is not the 8-bit train-id map of seg.png")
        if abs(float(row["scale"]) - meta["scale"]) > 1e-6 or abs(float(row["weight"]) - meta["weight"]) > 1e-6:
            failures.append(f"{key}: scale or weight differs from the json member")
        checked += 1
if failures:
    print("\n".join(failures[:20]))
    sys.exit(1)
print(f"  mds: {checked} samples read with streaming's MDSReader, equal to the shards")
