"""Random access to the samples of `dance slim` through the wids index `OUT/<split>/shardindex.json`.

usage: python examples/pytorch_wids.py OUT [--split train] [--batch 4]

Needs torch, numpy, Pillow and wids. wids ships inside `webdataset<1` (`pip install "webdataset<1"`
installs both `webdataset` 0.2.x and `wids`); webdataset 1.x no longer contains it, but it is also
published on its own (`pip install wids`). `make test` runs it with both (scripts/examples.sh).

What it shows:

- `wids.ShardListDataset(".../shardindex.json")`: a map-style dataset of every sample of the split,
  in shard order; `len()` is the sum of the index's `nsamples`, and `dataset[i]` opens (and caches)
  only the shard holding sample i. Shard URLs in the index are relative to its directory.
- `localname=lambda url: url`: by default wids first copies every shard it opens, local files too,
  into a cache directory (`$WIDS_CACHE`, else /tmp/_wids_cache) and leaves the copies there; the
  identity makes it read the shards where they are.
- A transformation that decodes the raw members itself: `seg.png` as train ids (uint8, 255 =
  ignore; wids' default "PIL" decoding would turn it into an RGB image), the image as RGB, and the
  `json` metadata with the loss weight.
- `wids.ChunkedSampler`, which shuffles within chunks of the index so that the shard cache keeps
  hitting; under DDP (torch.distributed initialised) `wids.DistributedChunkedSampler` also splits
  the indices over ranks. Batches here are lists (the
  samples' sizes differ when they were slimmed to different scales); see pytorch_webdataset.py for
  scale-bucketed batches and the weighted loss.
"""
import argparse
import io
import json
import os

import numpy as np
import torch
import wids
from PIL import Image


def member(sample, field):
    """The bytes of one member; wids gives members as file-like objects keyed `.field`."""
    value = sample["." + field]
    return value.read() if hasattr(value, "read") else bytes(value)


def decode(sample):
    """Raw wids sample -> key, image uint8 [H,W,3], label uint8 [H,W] of train ids, metadata."""
    image_field = "png" if ".png" in sample else "jpg"
    meta = json.loads(member(sample, "json"))
    return dict(key=sample["__key__"],
                image=np.array(Image.open(io.BytesIO(member(sample, image_field))).convert("RGB")),
                label=np.array(Image.open(io.BytesIO(member(sample, "seg.png")))),  # no .convert()
                weight=meta["weight"], meta=meta)


def make_dataset(out, split="train"):
    """The split's samples, indexable, through its shardindex.json."""
    index = os.path.join(os.path.abspath(out), split, "shardindex.json")
    return wids.ShardListDataset(index, transformations=[decode], localname=lambda url: url)


def make_loader(dataset, batch=4, seed=0):
    """A DataLoader drawing shuffled indices chunk by chunk; batches are lists of decoded samples."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        sampler = wids.DistributedChunkedSampler(dataset, chunksize=max(1, batch * 2), shuffle=True, seed=seed)
    else:
        sampler = wids.ChunkedSampler(dataset, chunksize=max(1, batch * 2), shuffle=True, seed=seed)
    return torch.utils.data.DataLoader(dataset, batch_size=batch, sampler=sampler, collate_fn=list)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="a `dance slim` output directory")
    parser.add_argument("--split", default="train")
    parser.add_argument("--batch", type=int, default=4)
    args = parser.parse_args()
    dataset = make_dataset(args.out, args.split)
    print(f"{len(dataset)} samples in {args.out}/{args.split}/shardindex.json")
    last = dataset[len(dataset) - 1]  # random access: only the last shard is opened for this
    print(f"last sample {last['key']}: image {last['image'].shape}, labels {sorted(np.unique(last['label']).tolist())}, "
          f"weight {last['weight']}")
    for number, batch in enumerate(make_loader(dataset, args.batch)):
        print(f"batch {number}: " + ", ".join(f"{s['key'].rsplit('/', 1)[-1]} {s['image'].shape[1]}x{s['image'].shape[0]}"
                                            for s in batch))


if __name__ == "__main__":
    main()
