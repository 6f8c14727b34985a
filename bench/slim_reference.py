#!/usr/bin/env python3
"""The Python + OpenCV reference for `dance-bench slim`: the job `dance slim --policy quantile` does,
written the way a typical dataset-preparation script would, on all cores.

Usage: slim_reference.py ROOT OUT [--workers N] [--png-strategy default|rle] [--lean] [--decode-only]
  ROOT is a Cityscapes-format root (leftImg8bit/train/CITY/*_leftImg8bit.png and
  gtFine/train/CITY/*_gtFine_labelIds.png); OUT receives one tar per worker process.
Prints one line of JSON: samples, kept, seconds (score pass, slim pass, total), samples/s.

What it does (the same work as `dance slim ROOT --out OUT --policy quantile` on a fresh catalog):
  pass 1 (score), multiprocessing.Pool(processes=N): decode every training image PNG, BT.601 luma
    in float32, unnormalised 3x3 Sobel in x and y, mean gradient magnitude over the interior
    (the `si-mean` indicator dance ranks by). dance also decodes every label in its scan/score pass;
    the reference does not need to, which favours the reference.
  plan: sort by (score, path); percentile rank r = rank/(n-1) (ties share their mean rank); drop
    the lowest floor(0.1 n); r < 0.4 -> scale 0.5, r < 0.8 -> 0.75, else 1 (dance's quantile policy).
  pass 2 (slim), the same pool: for every kept sample decode the image PNG and the label PNG again,
    map Cityscapes label ids to train ids (255 = ignore), resize the image with cv2.INTER_AREA and
    the label with centre-aligned nearest (cv2.INTER_NEAREST_EXACT), encode both as PNG with zlib
    level 3 (dance's image encoder uses zlib 3 too), add a small JSON member, and append the three
    members to the worker's own tar (one tar per worker process, members named like WebDataset).
    Dropped samples are not decoded again.

With --lean, samples kept at scale 1 have their image copied as stored (its file's bytes, not
decoded or re-encoded), as dance does and as a lean user script would
(`/work/shared/bench/ref_slim.py`); their label is still decoded, mapped to train ids and encoded,
and everything else is as above.

With --decode-only it only decodes every training image PNG and its label PNG, once, in the same
pool, and writes nothing: the bound a decode-bound job like `dance slim` with cached scores is
measured against (dance slim decodes every kept image it rescales and every kept label).

Why it is a fair comparison: it is the same input, the same indicator, the same decisions and the
same output content (resized image + train-id label + json per kept sample, in tar files), in as
many processes as there are cores, with OpenCV's own threading off (one thread per process) so the
processes do not oversubscribe the cores. Two passes over the data is what a script has to do when
the policy needs the whole score distribution before deciding. The one thing dance does that the
reference as written does not: samples kept at scale 1 are copied byte for byte by dance (its
design), whereas the reference re-encodes them (as a typical script would, since it wants train-id
labels and uniformly encoded images anyway). --lean removes that difference: then both copy those
images as stored, and the output sizes compare like for like.
"""
import argparse
import glob
import io
import json
import multiprocessing
import os
import tarfile
import time

import cv2
import numpy as np

# Cityscapes label id -> train id (255 = ignore), from cityscapesScripts' labels.py.
_TRAIN_IDS = {7: 0, 8: 1, 11: 2, 12: 3, 13: 4, 17: 5, 19: 6, 20: 7, 21: 8, 22: 9, 23: 10, 24: 11, 25: 12,
              26: 13, 27: 14, 28: 15, 31: 16, 32: 17, 33: 18}
LUT = np.full(256, 255, dtype=np.uint8)
for _id, _train in _TRAIN_IDS.items():
    LUT[_id] = _train

LUMA = np.array([[0.114, 0.587, 0.299]], dtype=np.float32)  # BGR order: BT.601 luma
PNG = [cv2.IMWRITE_PNG_COMPRESSION, 3]


def _init(strategy="default"):
    global PNG
    cv2.setNumThreads(1)
    if strategy == "rle":  # after the level: setting the level resets OpenCV's strategy
        PNG = [cv2.IMWRITE_PNG_COMPRESSION, 3, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]


