"""The bundled Dance DeepLab (Sources/NN/DeepLab.swift) in PyTorch, loading a Dance checkpoint.

usage: python examples/deeplab_torch.py CKPT [IMAGE ...]

Builds the network from the checkpoint's `dance.deeplab.configuration` metadata, loads the weights
with `load_state_dict(strict=True)` (the state_dict keys are exactly the checkpoint's tensor names),
prints the configuration and parameter count, and for each image the logits' shape and the
predicted-class histogram. Needs torch and numpy; images are read with Pillow.

The network: a 3x3 stride-2 conv-BN-ReLU stem, four layers of one BasicBlock each (named
`backbone.layerK.conv1`, not torchvision's `layerK.0.conv1`), an ASPP, a decoder that fuses the
upsampled ASPP output with a reduction of layer1, a 1x1 classifier (the only conv with a bias) and
bilinear upsampling with align_corners=False.

Input preprocessing of the Dance trainer: RGB uint8 [H, W, 3] -> float [3, H, W] with
`(x / 255 - mean) / std`, mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225) (see `preprocess`).

Checkpoint: safetensors, read here without the `safetensors` package (8-byte little-endian header
length, JSON header, raw little-endian F32 / I64 data). Tests import `load_checkpoint`,
`preprocess` and `read_safetensors` from this file.
"""
import json
import math
import re
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGURATION_KEY = "dance.deeplab.configuration"
MEAN, STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
DEFAULTS = dict(input_channels=3, classes=19, width_multiplier=1.0, output_stride=16, aspp_rates=[6, 12, 18],
                aspp_one_by_one=True, aspp_image_pooling=True, dropout=0.1, aspp_gates=False)
# Base widths before the width multiplier (DeepLabConfiguration.baseWidths).
STEM, LAYERS, ASPP_WIDTH, SKIP, DECODER = 32, (64, 128, 256, 256), 128, 32, 128


def snake_cased(value):
    """Dance writes the configuration with snake_case keys; checkpoints from before issue 26 have
    camelCase keys (widthMultiplier), read the same way."""
    if isinstance(value, dict):
        return {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower(): snake_cased(item) for key, item in value.items()}
    return value


def channels(base, width):
    """DeepLabConfiguration.channels: base * width rounded (half away from zero) to a multiple of 4, at least 4."""
    return max(4, int(math.floor(base * width / 4 + 0.5)) * 4)


def bn(c):
    """BatchNorm2d.swift: eps 1e-5, momentum 0.1, unbiased running variance, as PyTorch's defaults."""
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.1)


def cbr(i, o, k=3, stride=1, dilation=1):
    """Sequential.convBNReLU: conv without bias (padding keeps the size at stride 1), BN, ReLU."""
    return nn.Sequential(nn.Conv2d(i, o, k, stride, padding=dilation * (k - 1) // 2, dilation=dilation, bias=False),
                         bn(o), nn.ReLU())


def upsample(x, size):
    return F.interpolate(x, size=tuple(size), mode="bilinear", align_corners=False)


class BasicBlock(nn.Module):
    """ResidualBlock: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); both 3x3 convs dilated."""

    def __init__(self, i, o, stride, dilation, inner=None):
        """inner: the width between conv1 and conv2 (default o; narrower in a pruned layer4)."""
        super().__init__()
        inner = inner or o
        self.conv1 = nn.Conv2d(i, inner, 3, stride, padding=dilation, dilation=dilation, bias=False)
        self.bn1 = bn(inner)
        self.conv2 = nn.Conv2d(inner, o, 3, 1, padding=dilation, dilation=dilation, bias=False)
        self.bn2 = bn(o)
        self.downsample = (nn.Sequential(nn.Conv2d(i, o, 1, stride, bias=False), bn(o))
                           if stride != 1 or i != o else None)

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.downsample is None else self.downsample(x)))


class Backbone(nn.Module):
    def __init__(self, c, width):
        super().__init__()
        widths = [channels(w, width) for w in LAYERS]
        plan = [(2, 1), (2, 1), (2, 1), (1, 2)] if c["output_stride"] == 16 else [(2, 1), (2, 1), (1, 2), (1, 4)]
        self.stem = cbr(c["input_channels"], channels(STEM, width), stride=2)
        previous = channels(STEM, width)
        inner = (c.get("pruned") or {}).get("last_stage_inner")
        for index, ((stride, dilation), w) in enumerate(zip(plan, widths)):
            setattr(self, f"layer{index + 1}", BasicBlock(previous, w, stride, dilation, inner if index == 3 else None))
            previous = w


