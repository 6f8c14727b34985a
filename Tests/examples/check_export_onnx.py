"""Runs an ONNX model of examples/export_onnx.py in onnxruntime on IMAGE and compares its logits
with `dance predict --logits`' (LOGITS.npy, [K, H, W]): the largest absolute difference must be
below 1e-3 and the argmax the same on at least 99.9 % of the pixels (ties of nearly equal logits
may break either way).
usage: check_export_onnx.py MODEL.onnx IMAGE LOGITS.npy"""
import sys

import numpy as np
import onnx
import onnxruntime
from PIL import Image

model_path, image_path, logits_path = sys.argv[1:4]
metadata = {entry.key: entry.value for entry in onnx.load(model_path).metadata_props}
rgb = np.asarray(Image.open(image_path).convert("RGB"), dtype=np.float32) / 255
mean, std = np.array((0.485, 0.456, 0.406), np.float32), np.array((0.229, 0.224, 0.225), np.float32)
x = ((rgb - mean) / std).transpose(2, 0, 1)[None].astype(np.float32)
session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
logits = session.run(["logits"], {"image": x})[0][0]
dance = np.load(logits_path)
failures = []
if logits.shape != dance.shape:
    failures.append(f"onnxruntime gives {logits.shape}, dance {dance.shape}")
else:
    difference = float(np.abs(logits - dance).max())
    agreement = float((logits.argmax(0) == dance.argmax(0)).mean())
    if difference >= 1e-3:
        failures.append(f"max |onnxruntime - dance| = {difference:.3g} (logits up to {float(np.abs(dance).max()):.3g})")
    if agreement < 0.999:
        failures.append(f"the argmax agrees on {agreement:.2%} of the pixels")
if "dance.label_space" not in metadata:
    failures.append("the model's metadata lacks dance.label_space")
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"  {model_path.rsplit('/', 1)[-1]}: onnxruntime {onnxruntime.__version__} logits {list(logits.shape)}, "
      f"max |difference| to dance predict {difference:.2g}, argmax equal on {agreement:.2%} of the pixels "
      f"({metadata['dance.label_space']})")
