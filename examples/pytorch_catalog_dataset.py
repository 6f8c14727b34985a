"""A map-style PyTorch dataset over `dance slim` shards, with random access through the SQLite catalog.

usage: python examples/pytorch_catalog_dataset.py OUT CATALOG.sqlite [--split train] [--batch 2]

Needs torch, numpy and Pillow; the catalog is read with Python's own sqlite3, and no tar reader is
needed. `make test` runs it on a small synthetic output (scripts/examples.sh).

What it shows:

- The catalog's `member` table holds, for every member of every shard, the byte offset of its data
  inside the tar (`dataOffset`, past the 512-byte header) and its `size`; `shard.path` is relative
  to the `directory` of the shard's `output` row (`shard.outputId`; the rows of a partition or a
  dry run have a `partitionIndex` or `dryRun` set). One query gives the whole index: `dataset[i]` then reads
  exactly the bytes of sample i's members with `os.pread`, whichever shard they are in.
- The loss weight and stored scale come from the catalog's `decision` table (the same values as the
  sample's `json` member), so a sampler can weight or bucket samples without opening a shard.
- File handles are opened lazily per process, so the dataset works with DataLoader workers (each
  worker opens its own after the fork).

The catalog must be the one the output was written with (for a partitioned slim, the merged
catalog of `dance catalog merge`); if the shards were moved or copied, the paths still resolve
as long as `OUT` is given, because only `shard.path` (relative) is used. `dance verify OUT
--catalog CATALOG` checks that every recorded offset still holds its member.
"""
import argparse
import io
import json
import os
import sqlite3
from collections import defaultdict

import numpy as np
import torch
from PIL import Image

QUERY = """
SELECT shard.path, member.sampleKey, member.field, member.dataOffset, member.size, decision.weight, decision.scale
FROM member
JOIN shard ON shard.id = member.shardId
JOIN plan ON plan.outputId = shard.outputId AND plan.split = shard.split
JOIN decision ON decision.planId = plan.id AND decision.sampleKey = member.sampleKey
WHERE shard.outputId = ? AND shard.split = ?
ORDER BY shard.path, member.dataOffset
"""


class CatalogDataset(torch.utils.data.Dataset):
    """Samples of one split of a slimmed output, in shard order, read at their catalog offsets."""

    def __init__(self, out, catalog, split="train"):
        self.out = os.path.abspath(out)
        with sqlite3.connect(f"file:{catalog}?mode=ro", uri=True) as db:
            outputs = dict(db.execute(
                "SELECT directory, id FROM output WHERE partitionIndex IS NULL AND NOT dryRun").fetchall())
            # The catalog stores the absolute output path of the run; match it, or else the one
            # output with this directory name (shards copied elsewhere with their catalog).
            output = self.out if self.out in outputs else next(
                (o for o in outputs if os.path.basename(o) == os.path.basename(self.out)), self.out)
            rows = db.execute(QUERY, (outputs.get(output), split)).fetchall()
        if not rows:
            raise ValueError(f"{catalog}: no shards of split {split!r} for output {self.out}")
        members, order = defaultdict(dict), []
        self.weight, self.scale, self.shard = {}, {}, {}
        for path, key, field, offset, size, weight, scale in rows:
            if key not in members:
                order.append(key)
            members[key][field] = (offset, size)
            self.shard[key], self.weight[key], self.scale[key] = path, weight, scale
        self.keys, self.members = order, dict(members)
        self._files, self._pid = {}, None

    def __len__(self):
        return len(self.keys)

    def read(self, key, field):
        """The bytes of one member, by offset and size, from a handle opened once per process."""
        if self._pid != os.getpid():
            self._files, self._pid = {}, os.getpid()
        path = self.shard[key]
        if path not in self._files:
            self._files[path] = os.open(os.path.join(self.out, path), os.O_RDONLY)
        offset, size = self.members[key][field]
        data = os.pread(self._files[path], size, offset)
        if len(data) != size:
            raise IOError(f"{path}: {key}.{field} is cut short ({len(data)} of {size} bytes)")
        return data

    def __getitem__(self, index):
        key = self.keys[index]
        fields = self.members[key]
        image = Image.open(io.BytesIO(self.read(key, "png" if "png" in fields else "jpg"))).convert("RGB")
        label = np.array(Image.open(io.BytesIO(self.read(key, "seg.png"))))  # train ids, 255 = ignore
        return dict(key=key, image=torch.from_numpy(np.array(image)).permute(2, 0, 1),
                    label=torch.from_numpy(label).long(), weight=self.weight[key], scale=self.scale[key],
                    meta=json.loads(self.read(key, "json")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="a `dance slim` output directory")
    parser.add_argument("catalog", help="the catalog it was written with")
    parser.add_argument("--split", default="train")
    parser.add_argument("--batch", type=int, default=2)
    args = parser.parse_args()
    dataset = CatalogDataset(args.out, args.catalog, args.split)
    print(f"{len(dataset)} samples of {args.split} in {len(set(dataset.shard.values()))} shards")
    sample = dataset[len(dataset) // 2]
    print(f"{sample['key']}: image {tuple(sample['image'].shape)}, weight {sample['weight']}, scale {sample['scale']}")
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, num_workers=2, collate_fn=list)
    print(f"{sum(len(batch) for batch in loader)} samples read by 2 workers")


if __name__ == "__main__":
    main()
