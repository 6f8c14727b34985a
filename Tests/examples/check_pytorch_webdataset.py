"""Checks examples/pytorch_webdataset.py on a `dance slim` output with 4 training shards: the brace
URL form, the train-id handler (and the trap it avoids), scale-homogeneous batches, loss weights
equal to each sample's json, every sample once per epoch with 0 and 2 workers, and a few steps
of training with finite losses.
usage: check_pytorch_webdataset.py OUT"""
import io, json, math, os, sys, tarfile

import numpy as np
import torch
import webdataset as wds
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
import pytorch_webdataset as example

out = os.path.abspath(sys.argv[1])
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


# What the tars hold, read with the standard library.
truth = {}
for name in sorted(os.listdir(os.path.join(out, "train"))):
    if name.endswith(".tar"):
        with tarfile.open(os.path.join(out, "train", name)) as tar:
            for member in tar.getmembers():
                key, field = member.name.split(".", 1)
                truth.setdefault(key, {})[field] = tar.extractfile(member).read()
meta = {key: json.loads(fields["json"]) for key, fields in truth.items()}

urls = example.shard_urls(out)
check(urls == os.path.join(out, "train", "train-{000000..000003}.tar"), f"shard_urls gave {urls!r}")
check(len(list(wds.SimpleShardList(urls))) == 4, "the brace form does not expand to 4 shards")

# The trap and the handler.
key, fields = next(iter(truth.items()))
raw = np.array(Image.open(io.BytesIO(fields["seg.png"])))
trap = next(iter(wds.WebDataset(urls, shardshuffle=False, empty_check=False).decode("torchrgb")))["seg.png"]
check(trap.dtype == torch.float32 and trap.shape[0] == 3 and float(trap.max()) <= 1.0,
      f"decode('torchrgb') no longer shows the trap: {trap.dtype} {tuple(trap.shape)}")
ids = example.train_ids(fields["seg.png"])
check(ids.dtype == torch.int64 and np.array_equal(ids.numpy(), raw), "train_ids does not keep the stored values")

valid = set(range(19)) | {255}
crop = (128, 64)
for workers in (0, 2):
    seen = []
    for batch in example.make_loader(out, batch=4, crop=crop, workers=workers, shuffle=0):
        scales = set(batch["scale"].tolist())
        check(len(scales) == 1, f"batch of mixed scales {scales}")
        scale = scales.pop()
        check(tuple(batch["image"].shape[2:]) == (round(crop[1] * scale), round(crop[0] * scale)),
              f"crop {tuple(batch['image'].shape)} at scale {scale}")
        check(batch["label"].dtype == torch.int64 and set(batch["label"].unique().tolist()) <= valid,
              f"labels {batch['label'].unique().tolist()} are not cityscapes train ids")
        for k, w, s in zip(batch["key"], batch["weight"].tolist(), batch["scale"].tolist()):
            check(w == meta[k]["weight"] and s == meta[k]["scale"], f"{k}: weight {w} scale {s}, json {meta[k]['weight']} {meta[k]['scale']}")
        seen += batch["key"]
    check(sorted(seen) == sorted(truth), f"{workers} workers: {len(seen)} samples seen, {len(truth)} in the shards")

# The weighted loss is each sample's mean pixel loss times its weight.
logits = torch.randn(2, 19, 4, 4)
label = torch.randint(0, 19, (2, 4, 4))
label[0, 0, 0] = 255
weight = torch.tensor([0.5, 1.5])
expected = sum(w * torch.nn.functional.cross_entropy(logits[i:i + 1], label[i:i + 1], ignore_index=255)
               for i, w in enumerate(weight)) / 2
check(torch.allclose(example.weighted_cross_entropy(logits, label, weight), expected), "weighted_cross_entropy")

losses = example.train(out, steps=4, batch=4, crop=crop, shuffle=8, log=lambda line: None)
check(len(losses) == 4 and all(math.isfinite(v) for v in losses), f"losses {losses}")

for failure in failures:
    print("FAIL", failure)
print(f"  pytorch_webdataset: {len(truth)} samples, webdataset {wds.__version__}, losses {[round(v, 3) for v in losses]}")
sys.exit(1 if failures else 0)
