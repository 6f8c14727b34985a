"""Checks examples/mmseg_config.py against real `dance export folder` outputs: loaded with plain
Python (runpy) and, when importable, with mmengine's Config.fromfile, its data prefixes and suffixes
find, by MMSegmentation's own rule (every file under img_path ending in img_suffix, its label the
same relative path with seg_map_suffix under seg_map_path), exactly the samples of weights.csv per
split; Cityscapes labels are train ids; ADE20K labels, reduced as reduce_zero_label does, equal the
shards' seg.png train ids.
usage: check_mmseg_config.py CONFIG CITYSCAPES_EXPORT ADE20K_EXPORT ADE20K_SHARDS"""
import csv, io, os, runpy, sys, tarfile

import numpy as np
from PIL import Image

config_path, cityscapes, ade20k, ade_shards = sys.argv[1:5]
failures = []


def samples(data_root, dataset):
    """(image, label) pairs relative to data_root, as MMSegmentation's BaseSegDataset lists them."""
    img_dir = os.path.join(data_root, dataset["data_prefix"]["img_path"])
    seg_dir = os.path.join(data_root, dataset["data_prefix"]["seg_map_path"])
    pairs = []
    for directory, _, files in os.walk(img_dir):
        for name in files:
            if name.endswith(dataset["img_suffix"]):
                relative = os.path.relpath(os.path.join(directory, name), img_dir)
                label = os.path.join(seg_dir, relative[:-len(dataset["img_suffix"])] + dataset["seg_map_suffix"])
                pairs.append((os.path.relpath(os.path.join(img_dir, relative), data_root), os.path.relpath(label, data_root)))
    return sorted(pairs)


def weights(root, split):
    with open(os.path.join(root, "weights.csv"), newline="") as handle:
        return sorted((row["image"], row["label"]) for row in csv.DictReader(handle) if row["split"] == split)


def check(cfg, loader):
    train, val = cfg["train_dataloader"]["dataset"], cfg["val_dataloader"]["dataset"]
    for dataset, split in ((train, "train"), (val, "val")):
        pairs = samples(cityscapes, dataset)
        if pairs != weights(cityscapes, split):
            failures.append(f"{loader}: cityscapes {split}: config finds {len(pairs)} samples, weights.csv has "
                            f"{len(weights(cityscapes, split))}")
        for _, label in pairs:
            values = set(np.unique(np.array(Image.open(os.path.join(cityscapes, label)))).tolist())
            if not values <= set(range(19)) | {255}:
                failures.append(f"{loader}: {label}: values {sorted(values)} are not train ids")
    if train["type"] != "CityscapesDataset" or cfg["ade20k_train_dataset"]["type"] != "ADE20KDataset":
        failures.append(f"{loader}: dataset types {train['type']}, {cfg['ade20k_train_dataset']['type']}")
    shard_labels = {}
    for directory, _, files in os.walk(ade_shards):
        for name in files:
            if name.endswith(".tar"):
                with tarfile.open(os.path.join(directory, name)) as tar:
                    for member in tar.getmembers():
                        if member.name.endswith(".seg.png"):
                            shard_labels[member.name[:-len(".seg.png")]] = np.array(Image.open(io.BytesIO(tar.extractfile(member).read())))
    with open(os.path.join(ade20k, "weights.csv"), newline="") as handle:
        keys = {row["label"]: row["key"] for row in csv.DictReader(handle)}
    for dataset, split in ((cfg["ade20k_train_dataset"], "train"), (cfg["ade20k_val_dataset"], "val")):
        pairs = samples(ade20k, dataset)
        if not dataset["reduce_zero_label"] or not any(
                step.get("reduce_zero_label") for step in dataset["pipeline"] if step["type"] == "LoadAnnotations"):
            failures.append(f"{loader}: ade20k {split}: reduce_zero_label missing")
        if pairs != weights(ade20k, split):
            failures.append(f"{loader}: ade20k {split}: config finds {len(pairs)} samples, weights.csv has {len(weights(ade20k, split))}")
        for _, label in pairs:
            annotation = np.array(Image.open(os.path.join(ade20k, label))).astype(np.int64)
            reduced = np.where(annotation == 0, 255, annotation - 1)  # mmseg's reduce_zero_label
            if not np.array_equal(reduced, shard_labels[keys[label]]):
                failures.append(f"{loader}: {label}: reduced annotation differs from the shard's train ids")
    return len(samples(cityscapes, train)) + len(samples(cityscapes, val))


count = check(runpy.run_path(config_path), "runpy")
loaders = ["runpy"]
try:
    from mmengine.config import Config
except ImportError as error:
    print(f"  mmseg config: mmengine Config.fromfile SKIPPED ({error})")
else:
    check(Config.fromfile(config_path).to_dict(), "mmengine")
    loaders.append("mmengine Config.fromfile")
for failure in failures:
    print("FAIL", failure)
print(f"  mmseg config ({', '.join(loaders)}): {count} Cityscapes samples and the ADE20K export found as weights.csv lists them")
sys.exit(1 if failures else 0)
