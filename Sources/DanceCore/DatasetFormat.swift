/// The on-disk dataset layouts Dance reads and writes.
///
/// The raw values are the names used on the command line (`--format cityscapes`). The layouts and
/// label encodings are specified in `formats.md`, section A.
public enum DatasetFormat: String, CaseIterable, Sendable, Codable {
  /// Cityscapes: `leftImg8bit/` RGB PNGs with `gtFine/` label-id, instance-id and colour PNGs.
  case cityscapes
  /// CamVid in the SegNet release layout: `train/` + `trainannot/` and so on, 11 classes, 11 = void.
  case camvid
  /// ADE20K SceneParsing (`ADEChallengeData2016/`): JPEG images, 8-bit annotations 0…150.
  case ade20k
  /// Pascal VOC 2012 segmentation (`VOCdevkit/VOC2012/`): `JPEGImages/`, palette PNGs in
  /// `SegmentationClass/` (21 classes, 255 = void border), splits from `ImageSets/Segmentation/`.
  case voc
  /// A dataset of one's own: `images/<split>/…` and `masks/<split>/…` matched by path, with the
  /// classes (id, name, colour) and the ignore value in `classes.yaml`.
  case generic

  /// A human-readable name for messages and reports.
  public var displayName: String {
    switch self {
    case .cityscapes: "Cityscapes"
    case .camvid: "CamVid"
    case .ade20k: "ADE20K"
    case .voc: "Pascal VOC"
    case .generic: "generic"
    }
  }
}
