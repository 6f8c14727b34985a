"""Checks examples/pytorch_catalog_dataset.py: every member read at its catalog offset equals the
member's bytes in the tar, weights and scales from the decision table equal the json's, and a
DataLoader with 2 workers reads every sample once.
usage: check_catalog_dataset.py OUT CATALOG"""
import json, os, sys, tarfile

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
from pytorch_catalog_dataset import CatalogDataset

out, catalog = os.path.abspath(sys.argv[1]), sys.argv[2]
failures, members = [], 0
dataset = CatalogDataset(out, catalog, "train")
truth = {}
for name in sorted(os.listdir(os.path.join(out, "train"))):
    if name.endswith(".tar"):
        with tarfile.open(os.path.join(out, "train", name)) as tar:
            for member in tar.getmembers():
                key, field = member.name.split(".", 1)
                truth.setdefault(key, {})[field] = tar.extractfile(member).read()
if sorted(dataset.keys) != sorted(truth):
    failures.append(f"catalog lists {len(dataset.keys)} samples, the tars hold {len(truth)}")
for key in dataset.keys:
    for field, data in truth.get(key, {}).items():
        members += 1
        if dataset.read(key, field) != data:
            failures.append(f"{key}.{field}: bytes at the catalog offset differ from the tar member")
for i in range(len(dataset)):
    sample = dataset[i]
    meta = json.loads(truth[sample["key"]]["json"])
    if sample["weight"] != meta["weight"] or sample["scale"] != meta["scale"] or sample["meta"] != meta:
        failures.append(f"{sample['key']}: catalog weight/scale {sample['weight']}/{sample['scale']}, json {meta['weight']}/{meta['scale']}")
    if list(sample["label"].shape[::-1]) != meta["size"] or not set(sample["label"].unique().tolist()) <= set(range(19)) | {255}:
        failures.append(f"{sample['key']}: label {tuple(sample['label'].shape)} or values off")
loader = torch.utils.data.DataLoader(dataset, batch_size=3, shuffle=True, num_workers=2, collate_fn=list)
seen = [s["key"] for batch in loader for s in batch]
if sorted(seen) != sorted(dataset.keys):
    failures.append(f"2 workers read {len(seen)} samples of {len(dataset)}")
for failure in failures:
    print("FAIL", failure)
print(f"  pytorch_catalog_dataset: {members} members of {len(dataset)} samples equal at their catalog offsets")
sys.exit(1 if failures else 0)
