import Catalog
import DanceCore
import Datasets
import Foundation
import ImageCodecs

/// How a split's labelled pixels divide among the classes of one label space.
///
/// The catalog stores indicator values, not class histograms, so ``AuditData/gather(catalog:ranking:extremes:bins:labelFilesPerSplit:)``
/// reads the label files themselves: every one when a split has at most `labelFilesPerSplit`
/// labelled samples, otherwise that many, evenly spaced in key order (``labelFilesRead`` says how
/// many, ``labelFiles`` of how many). The cost is one label decode per file read.
public struct ClassShares: Sendable, Codable, Equatable {
  /// The split.
  public var split: String
  /// The label space id.
  public var labelSpace: String
  /// The class names, indexed by train id.
  public var classNames: [String]
  /// Pixels per train id, over the label files read.
  public var pixels: [Int]
  /// Ignored pixels (train id 255, or an id outside the label space).
  public var ignoredPixels: Int
  /// Labelled samples of the split in this label space.
  public var labelFiles: Int
  /// Label files counted (at most the bound given to `gather`).
  public var labelFilesRead: Int
  /// Label files that could not be read (left out of the counts).
  public var unreadableLabelFiles: Int

  /// Each class's fraction of the valid (not ignored) pixels; zeros when there are none.
  public var shares: [Double] {
    let valid = pixels.reduce(0, +)
    return pixels.map { valid > 0 ? Double($0) / Double(valid) : 0 }
  }

  enum CodingKeys: String, CodingKey {
    case split, labelSpace = "label_space", classNames = "class_names", pixels, ignoredPixels = "ignored_pixels"
    case labelFiles = "label_files", labelFilesRead = "label_files_read", unreadableLabelFiles = "unreadable_label_files"
  }

  /// One label space's shares and, per sample key of the label files read, the pixels of the
  /// space's small classes (``LabelSpace/smallClasses``).
  struct Counted {
    var shares: ClassShares
    var smallClassPixelsByKey: [SampleKey: Int]
  }

  /// Counts the classes of `samples` (one split, valid ones) per label space, reading at most
  /// `limit` label files per split and label space.
  /// `labels` holds each readable dataset's labels and root by dataset id; the samples of others are left out.
  static func count(_ samples: [SampleRecord], labels: [Int64: (labels: DatasetLabels, root: String)], limit: Int) -> [Counted] {
    struct Job: Sendable {
      var key: SampleKey
      var path: String
      var labels: DatasetLabels
    }
    var result: [Counted] = []
    let bySpace = Dictionary(grouping: samples.filter { $0.labelPath != nil && labels[$0.datasetId] != nil }) {
      labels[$0.datasetId]!.labels.space.id
    }
    for (spaceId, group) in bySpace.sorted(by: { $0.key < $1.key }) {
      guard let split = group.first?.split, let space = labels[group[0].datasetId]?.labels.space else { continue }
      let ordered = group.sorted { $0.key < $1.key }
      let picked = ordered.count <= limit ? ordered : (0..<limit).map { ordered[$0 * ordered.count / limit] }
      let jobs = picked.compactMap { sample -> Job? in
        guard let dataset = labels[sample.datasetId], let labelPath = sample.labelPath else { return nil }
        return Job(key: sample.key, path: dataset.root + "/" + labelPath, labels: dataset.labels)
      }
      var shares = ClassShares(
        split: split.rawValue, labelSpace: spaceId, classNames: space.classNames, pixels: [Int](repeating: 0, count: space.classes.count),
        ignoredPixels: 0, labelFiles: group.count, labelFilesRead: 0, unreadableLabelFiles: 0)
      let small = space.smallClasses
      var smallPixels: [SampleKey: Int] = [:]
      OrderedParallelMap().run(jobs) { job -> [Int]? in
        guard let labels = try? LabelFiles.convert(contentsOf: job.path, labels: job.labels, decoder: ImageDecoder()).labels.image
        else { return nil }
        var counts = [Int](repeating: 0, count: 256)
        labels.samples.withUnsafeBufferPointer { values in
          for value in values { counts[Int(value)] &+= 1 }
        }
        return counts
      } consume: { index, counts in
        guard let counts else {
          shares.unreadableLabelFiles += 1
          return
        }
        shares.labelFilesRead += 1
        smallPixels[jobs[index].key] = small.reduce(0) { $0 + counts[$1] }
        for trainId in 0..<256 {
          if trainId < shares.pixels.count { shares.pixels[trainId] += counts[trainId] } else { shares.ignoredPixels += counts[trainId] }
        }
      }
      result.append(Counted(shares: shares, smallClassPixelsByKey: smallPixels))
    }
    return result
  }
}