def score(path):
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    luma = cv2.transform(image.astype(np.float32), LUMA)
    gx = cv2.Sobel(luma, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(luma, cv2.CV_32F, 0, 1, ksize=3)
    magnitude = cv2.magnitude(gx, gy)
    return float(magnitude[1:-1, 1:-1].mean(dtype=np.float64))


def plan(paths, scores, drop=0.1, bands=((0.4, 0.5), (0.8, 0.75))):
    order = sorted(range(len(paths)), key=lambda i: (scores[i], paths[i]))
    n = len(order)
    ranks = [1.0] * n
    if n > 1:
        start = 0
        while start < n:
            end = start
            while end + 1 < n and scores[order[end + 1]] == scores[order[start]]:
                end += 1
            for k in range(start, end + 1):
                ranks[k] = (start + end) / 2 / (n - 1)
            start = end + 1
    drop_count = int(drop * n)
    decisions = []
    for position, index in enumerate(order):
        if position < drop_count:
            continue
        scale = next((s for upto, s in bands if ranks[position] < upto), 1.0)
        decisions.append((index, scale, ranks[position]))
    decisions.sort()
    return decisions


def slim_chunk(job):
    tar_path, items, lean = job
    with tarfile.open(tar_path, "w") as tar:
        for image_path, label_path, scale, rank, score_value in items:
            label = cv2.LUT(cv2.imread(label_path, cv2.IMREAD_GRAYSCALE), LUT)
            height, width = label.shape
            out_w, out_h = max(1, round(width * scale)), max(1, round(height * scale))
            if lean and scale == 1.0:  # copied as stored, as dance does
                with open(image_path, "rb") as stored:
                    image_bytes = stored.read()
            else:
                image = cv2.imread(image_path, cv2.IMREAD_COLOR)
                if scale != 1.0:
                    image = cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_AREA)
                ok_i, image_png = cv2.imencode(".png", image, PNG)
                assert ok_i
                image_bytes = image_png.tobytes()
            if scale != 1.0:
                label = cv2.resize(label, (out_w, out_h), interpolation=cv2.INTER_NEAREST_EXACT)
            ok_l, label_png = cv2.imencode(".png", label, PNG)
            assert ok_l
            key = os.path.basename(image_path)[: -len("_leftImg8bit.png")]
            meta = json.dumps({"width": out_w, "height": out_h, "scale": scale, "rank": rank,
                               "scores": {"si-mean": score_value}}, sort_keys=True).encode()
            for suffix, data in (("png", image_bytes), ("seg.png", label_png.tobytes()), ("json", meta)):
                info = tarfile.TarInfo(f"{key}.{suffix}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return len(items)


def decode_only(pair):
    image_path, label_path = pair
    image = cv2.imread(image_path, cv2.IMREAD_COLOR)
    label = cv2.imread(label_path, cv2.IMREAD_GRAYSCALE)
    assert image is not None and label is not None, image_path
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root")
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--png-strategy", choices=["default", "rle"], default="default",
                        help="zlib strategy of the PNGs written (default: OpenCV's default at level 3)")
    parser.add_argument("--lean", action="store_true",
                        help="copy the image of every sample kept at scale 1 as stored, as dance does")
    parser.add_argument("--decode-only", action="store_true",
                        help="only decode every image and label (the decode-only bound), write nothing")
    args = parser.parse_args()
    images = sorted(glob.glob(os.path.join(args.root, "leftImg8bit", "train", "*", "*_leftImg8bit.png")))
    labels = [p.replace(os.sep + "leftImg8bit" + os.sep, os.sep + "gtFine" + os.sep, 1)
              .replace("_leftImg8bit.png", "_gtFine_labelIds.png") for p in images]
    os.makedirs(args.out, exist_ok=True)
    start = time.perf_counter()
    if args.decode_only:
        with multiprocessing.Pool(processes=args.workers, initializer=_init) as pool:
            decoded = sum(pool.map(decode_only, list(zip(images, labels)), chunksize=1))
        end = time.perf_counter()
        print(json.dumps({"samples": len(images), "decoded": decoded, "workers": args.workers, "seconds": end - start,
                          "samples_per_second": len(images) / (end - start)}))
        return
    with multiprocessing.Pool(processes=args.workers, initializer=_init, initargs=(args.png_strategy,)) as pool:
        scores = pool.map(score, images, chunksize=1)
        scored = time.perf_counter()
        decisions = plan(images, scores)
        items = [(images[i], labels[i], scale, rank, scores[i]) for i, scale, rank in decisions]
        jobs = [(os.path.join(args.out, f"train-{w:06d}.tar"), items[w::args.workers], args.lean) for w in range(args.workers)]
        kept = sum(pool.map(slim_chunk, jobs, chunksize=1))
    end = time.perf_counter()
    print(json.dumps({"samples": len(images), "kept": kept, "workers": args.workers, "lean": args.lean,
                      "score_seconds": scored - start, "slim_seconds": end - scored, "seconds": end - start,
                      "samples_per_second": len(images) / (end - start)}))


if __name__ == "__main__":
    main()
