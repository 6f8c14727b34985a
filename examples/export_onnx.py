"""Exports a Dance checkpoint to ONNX, pruned networks included.

usage: python examples/export_onnx.py CKPT OUT.onnx [--height H] [--width W] [--opset N]

CKPT is a checkpoint of `dance train` (RUN/last.safetensors, RUN/checkpoint-epoch-N.safetensors)
or a run directory (its last.safetensors). The network is rebuilt by examples/deeplab_torch.py
from the checkpoint's own configuration, so a network pruned by `--prune-at` (narrower head and
decoder, fewer ASPP branches, its gates) exports as it is, and loaded with
`load_state_dict(strict=True)`. It is exported with torch's TorchScript-based exporter
(`dynamo=False`: needs only the `onnx` package) at opset 17, traced on a [1, 3, H, W] input
(default 256x512) with the batch, height and width axes dynamic:

- input `image`: float32 [N, 3, H, W], the RGB image as Dance feeds it, `(x / 255 - mean) / std`
  with the checkpoint's normalization (deeplab_torch.preprocess for the ImageNet statistics);
- output `logits`: float32 [N, K, H, W], at the input's size (argmax over K gives train ids).

The model's metadata carries the label space (`dance.label_space`, and the classes of a generic
dataset's space) and the input normalization. Needs torch and onnx (`pip install onnx`; torch as
a CPU wheel); run it in onnxruntime (`pip install onnxruntime`) with
`onnxruntime.InferenceSession(OUT, providers=["CPUExecutionProvider"]).run(None, {"image": x})`.
"""
import argparse
import json
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deeplab_torch import load_checkpoint  # noqa: E402

KEPT_METADATA = ("dance.label_space", "dance.label_classes", "dance.input_normalization", "dance.deeplab.configuration")


def export(checkpoint, output, height=256, width=512, opset=17):
    """Writes the ONNX model of `checkpoint` to `output`; returns the torch model (eval mode)."""
    if os.path.isdir(checkpoint):
        checkpoint = os.path.join(checkpoint, "last.safetensors")
    model, metadata = load_checkpoint(checkpoint)
    example = torch.zeros(1, 3, height, width)
    axes = {0: "batch", 2: "height", 3: "width"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter is kept on purpose
        # Tracing unrolls the loop over the gates, one per ASPP branch: their number is fixed.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(model, (example,), output, input_names=["image"], output_names=["logits"],
                          dynamic_axes={"image": axes, "logits": axes}, opset_version=opset, dynamo=False)
    import onnx
    proto = onnx.load(output)
    for key in KEPT_METADATA:
        if key in metadata:
            entry = proto.metadata_props.add()
            entry.key, entry.value = key, metadata[key]
    onnx.checker.check_model(proto)
    onnx.save(proto, output)
    return model


def main(arguments):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("output")
    parser.add_argument("--height", type=int, default=256)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args(arguments)
    model = export(args.checkpoint, args.output, args.height, args.width, args.opset)
    configuration = json.dumps(model.configuration, sort_keys=True)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"{args.output}: {parameters} parameters, {configuration}")


if __name__ == "__main__":
    main(sys.argv[1:])
