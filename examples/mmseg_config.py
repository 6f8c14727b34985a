# An MMSegmentation (1.x) config fragment for the folder export of a slimmed output.
#
#   dance export folder OUT --to data/cityscapes-slim
#
# writes the original Cityscapes layout at the slimmed sizes:
#   data/cityscapes-slim/leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png
#   data/cityscapes-slim/gtFine/<split>/<city>/<stem>_gtFine_labelTrainIds.png   (train ids, 255 = ignore)
#   data/cityscapes-slim/weights.csv                                          (key,split,image,label,scale,weight)
# and for ADE20K (`dance export folder ADE_OUT --to data/ade20k-slim`):
#   data/ade20k-slim/images/<training|validation>/<stem>.jpg
#   data/ade20k-slim/annotations/<training|validation>/<stem>.png   (1…150, 0 = other: the original encoding)
#
# Use it as the dataset part of a model config, e.g. at the top of your own config:
#   _base_ = ['path/to/mmseg/configs/_base_/models/deeplabv3plus_r50-d8.py', 'path/to/examples/mmseg_config.py']
# The model, schedule and runtime parts are MMSegmentation's own; only the data is ours.
#
# Notes on slimmed data:
# - The train pipeline has no RandomResize: MMSegmentation's stock Cityscapes pipeline resizes every
#   image to scale=(2048, 1024) × ratio, which would blow slimmed images back up to full size and
#   undo the slimming. RandomCrop keeps a sample smaller than crop_size whole; set
#   `model = dict(data_preprocessor=dict(size=crop_size))` in your own config (not in a second
#   _base_ file: mmengine refuses keys that two bases share) so that the batch is padded to it.
# - MMSegmentation's losses have no per-sample weight, so weights.csv is not used here; train with
#   the shards (examples/pytorch_webdataset.py) or `dance train` to apply DANCE's loss weights.
# - ADE20K: annotations keep the dataset's own encoding, so reduce_zero_label=True (in the dataset
#   and in LoadAnnotations, as MMSegmentation's ADE20K config has it) turns 0 into 255 and
#   1…150 into the train ids 0…149 of the shards. img_suffix is '.jpg': slim ADE20K with the
#   default --image-codec auto or jpg; with --image-codec png the export holds .png images.
#
# `make test` (scripts/examples.sh) loads this file with plain Python and with mmengine's
# Config.fromfile and checks its roots, prefixes and suffixes against real exports.

data_root = 'data/cityscapes-slim'
dataset_type = 'CityscapesDataset'
crop_size = (512, 1024)  # (height, width), as MMSegmentation writes it

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]

train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        img_suffix='_leftImg8bit.png',
        seg_map_suffix='_gtFine_labelTrainIds.png',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        img_suffix='_leftImg8bit.png',
        seg_map_suffix='_gtFine_labelTrainIds.png',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# ADE20K: replace the datasets above with these (and num_classes=150 in the model's heads).
ade20k_data_root = 'data/ade20k-slim'
ade20k_train_dataset = dict(
    type='ADE20KDataset',
    data_root=ade20k_data_root,
    data_prefix=dict(img_path='images/training', seg_map_path='annotations/training'),
    img_suffix='.jpg',
    seg_map_suffix='.png',
    reduce_zero_label=True,
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', reduce_zero_label=True),
        dict(type='RandomCrop', crop_size=(512, 512), cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PhotoMetricDistortion'),
        dict(type='PackSegInputs'),
    ])
ade20k_val_dataset = dict(
    type='ADE20KDataset',
    data_root=ade20k_data_root,
    data_prefix=dict(img_path='images/validation', seg_map_path='annotations/validation'),
    img_suffix='.jpg',
    seg_map_suffix='.png',
    reduce_zero_label=True,
    pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', reduce_zero_label=True),
        dict(type='PackSegInputs'),
    ])
