public import DanceCore
import Datasets

/// What a ``SyntheticDatasetWriter`` wrote.
public struct SyntheticDatasetSummary: Sendable, Equatable, CustomStringConvertible {
  /// Samples written for one split.
  public struct SplitCount: Sendable, Equatable {
    /// The split.
    public var split: DatasetSplit
    /// Number of samples (image and label pairs) written.
    public var samples: Int
  }

  /// The layout written.
  public var format: DatasetFormat
  /// The output directory.
  public var outputDirectory: String
  /// Samples per split, in split order.
  public var splits: [SplitCount]
  /// Number of files written (images, label maps and list files).
  public var fileCount: Int
  /// Total size of the written files in bytes.
  public var bytesWritten: Int
  /// The distinct values present in the label maps (Cityscapes: `labelIds`), ascending.
  public var labelValues: [Int]
  /// The lowest and highest per-image complexity level drawn (each in `[0, 1]`).
  public var complexityRange: ClosedRange<Double>?

  /// Total number of samples over all splits.
  public var totalSamples: Int { splits.reduce(0) { $0 + $1.samples } }

  /// One line: `"CamVid: train 16, val 4, test 4 samples, 72 files, 3.1 MB"`.
  public var description: String {
    let counts = splits.map { "\($0.split.rawValue) \($0.samples)" }.joined(separator: ", ")
    let megabytes = Double(bytesWritten) / 1_000_000
    let size = megabytes >= 10 ? String(Int(megabytes.rounded())) : String(Double(Int(megabytes * 10 + 0.5)) / 10)
    let samples = counts.isEmpty ? "no samples" : counts + (totalSamples == 1 ? " sample" : " samples")
    return "\(format.displayName): \(samples), \(counted(fileCount, "file")), \(size) MB"
  }
}
