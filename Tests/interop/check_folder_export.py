"""Checks a `dance export folder` Cityscapes layout with cityscapesScripts' own label table:
every label file holds only train ids cityscapesScripts defines (or 255), and every sample kept at
scale 1 equals the original `_gtFine_labelIds.png` mapped through `id2label[id].trainId`.
usage: check_folder_export.py EXPORT_DIR ORIGINAL_ROOT"""
import csv, os, sys

import numpy as np
from PIL import Image
from cityscapesscripts.helpers.labels import id2label, trainId2label

export, original = sys.argv[1], sys.argv[2]
lut = np.full(256, 255, dtype=np.uint8)
for label_id, label in id2label.items():
    if 0 <= label_id < 256:
        lut[label_id] = 255 if label.trainId in (-1, 255) else label.trainId
valid = {train_id for train_id, label in trainId2label.items() if 0 <= train_id < 255} | {255}

failures, full_size = [], 0
with open(os.path.join(export, "weights.csv"), newline="") as handle:
    rows = list(csv.DictReader(handle))
for row in rows:
    if not row["label"].endswith("_gtFine_labelTrainIds.png") or not row["image"].endswith("_leftImg8bit.png"):
        failures.append(f"{row['key']}: not cityscapesScripts naming: {row['image']}, {row['label']}")
        continue
    labels = np.asarray(Image.open(os.path.join(export, row["label"])))
    image = Image.open(os.path.join(export, row["image"]))
    if labels.ndim != 2 or image.size != (labels.shape[1], labels.shape[0]):
        failures.append(f"{row['label']}: shape {labels.shape} does not fit the image {image.size}")
    unknown = set(np.unique(labels).tolist()) - valid
    if unknown:
        failures.append(f"{row['label']}: values {sorted(unknown)} are not cityscapesScripts train ids")
    if float(row["scale"]) == 1.0:
        source = os.path.join(original, row["label"].replace("_labelTrainIds.png", "_labelIds.png"))
        expected = lut[np.asarray(Image.open(source))]
        if not np.array_equal(expected, labels):
            failures.append(f"{row['label']}: differs from cityscapesScripts' mapping of {source}")
        full_size += 1

if failures:
    print("\n".join(failures[:20]))
    sys.exit(1)
if full_size == 0:
    print("no sample kept at scale 1 to compare")
    sys.exit(1)
print(f"  folder export: {len(rows)} samples in cityscapesScripts naming and train ids; "
      f"{full_size} at full size equal cityscapesScripts' mapping")
