import Crypto
public import DanceCore
public import Datasets
import Foundation
public import NN
public import ImageCodecs
import OutputStore
import Shards

/// What a training or evaluation run read, recorded in its report so that two runs can be told apart.
public struct DataIdentity: Codable, Sendable, Equatable {
  /// `shards` (a slimmed output) or `dataset` (a dataset root).
  public var kind: String
  /// The absolute path of the output directory or dataset root.
  public var path: String
  /// The split read.
  public var split: String
  /// The label space of every label map, e.g. `cityscapes-trainid-19`.
  public var labelSpace: String
  /// The number of samples.
  public var samples: Int
  /// The SHA-256 of every sample's key, stored size, scale, weight and byte location, in order:
  /// equal digests mean the same samples in the same places.
  public var digest: String

  enum CodingKeys: String, CodingKey {
    case kind, path, split, samples, digest
    case labelSpace = "label_space"
  }
}

/// The samples of one split, with random access to each: a slimmed output's shards or a dataset root.
///
/// Shards are read by member offsets taken from the catalog when one is given, otherwise from the
/// output directory alone (each split's `shardindex.json` plus the tar headers), so copied shards
/// train without their catalog. A dataset root is read through its layout, with labels converted to
/// train ids as they are loaded. Loading is thread-safe: shards are read with `pread`.
public final class TrainingData: @unchecked Sendable {
  /// What was read.
  public let identity: DataIdentity
  /// The label space of the labels.
  public let labelSpace: LabelSpace
  /// Every sample, in key order.
  public let entries: [SampleEntry]
  /// The mean stored scale of the samples (1 for a dataset root; what a data-matched head is matched to).
  public var meanScale: Double { entries.isEmpty ? 1 : entries.map(\.scale).reduce(0, +) / Double(entries.count) }

  /// `base`'s ASPP head matched to these samples' mean stored scale and to the feature map of the
  /// crops the trainer really takes from them with base crop `crop`: per sample
  /// `min(round(scale · crop), stored size)` per side (``EpochPlan``), its feature-map side, and the
  /// mean over the samples, rounded.
  public func matchedHead(_ base: DeepLabConfiguration, crop: PixelSize) -> DataMatchedHead {
    guard !entries.isEmpty else {
      return DataMatchedHead(base, meanScale: min(1, meanScale), cropWidth: crop.width, cropHeight: crop.height)
    }
    var heights = 0, widths = 0
    for entry in entries {
      let height = min(entry.height, max(1, Int((Double(crop.height) * entry.scale).rounded())))
      let width = min(entry.width, max(1, Int((Double(crop.width) * entry.scale).rounded())))
      heights += DataMatchedHead.featureMapSide(height, outputStride: base.outputStride)
      widths += DataMatchedHead.featureMapSide(width, outputStride: base.outputStride)
    }
    let count = Double(entries.count)
    return DataMatchedHead(base, meanScale: min(1, meanScale), featureMapHeight: Int((Double(heights) / count).rounded()),
                           featureMapWidth: Int((Double(widths) / count).rounded()))
  }
  let root: String
  /// How a dataset root's label files map to train ids (`nil` for shards, which hold train ids).
  let labels: DatasetLabels?
  let readers: [String: TarReader]

  /// Samples left out when the data was opened (a dataset root's image whose header cannot be
  /// read): every run over the data reports them as failed samples.
  public let leftOut: [SampleFailure]

  init(identity: DataIdentity, labelSpace: LabelSpace, entries: [SampleEntry], root: String,
       labels: DatasetLabels?, readers: [String: TarReader], leftOut: [SampleFailure] = []) {
    self.identity = identity
    self.labelSpace = labelSpace
    self.entries = entries
    self.leftOut = leftOut
    self.root = root
    self.labels = labels
    self.readers = readers
  }

