"""A PyTorch training-loop skeleton over the shards of `dance slim`, read with `webdataset`.

usage: python examples/pytorch_webdataset.py OUT [--split train] [--steps 20] [--batch 4]
                                             [--crop 128x64] [--workers 0] [--shuffle 64]

Needs torch, numpy, Pillow and webdataset (1.x or 0.2.x): `pip install webdataset pillow`, torch
from your usual source. `make test` runs it on a small synthetic output with webdataset 1.x and
0.2.x (scripts/examples.sh).

What it shows:

- The brace URL form: `OUT/train/train-{000000..000003}.tar` names four shards in one string
  (`shard_urls`). A partitioned slim (`--partition i/N`) names its shards
  `train-partIofN-000000.tar`, also after `dance catalog merge`; `shard_urls` lists them then.
- Decoding `seg.png` as train ids. The trap: `.decode("pil")` converts every PNG, the label too,
  to RGB, and `.decode("torchrgb")` also divides by 255, so train id 13 becomes 0.051 and the
  ignore value 255 becomes 1.0. `train_ids` below is a handler for the `seg.png` field that keeps
  the 8-bit values as int64 indices; it goes *before* the image spec in `.decode(...)`, because
  the first handler that returns a value wins.
- The per-sample DANCE loss weight (`json` member, `weight`) in a weighted cross-entropy: each
  sample's mean pixel loss (255 = ignore) times its weight, averaged over the batch.
- Scale-bucketed batches: slimmed samples are stored at scales 0.5, 0.75 and 1, so a batch takes
  samples of one stored scale and crops them at `scale × crop` (as `dance train` does). Smaller
  samples then cost fewer FLOPs and no sample is resized again.

Shard counts for multi-worker and multi-GPU loading: webdataset hands whole shards to DataLoader
workers (`split_by_worker`) and to ranks (`split_by_node`), so have at least
`world_size × num_workers` shards per split, better a multiple of it so every worker reads the same
amount; otherwise some workers idle and ranks see different numbers of samples. Pick
`dance slim --shard-samples N` (or `--shard-size`) for that: 2,975 Cityscapes training images with
`--shard-samples 100` give 30 shards, enough for 2 GPUs × 8 workers but not for 4 × 8. With DDP,
give every rank the same number of batches (`.with_epoch(n)` on the WebLoader, or `resampled=True`),
or the ranks wait for each other at the end of an epoch.
"""
import argparse
import glob
import io
import os
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import webdataset as wds
from PIL import Image

IGNORE_INDEX = 255
CLASSES = {"cityscapes-trainid-19": 19, "camvid-segnet-11": 11, "ade20k-150-reduced": 150}
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)


def shard_urls(out, split="train"):
    """`OUT/<split>/<split>-{000000..00000N}.tar` when the shards are numbered from 0 without gaps,
    else the sorted list of shard paths (partitioned names, for instance)."""
    paths = sorted(glob.glob(os.path.join(out, split, f"{split}-*.tar")))
    numbered = [os.path.join(out, split, f"{split}-{i:06d}.tar") for i in range(len(paths))]
    if paths and paths == numbered:
        return os.path.join(out, split, f"{split}-{{000000..{len(paths) - 1:06d}}}.tar")
    return paths


def train_ids(data):
    """The `seg.png` handler: the 8-bit gray PNG's values as they are (train ids, 255 = ignore)."""
    label = np.array(Image.open(io.BytesIO(data)))  # no .convert(): that would re-map the values
    assert label.ndim == 2 and label.dtype == np.uint8, (label.shape, label.dtype)
    return torch.from_numpy(label).long()


def to_sample(sample):
    """(image uint8 [3,H,W], label int64 [H,W], metadata dict) -> a dict the batching stage reads."""
    image, label, meta = sample
    return dict(image=image, label=label, weight=float(meta["weight"]), scale=float(meta["scale"]),
                key=meta["key"], classes=CLASSES[meta["label_space"]])


def make_dataset(urls, shuffle=64, seed=0):
    """The webdataset pipeline: shards split over ranks and workers, a shuffle buffer, decoding
    (train ids for `seg.png` first, then uint8 RGB for `png`/`jpg`), and a tuple per sample."""
    dataset = wds.WebDataset(urls, shardshuffle=False, nodesplitter=wds.split_by_node,
                             workersplitter=wds.split_by_worker, empty_check=False)
    if shuffle:  # a seeded buffer: with DataLoader workers every epoch repeats the same order, so
        # pass seed=epoch (or drop rng= for webdataset's own seeding) in a real run
        dataset = dataset.shuffle(shuffle, rng=random.Random(seed))
    return (dataset
            .decode(wds.handle_extension("seg.png", train_ids), "torchrgb8")
            .to_tuple("png;jpg", "seg.png", "json")
            .map(to_sample))


