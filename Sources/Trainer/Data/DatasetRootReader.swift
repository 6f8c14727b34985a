import DanceCore
import Datasets
import Foundation
import ImageCodecs

/// Builds the sample entries of one split of an unslimmed dataset root (for baselines): every
/// sample at scale 1 with weight 1, sizes from the image headers.
enum DatasetRootReader {
  static func open(root: String, split: DatasetSplit, discovery: DiscoveryOptions) throws(TrainerError) -> TrainingData {
    let found: Discovery
    do throws(DatasetError) { found = try DatasetLayout.discover(root: root, options: discovery) } catch {
      throw .invalidData(path: error.path, reason: error.reason)
    }
    let decoder = ImageDecoder()
    var entries: [SampleEntry] = [], leftOut: [SampleFailure] = []
    for sample in found.samples where sample.split == split {
      guard let label = sample.labelPath else { continue }
      let header: ImageHeader
      do throws(ImageCodecError) { header = try decoder.readHeader(contentsOf: found.root + "/" + sample.imagePath) } catch {
        // One bad image leaves its sample out (reported by every run), not the whole split.
        leftOut.append(SampleFailure(key: sample.key.rawValue, path: error.source, reason: error.reason))
        continue
      }
      entries.append(SampleEntry(key: sample.key.rawValue, scale: 1, weight: 1, width: header.width, height: header.height,
                                 location: .files(image: sample.imagePath, label: label)))
    }
    guard !entries.isEmpty else {
      throw .missingSplit(path: found.root, reason: "the \(found.format.rawValue) dataset has no labelled \(split.rawValue) samples")
    }
    entries.sort { $0.key < $1.key }
    let space = LabelFiles.space(of: found.format)
    let identity = DataIdentity(kind: "dataset", path: found.root, split: split.rawValue, labelSpace: space.id,
                                samples: entries.count, digest: TrainingData.digest(of: entries))
    return TrainingData(identity: identity, labelSpace: space, entries: entries, root: found.root, format: found.format,
                        grouping: discovery.camvidGrouping, readers: [:], leftOut: leftOut)
  }
}