  /// Opens `split` of `path`, a slimmed output directory (or one split's folder of it) or a dataset root.
  ///
  /// - Parameters:
  ///   - catalogPath: a catalog recording the output's shards; its member offsets are used instead of
  ///     the tar headers. It must exist (it is never created) and is ignored for dataset roots.
  ///   - discovery: how to read a dataset root's layout.
  /// - Throws: ``TrainerError/invalidData(path:reason:)`` when the split is missing or empty, an
  ///   index does not match its shards, or the samples mix label spaces.
  public static func open(
    _ path: String, split: DatasetSplit, catalogPath: String? = nil, discovery: DiscoveryOptions = DiscoveryOptions()
  ) throws(TrainerError) -> TrainingData {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    guard manager.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw .invalidData(path: absolute, reason: "not a directory (expected a slimmed output or a dataset root)")
    }
    if OutputReader.isSplitFolder(absolute) {
      // One split's folder of an output: OUT/train.
      return try ShardIndexReader.open(output: (absolute as NSString).deletingLastPathComponent,
                                       split: absolute.lastPathComponentOfPath, catalogPath: catalogPath)
    }
    let output = try ShardIndexReader.finishedOutput(absolute)
    if OutputReader.isOutput(absolute) || !output.manifests.isEmpty {
      return try ShardIndexReader.open(output: absolute, split: split.rawValue, catalogPath: catalogPath)
    }
    return try DatasetRootReader.open(root: absolute, split: split, discovery: discovery)
  }

  /// The number of samples.
  public var count: Int { entries.count }

  /// Reads and decodes sample `index`: RGB pixels and train ids of equal size, checked against the
  /// label space.
  ///
  /// - Throws: ``TrainerError/invalidSample(path:reason:)`` naming the file (or `shard#member`).
  public func load(_ index: Int, decoder: ImageDecoder) throws(TrainerError) -> TrainingSample {
    let entry = entries[index]
    let image: Image8, labels: Image8, source: String
    switch entry.location {
    case .shard(let path, let imageSpan, _, let labelSpan):
      guard let reader = readers[path] else { throw .invalidSample(path: path, reason: "shard not opened") }
      source = path + "#" + entry.key
      let imageBytes: [UInt8], labelBytes: [UInt8]
      do throws(ShardError) {
        imageBytes = try reader.read(dataOffset: imageSpan.offset, size: imageSpan.size)
        labelBytes = try reader.read(dataOffset: labelSpan.offset, size: labelSpan.size)
      } catch {
        throw .invalidSample(path: error.path, reason: error.reason)
      }
      image = try Self.decodeImage(source: source) { () throws(ImageCodecError) in try decoder.decode(imageBytes, source: source) }
      let labelSource = source + "." + SampleMember.label.rawValue
      labels = try Self.decodeLabels(source: labelSource) { () throws(ImageCodecError) in
        try decoder.decodeLabel(labelBytes, source: labelSource)
      }
    case .files(let imagePath, let labelPath):
      source = root + "/" + imagePath
      image = try Self.decodeImage(source: source) { () throws(ImageCodecError) in try decoder.decode(contentsOf: source) }
      guard let datasetLabels = self.labels else { throw .invalidSample(path: source, reason: "no dataset format") }
      do throws(DatasetError) {
        let converted = try LabelFiles.convert(contentsOf: root + "/" + labelPath, labels: datasetLabels, decoder: decoder)
        if let (value, count) = converted.labels.unknownValues.min(by: { $0.key < $1.key }) {
          throw DatasetError.invalidLabel(
            path: root + "/" + labelPath,
            reason: "value \(value) (\(count) pixels) is not defined by \(converted.encoding.id)")
        }
        labels = converted.labels.image
      } catch {
        throw .invalidSample(path: error.path, reason: error.reason)
      }
    }
    guard image.width == labels.width && image.height == labels.height else {
      throw .invalidSample(path: source, reason: "image \(image.width)x\(image.height) and label \(labels.width)x\(labels.height) differ in size")
    }
    guard image.width == entry.width && image.height == entry.height else {
      throw .invalidSample(path: source, reason: "decoded \(image.width)x\(image.height), the index says \(entry.width)x\(entry.height)")
    }
    let classes = labelSpace.classes.count
    if let bad = labels.samples.first(where: { Int($0) >= classes && $0 != LabelSpace.ignoreValue }) {
      throw .invalidSample(path: source, reason: "label value \(bad) is outside \(labelSpace.id) (0…\(classes - 1), 255 = ignore)")
    }
    return TrainingSample(key: entry.key, image: image, labels: labels, weight: entry.weight)
  }

  private static func decodeImage(source: String, _ decode: () throws(ImageCodecError) -> DecodedFile) throws(TrainerError) -> Image8 {
    let decoded: DecodedFile
    do throws(ImageCodecError) { decoded = try decode() } catch { throw .invalidSample(path: error.source, reason: error.reason) }
    guard case .uint8(let image) = decoded.image else {
      throw .invalidSample(path: source, reason: "16-bit images are not supported for training")
    }
    return image.rgb()
  }

  private static func decodeLabels(source: String, _ decode: () throws(ImageCodecError) -> DecodedFile) throws(TrainerError) -> Image8 {
    let decoded: DecodedFile
    do throws(ImageCodecError) { decoded = try decode() } catch { throw .invalidSample(path: error.source, reason: error.reason) }
    guard case .uint8(let labels) = decoded.image, labels.channels == 1 else {
      throw .invalidSample(path: source, reason: "a train-id label map must be 8-bit gray")
    }
    return labels
  }

  /// The hex SHA-256 of the entries' identifying fields.
  static func digest(of entries: [SampleEntry]) -> String {
    var hasher = SHA256()
    for entry in entries {
      var line = "\(entry.key)|\(entry.width)x\(entry.height)|\(entry.scale)|\(entry.weight)|"
      switch entry.location {
      case .shard(let path, let image, _, let label):
        line += "\(path.lastPathComponentOfPath)@\(image.offset)+\(image.size),\(label.offset)+\(label.size)"
      case .files(let image, let label): line += image + "," + label
      }
      hasher.update(data: Array((line + "\n").utf8))
    }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }
}

extension String {
  /// The last path component.
  var lastPathComponentOfPath: String { (self as NSString).lastPathComponent }
}
