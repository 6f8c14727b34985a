public import DanceCore
public import ImageCodecs

/// How one dataset's label files map to train ids: its format, plus the CamVid grouping (the
/// original 32-class release) or the class table of a generic dataset (`classes.yaml`).
///
/// Every stage that reads label files (scan, score, slim, audit, the trainer) converts them
/// through this value, so a generic dataset's classes travel with its format.
public struct DatasetLabels: Sendable, Equatable {
  /// The layout the labels come from.
  public let format: DatasetFormat
  /// How CamVid's 32 colour-coded classes group into 11 (original release only).
  public let camvidGrouping: CamVidGrouping
  /// A generic dataset's class table; `nil` for the standard formats.
  public let classes: ClassesFile?
  /// The class table's label space and mask encoding, made once: every label file converted goes
  /// through them, and making them hashes every class.
  private let genericSpace: LabelSpace?
  private let genericEncoding: LabelEncoding?

  /// The labels of a standard format (not ``DatasetFormat/generic``, whose classes come from a file).
  public init(format: DatasetFormat, camvidGrouping: CamVidGrouping = .standard) {
    precondition(format != .generic, "a generic dataset's labels need its classes.yaml")
    self.format = format
    self.camvidGrouping = camvidGrouping
    classes = nil
    genericSpace = nil
    genericEncoding = nil
  }

  /// The labels of a generic dataset with the class table `classes`.
  public init(classes: ClassesFile) {
    format = .generic
    camvidGrouping = .standard
    self.classes = classes
    genericSpace = classes.space
    genericEncoding = classes.encoding
  }

  /// The labels of the dataset at `root`: for a generic dataset its `ROOT/classes.yaml` is read.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` naming `classes.yaml` when it is
  ///   missing or invalid.
  public static func load(format: DatasetFormat, root: String, camvidGrouping: CamVidGrouping = .standard)
    throws(DatasetError) -> DatasetLabels
  {
    guard format == .generic else { return DatasetLabels(format: format, camvidGrouping: camvidGrouping) }
    return DatasetLabels(classes: try ClassesFile.read(root + "/" + ClassesFile.fileName))
  }

  /// The labels of a single label file of `format`: for a generic dataset the `classes.yaml` in
  /// the file's folder or the nearest one above it is read (a mask in `ROOT/masks/train/` finds
  /// `ROOT/classes.yaml`).
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` when no class table is found or it is invalid.
  public static func forLabelFile(at path: String, format: DatasetFormat, camvidGrouping: CamVidGrouping = .standard)
    throws(DatasetError) -> DatasetLabels
  {
    guard format == .generic else { return DatasetLabels(format: format, camvidGrouping: camvidGrouping) }
    guard let file = ClassesFile.find(above: path) else {
      throw .invalidConfiguration(
        path: path, reason: "no \(ClassesFile.fileName) in its folder or above; a generic mask is read through its dataset's class table")
    }
    return DatasetLabels(classes: try ClassesFile.read(file))
  }

  /// The training label space.
  public var space: LabelSpace {
    switch format {
    case .cityscapes: .cityscapes
    case .camvid: .camvid
    case .ade20k: .ade20k
    case .voc: .voc
    case .generic: genericSpace!
    }
  }

  /// The encoding of a label file of this dataset, from its name and decoded content.
  ///
  /// Cityscapes: `*_labelTrainIds.png` holds train ids, `*_instanceIds.png` 16-bit instance ids,
  /// anything else label ids. CamVid: RGB content is the 32-colour release, gray the SegNet one.
  /// ADE20K: reduce-zero-label. VOC: palette indices, 255 void. Generic: the class table's ids or
  /// colours.
  public func encoding(forLabelAt path: String, decoded: DecodedImage) -> LabelEncoding {
    if format == .cityscapes && (path.hasSuffix("_instanceIds.png") || decoded.bitDepth == 16) { return .cityscapesInstanceIds }
    if format == .camvid && decoded.channels >= 3 { return .camvidColors(camvidGrouping) }
    return grayEncoding(forLabelAt: path) ?? .camvidSegNet  // only a gray CamVid `_L.png` has none
  }

  /// The encoding of an 8-bit gray label file of this dataset at `path`; nil when its name says it
  /// holds something else (Cityscapes' 16-bit `_instanceIds.png`, CamVid's colour-coded `_L.png`).
  public func grayEncoding(forLabelAt path: String) -> LabelEncoding? {
    switch format {
    case .cityscapes:
      path.hasSuffix("_instanceIds.png") ? nil : path.hasSuffix("_labelTrainIds.png") ? .cityscapesTrainIds : .cityscapesLabelIds
    case .camvid: path.hasSuffix("_L.png") ? nil : .camvidSegNet
    case .ade20k: .ade20k
    case .voc: .voc
    case .generic: genericEncoding!
    }
  }
}

extension DatasetLabels {
  /// The labels of a dataset as a catalog recorded it: its format, root, CamVid grouping overrides
  /// and label space id; a generic dataset's `classes.yaml` must still give that label space.
  /// - Throws: ``DatasetError/invalidConfiguration(path:reason:)`` when the grouping or the class
  ///   table cannot be read, or the class table changed since the scan.
  public static func cataloged(format: DatasetFormat, root: String, camvidOverrides: String?, labelSpace: String)
    throws(DatasetError) -> DatasetLabels
  {
    let grouping = try camvidOverrides.map { text throws(DatasetError) in
      try CamVidGrouping(overrides: text, source: "the catalog's CamVid grouping of \(root)")
    } ?? .standard
    let labels = try load(format: format, root: root, camvidGrouping: grouping)
    guard labels.space.id == labelSpace || labelSpace == "none" else {
      throw .invalidConfiguration(
        path: root + "/" + ClassesFile.fileName,
        reason: "changed since the scan: it gives the label space \(labels.space.id), the catalog recorded \(labelSpace); "
          + "scan the dataset into a new catalog")
    }
    return labels
  }
}