class ASPP(nn.Module):
    """Branches convs.0...: optional 1x1, one dilated 3x3 per rate, optional image pooling; project + dropout."""

    def __init__(self, i, widths, o, rates, one_by_one, image_pooling, dropout, gated=False):
        """widths: the output channels of each branch in order; o: the projection's; gated: one
        learnable factor per branch output (DeepLabConfiguration.asppGates)."""
        super().__init__()
        w = iter(widths)
        branches = ([cbr(i, next(w), 1)] if one_by_one else []) + [cbr(i, next(w), dilation=r) for r in rates]
        if image_pooling:
            p = next(w)
            branches.append(nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(i, p, 1, bias=False), bn(p), nn.ReLU()))
        self.image_pooling = image_pooling
        self.convs = nn.ModuleList(branches)
        self.gates = nn.Parameter(torch.ones(len(branches))) if gated else None
        self.project = nn.Sequential(nn.Conv2d(sum(widths), o, 1, bias=False), bn(o), nn.ReLU(),
                                     nn.Dropout(dropout))

    def forward(self, x):
        outputs = [branch(x) for branch in self.convs]
        if self.image_pooling:
            outputs[-1] = upsample(outputs[-1], x.shape[-2:])
        if self.gates is not None:
            outputs = [y * g for y, g in zip(outputs, self.gates)]
        return self.project(torch.cat(outputs, 1))


class Decoder(nn.Module):
    def __init__(self, low, head, skip, out):
        super().__init__()
        self.reduce = cbr(low, skip, 1)
        self.fuse = cbr(head + skip, out)


class DeepLab(nn.Module):
    """[N, C, H, W] -> logits [N, K, H, W], the same layers and state names as DeepLab.swift."""

    def __init__(self, configuration):
        super().__init__()
        c = self.configuration = {**DEFAULTS, **snake_cased(configuration)}
        width = c["width_multiplier"]
        aspp = channels(ASPP_WIDTH, width)
        branches = int(c["aspp_one_by_one"]) + len(c["aspp_rates"]) + int(c["aspp_image_pooling"])
        # A pruned network records what each unit kept (DeepLabConfiguration.PrunedWidths).
        pruned = c.get("pruned") or dict(aspp_branches=[aspp] * branches, aspp_project=aspp,
                                         skip=channels(SKIP, width), decoder=channels(DECODER, width))
        self.backbone = Backbone(c, width)
        self.aspp = ASPP(channels(LAYERS[-1], width), pruned["aspp_branches"], pruned["aspp_project"], c["aspp_rates"],
                         c["aspp_one_by_one"], c["aspp_image_pooling"], c["dropout"], c.get("aspp_gates", False))
        self.decoder = Decoder(channels(LAYERS[0], width), pruned["aspp_project"], pruned["skip"], pruned["decoder"])
        self.classifier = nn.Conv2d(pruned["decoder"], c["classes"], 1, bias=True)

    def forward(self, x):
        b = self.backbone
        low = b.layer1(b.stem(x))
        head = upsample(self.aspp(b.layer4(b.layer3(b.layer2(low)))), low.shape[-2:])
        fused = self.decoder.fuse(torch.cat([head, self.decoder.reduce(low)], 1))
        return upsample(self.classifier(fused), x.shape[-2:])


def read_safetensors(path):
    """-> ({name: tensor}, metadata); dtypes F32 and I64."""
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    dtypes = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8")}
    tensors = {}
    for name, info in header.items():
        dtype = dtypes[info["dtype"]]
        begin, end = info["data_offsets"]
        array = np.frombuffer(data, dtype, (end - begin) // dtype.itemsize, 8 + length + begin)
        tensors[name] = torch.from_numpy(array.reshape(info["shape"]).astype(dtype.newbyteorder("=")))
    return tensors, metadata


def load_checkpoint(path):
    """-> (DeepLab in eval mode with the checkpoint's weights, metadata); other metadata keys are ignored."""
    tensors, metadata = read_safetensors(path)
    model = DeepLab(json.loads(metadata[CONFIGURATION_KEY]))
    model.load_state_dict(tensors, strict=True)
    return model.eval(), metadata


def preprocess(rgb):
    """RGB uint8 [H, W, 3] -> float32 [3, H, W]: (x / 255 - mean) / std, as the Dance trainer feeds images."""
    x = torch.tensor(np.asarray(rgb, dtype=np.uint8), dtype=torch.float32) / 255
    return ((x - torch.tensor(MEAN)) / torch.tensor(STD)).permute(2, 0, 1).contiguous()


def main(arguments):
    if not arguments:
        sys.exit(__doc__.split("\n\n")[1])
    model, metadata = load_checkpoint(arguments[0])
    print("configuration:", json.dumps(model.configuration, sort_keys=True))
    if "dance.label_space" in metadata:
        print("label space:", metadata["dance.label_space"])
    print("parameters:", sum(p.numel() for p in model.parameters()))
    if arguments[1:]:
        try:
            from PIL import Image
        except ImportError:
            sys.exit("reading images needs Pillow (pip install pillow)")
    for path in arguments[1:]:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        with torch.no_grad():
            logits = model(preprocess(rgb).unsqueeze(0))
        counts = torch.bincount(logits.argmax(1).flatten(), minlength=logits.shape[1]).tolist()
        histogram = ", ".join(f"{k}: {n}" for k, n in enumerate(counts) if n)
        print(f"{path}: logits {list(logits.shape)}; predicted pixels per class {{{histogram}}}")


if __name__ == "__main__":
    main(sys.argv[1:])
