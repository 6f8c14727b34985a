/// A dataset split: the role a sample plays.
///
/// The raw values are Dance's names; each format spells its split folders its own way (ADE20K
/// calls them `training` and `validation`), see ``folderName(in:)``.
public enum DatasetSplit: String, CaseIterable, Sendable, Codable, Comparable {
  /// Training samples.
  case train
  /// Validation samples.
  case val
  /// Test samples (only CamVid ships test labels).
  case test

  /// The folder name `format` uses for this split.
  public func folderName(in format: DatasetFormat) -> String {
    switch (format, self) {
    case (.ade20k, .train): "training"
    case (.ade20k, .val): "validation"
    case (.ade20k, .test): "testing"
    default: rawValue
    }
  }

  /// Every split by the folder name `format` uses for it (``folderName(in:)``).
  public static func byFolderName(in format: DatasetFormat) -> [String: DatasetSplit] {
    Dictionary(uniqueKeysWithValues: allCases.map { ($0.folderName(in: format), $0) })
  }

  /// Splits order as train, val, test.
  public static func < (lhs: DatasetSplit, rhs: DatasetSplit) -> Bool {
    lhs.order < rhs.order
  }

  private var order: Int {
    switch self {
    case .train: 0
    case .val: 1
    case .test: 2
    }
  }
}