def crop_size(sample, crop):
    """`scale × crop` (width, height), never larger than the sample."""
    height, width = sample["label"].shape
    return (min(width, max(1, round(crop[0] * sample["scale"]))),
            min(height, max(1, round(crop[1] * sample["scale"]))))


def collate(samples, size, rng):
    """Random crops of one size (image and label together, plus a random horizontal flip)."""
    images, labels = [], []
    for sample in samples:
        height, width = sample["label"].shape
        x, y = rng.randint(0, width - size[0]), rng.randint(0, height - size[1])
        image = sample["image"][:, y:y + size[1], x:x + size[0]]
        label = sample["label"][y:y + size[1], x:x + size[0]]
        if rng.random() < 0.5:
            image, label = image.flip(-1), label.flip(-1)
        images.append((image.float() / 255 - MEAN) / STD)
        labels.append(label)
    return dict(image=torch.stack(images), label=torch.stack(labels),
                weight=torch.tensor([s["weight"] for s in samples], dtype=torch.float64),  # as in the json
                scale=torch.tensor([s["scale"] for s in samples], dtype=torch.float64),
                key=[s["key"] for s in samples], classes=samples[0]["classes"])


def scale_buckets(batch_size, crop, seed=0):
    """A pipeline stage: batches whose samples share one stored scale (and so one crop size).
    Partial buckets are flushed at the end of the stream, so every sample is used once."""
    def stage(samples):
        rng = random.Random(seed)
        buckets = {}
        for sample in samples:
            key = (sample["scale"], crop_size(sample, crop))
            bucket = buckets.setdefault(key, [])
            bucket.append(sample)
            if len(bucket) == batch_size:
                yield collate(bucket, key[1], rng)
                buckets[key] = []
        for key, bucket in buckets.items():
            if bucket:
                yield collate(bucket, key[1], rng)
    return stage


def make_loader(out, split="train", batch=4, crop=(128, 64), workers=0, shuffle=64, seed=0):
    """Batches from a WebLoader; `batch_size=None` because the dataset batches by scale itself."""
    dataset = make_dataset(shard_urls(out, split), shuffle=shuffle, seed=seed).compose(scale_buckets(batch, crop, seed))
    return wds.WebLoader(dataset, batch_size=None, num_workers=workers)


def weighted_cross_entropy(logits, label, weight):
    """Each sample's mean cross-entropy over its non-ignored pixels, times its loss weight, averaged."""
    pixels = F.cross_entropy(logits, label, ignore_index=IGNORE_INDEX, reduction="none")  # [B, H, W]
    valid = (label != IGNORE_INDEX).flatten(1).sum(1).clamp(min=1)
    per_sample = pixels.flatten(1).sum(1) / valid
    return (per_sample * weight.to(per_sample.dtype)).mean()


def tiny_model(classes):
    """A stand-in for a real segmentation network: logits at the input resolution."""
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, classes, 1))


def train(out, split="train", steps=20, batch=4, crop=(128, 64), workers=0, shuffle=64, seed=0, log=print):
    """Trains `tiny_model` for at most `steps` batches (epochs repeat); returns the losses."""
    torch.manual_seed(seed)
    loader = make_loader(out, split, batch, crop, workers, shuffle, seed)
    model, optimiser, losses = None, None, []
    while len(losses) < steps:
        for batch_ in loader:
            if model is None:  # the label space's class count comes with the first batch
                model = tiny_model(batch_["classes"])
                optimiser = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            loss = weighted_cross_entropy(model(batch_["image"]), batch_["label"], batch_["weight"])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            losses.append(loss.item())
            log(f"step {len(losses)}: scale {batch_['scale'][0].item():g}, batch {tuple(batch_['image'].shape)}, "
                f"loss {loss.item():.4f}")
            if len(losses) == steps:
                break
    return losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="a `dance slim` output directory")
    parser.add_argument("--split", default="train")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--crop", default="128x64", help="WxH at scale 1")
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--shuffle", type=int, default=64, help="shuffle buffer size (0: shard order)")
    args = parser.parse_args()
    crop = tuple(int(v) for v in args.crop.split("x"))
    print(f"shards: {shard_urls(args.out, args.split)}")
    losses = train(args.out, args.split, args.steps, args.batch, crop, args.workers, args.shuffle)
    print(f"{len(losses)} steps, first loss {losses[0]:.4f}, last {losses[-1]:.4f}")


if __name__ == "__main__":
    main()
