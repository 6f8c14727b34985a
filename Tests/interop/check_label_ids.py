"""Checks `--label-ids` and the category IoU against cityscapesScripts itself: every
`<name>_labelIds.png` of `dance predict --label-ids` is its `<name>_trainIds.png` mapped through
cityscapesScripts' `trainId2label`, and cityscapesScripts' own pixel-level evaluation
(evalPixelLevelSemanticLabeling: its confusion matrix over label ids, getIouScoreForLabel,
getIouScoreForCategory) of the `dance eval --save-predictions DIR --label-ids` PNGs against the
`_gtFine_labelIds.png` files gives the class and category IoUs that `dance eval --json` printed.
usage: check_label_ids.py PREDICT_DIR EVAL_JSON PREDICTIONS_DIR GT_ROOT"""
import glob, json, math, os, sys

import numpy as np
from PIL import Image
from cityscapesscripts.helpers.labels import trainId2label
import cityscapesscripts.evaluation.evalPixelLevelSemanticLabeling as cs

predict_dir, eval_json, predictions_dir, gt_root = sys.argv[1:5]
failures = []

lut = np.zeros(256, dtype=np.uint8)
for train_id in range(19):
    lut[train_id] = trainId2label[train_id].id
pairs = sorted(glob.glob(os.path.join(predict_dir, "*_labelIds.png")))
for label_ids in pairs:
    train_ids = np.asarray(Image.open(label_ids.replace("_labelIds.png", "_trainIds.png")))
    if not np.array_equal(lut[train_ids], np.asarray(Image.open(label_ids))):
        failures.append(f"{label_ids}: not cityscapesScripts' trainId2label of its _trainIds.png")
if not pairs:
    failures.append(f"no _labelIds.png in {predict_dir}")

result = json.load(open(eval_json))
args = cs.args
args.evalInstLevelScore, args.quiet = False, True
matrix = cs.generateMatrix(args)
gts = sorted(glob.glob(os.path.join(gt_root, "gtFine", "val", "*", "*_gtFine_labelIds.png")))
for gt in gts:
    stem = os.path.basename(gt)[: -len("_gtFine_labelIds.png")]
    found = glob.glob(os.path.join(predictions_dir, "**", stem + "*_labelIds.png"), recursive=True)
    if len(found) != 1:
        failures.append(f"{len(found)} predictions for {gt}")
        continue
    cs.evaluatePair(found[0], gt, matrix, {}, {}, args)

def close(ours, theirs, what):
    if (ours is None) != math.isnan(theirs) or (ours is not None and abs(ours - theirs) > 1e-9):
        failures.append(f"{what}: dance {ours}, cityscapesScripts {theirs}")

classes = {name: cs.getIouScoreForLabel(label.id, matrix, args)
           for name, label in ((trainId2label[t].name, trainId2label[t]) for t in range(19))}
for name, theirs in classes.items():
    close(result["per_class_iou_fraction"].get(name), theirs, f"class {name}")
categories = {c: cs.getIouScoreForCategory(c, matrix, args) for c in cs.category2labels if c != "void"}
for name, theirs in categories.items():
    close(result["per_category_iou_fraction"].get(name), theirs, f"category {name}")
close(result["miou_fraction"], cs.getScoreAverage(classes, args), "mIoU")
close(result["category_miou_fraction"], cs.getScoreAverage(categories, args), "category mIoU")

if failures:
    print("\n".join(failures[:20]))
    sys.exit(1)
print(f"  --label-ids: {len(pairs)} predict maps equal trainId2label of their train ids; cityscapesScripts' evaluation "
      f"of {len(gts)} --save-predictions --label-ids maps gives dance eval's {len(classes)} class and "
      f"{len(categories)} category IoUs (mIoU {result['miou_fraction']:.4f}, category mIoU {result['category_miou_fraction']:.4f})")
