import Catalog
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import OutputStore
import Shards

/// Builds the sample entries of one split of a slimmed output, through the output store's reader,
/// from the catalog's member offsets or from the output directory alone.
enum ShardIndexReader {
  /// One sample's members in a shard, by field.
  private struct Located {
    var shard: String
    var key: String
    var fields: [String: MemberSpan]
  }

  /// What was recorded about a shard before it is read: its size and, when known, its SHA-256.
  private typealias Recorded = (bytes: Int, sha256: String?)

  static func open(output: String, split: String, catalogPath: String?) throws(TrainerError) -> TrainingData {
    let reader = try finishedOutput(output)
    var recorded: [String: Recorded] = reader.recordedShards(split: split).mapValues { ($0.bytes, $0.sha256) }
    let located: [Located]
    if let catalogPath {
      located = try fromCatalog(catalogPath, output: reader.directory, split: split, recorded: &recorded)
    } else {
      located = try fromDirectory(reader, split: split)
    }
    var readers: [String: TarReader] = [:]
    for shard in Set(located.map(\.shard)).sorted() {
      if let record = recorded[shard], let problem = ShardFileProblem.of(shard, bytes: record.bytes, sha256: record.sha256) {
        throw .invalidData(path: shard, reason: reason(problem, recordedSHA256: record.sha256))
      }
      do throws(ShardError) { readers[shard] = try TarReader(path: shard) } catch {
        throw .invalidData(path: shard, reason: error.reason)
      }
    }
    var entries: [SampleEntry] = []
    var spaces = Set<String>()
    for sample in located.sorted(by: { $0.key < $1.key }) {
      entries.append(try entry(for: sample, reader: readers[sample.shard]!, spaces: &spaces))
    }
    guard !entries.isEmpty else { throw .missingSplit(path: output + "/" + split, reason: "the \(split) split has no samples") }
    let classes = reader.manifests.first { $0.dataset.labelSpace == spaces.first }?.dataset.labelClasses?.map { ($0.name, $0.color) }
    guard spaces.count == 1, let spaceId = spaces.first, let space = LabelSpace.recorded(id: spaceId, classes: classes) else {
      throw .invalidData(
        path: output + "/" + split,
        reason: "samples use label spaces \(spaces.sorted()); expected one standard space or one whose classes the manifest records")
    }
    let identity = DataIdentity(kind: "shards", path: output, split: split, labelSpace: space.id, samples: entries.count,
                                digest: TrainingData.digest(of: entries))
    return TrainingData(identity: identity, labelSpace: space, entries: entries, root: output, labels: nil, readers: readers)
  }

  /// The output at `output` through the store's reader (its manifests; none for an output written
  /// before manifests existed); an unfinished one is refused, as the exports refuse it.
  static func finishedOutput(_ output: String) throws(TrainerError) -> OutputReader {
    do throws(OutputStoreError) {
      let reader = try OutputReader(output)
      try reader.requireFinished()
      return reader
    } catch {
      throw .invalidData(path: error.path, reason: error.reason)
    }
  }

  /// Why a shard cannot be the one recorded: a changed shard (a flipped weight) must not train.
  /// Shards with no recorded checksum (an output without a manifest, read without a catalog) are
  /// only checked for size.
  private static func reason(_ problem: ShardFileProblem, recordedSHA256: String?) -> String {
    switch problem {
    case .missing: "shard is missing"
    case .unreadable: "shard is missing or unreadable"
    case .size(let actual, let recorded): "shard is \(actual) bytes, its index records \(recorded)"
    case .checksum(let actual):
      "SHA-256 \(actual) differs from the recorded \(recordedSHA256 ?? ""): the shard changed after it was written; "
        + "run dance verify on the output"
    }
  }

  /// Members from the catalog; every shard must exist with its recorded size. Each shard's
  /// recorded size and SHA-256 are added to `recorded`.
  private static func fromCatalog(_ catalogPath: String, output: String, split: String, recorded: inout [String: Recorded])
    throws(TrainerError) -> [Located]
  {
    guard FileManager.default.fileExists(atPath: catalogPath) else {
      throw .invalidData(path: catalogPath, reason: "no such catalog file")
    }
    var located: [Located] = []
    do throws(CatalogError) {
      let catalog = try Catalog(path: catalogPath, access: .readOnly)
      let shards = try catalog.shards(output: OutputKey(directory: output)).filter { $0.split.rawValue == split }
      guard !shards.isEmpty else {
        throw CatalogError.inconsistent(path: catalogPath, reason: "records no \(split) shards for the output \(output)")
      }
      for shard in shards {
        let path = output + "/" + shard.path
        if let problem = ShardFileProblem.of(path, bytes: shard.bytes, sha256: nil) {
          throw CatalogError.inconsistent(path: path, reason: reason(problem, recordedSHA256: nil))
        }
        recorded[path] = (shard.bytes, shard.sha256)
        var byKey: [String: [String: MemberSpan]] = [:]
        var order: [String] = []
        for member in try catalog.members(shardId: shard.id ?? -1) {
          let key = member.sampleKey.rawValue  // a shard's keys are strings (Shards)
          if byKey[key] == nil { order.append(key) }
          byKey[key, default: [:]][member.field] = MemberSpan(offset: member.dataOffset, size: member.size)
        }
        guard order.count == shard.samples else {
          throw CatalogError.inconsistent(path: catalogPath, reason: "\(path): \(order.count) samples have members, the shard row says \(shard.samples)")
        }
        located += order.map { Located(shard: path, key: $0, fields: byKey[$0]!) }
      }
    } catch {
      throw .invalidData(path: error.path, reason: error.reason)
    }
    return located
  }

  /// Members from `OUT/<split>/shardindex.json` and each shard's tar headers; every shard must
  /// have the size its index records.
  private static func fromDirectory(_ reader: OutputReader, split: String) throws(TrainerError) -> [Located] {
    let directory = reader.directory + "/" + split
    let index: ShardIndexJSON?
    do throws(OutputStoreError) { index = try reader.shardIndex(split: split) } catch {
      throw .invalidData(path: error.path, reason: error.reason)
    }
    guard let index else {
      throw .missingSplit(path: directory + "/" + ShardIndexJSON.defaultFileName, reason: "missing: the output has no \(split) split")
    }
    var located: [Located] = []
    for shard in index.shards {
      let path = directory + "/" + shard.url
      if let problem = ShardFileProblem.of(path, bytes: shard.byteCount, sha256: nil) {
        throw .invalidData(path: path, reason: reason(problem, recordedSHA256: nil))
      }
      let layouts: [SampleLayout]
      do throws(ShardError) { layouts = try TarReader(path: path).sampleLayouts() } catch {
        throw .invalidData(path: error.path, reason: error.reason)
      }
      guard layouts.count == shard.sampleCount else {
        throw .invalidData(path: path, reason: "holds \(layouts.count) samples, its shard index says \(shard.sampleCount)")
      }
      for layout in layouts {
        var fields: [String: MemberSpan] = [:]
        for member in layout.members { fields[layout.field(of: member)] = MemberSpan(offset: member.dataOffset, size: member.size) }
        located.append(Located(shard: path, key: layout.key, fields: fields))
      }
    }
    return located
  }

  /// The entry of one sample: its `json` member read for scale, weight and size.
  private static func entry(for sample: Located, reader: TarReader, spaces: inout Set<String>) throws(TrainerError) -> SampleEntry {
    let name = sample.shard + "#" + sample.key
    let image = SampleMember.images.lazy.compactMap { member in sample.fields[member.rawValue].map { (member: member, span: $0) } }.first
    guard let image, let codec = image.member.imageCodec, let label = sample.fields[SampleMember.label.rawValue],
      let json = sample.fields[SampleMember.metadata.rawValue]
    else {
      throw .invalidData(path: name, reason: "needs an image (\(SampleMember.images.map(\.rawValue).joined(separator: " or "))), "
          + "\(SampleMember.label.rawValue) and \(SampleMember.metadata.rawValue); has \(sample.fields.keys.sorted())")
    }
    let bytes: [UInt8]
    do throws(ShardError) { bytes = try reader.read(dataOffset: json.offset, size: json.size) } catch {
      throw .invalidData(path: error.path, reason: error.reason)
    }
    let metadata: SampleMetadata
    do { metadata = try SampleMetadata(member: bytes) } catch {
      throw .invalidData(path: name + ".json", reason: "not the sample metadata dance slim writes (key, size, scale, weight, label_space, …)")
    }
    // Stored scales are in (0, 1] and sides within what any image codec writes: a hostile json
    // member never reaches the planner's arithmetic.
    guard metadata.key == sample.key, metadata.size.count == 2, metadata.size.allSatisfy({ (1...(1 << 20)).contains($0) }),
          metadata.scale > 0, metadata.scale <= 1, metadata.weight.isFinite, metadata.weight >= 0 else {
      throw .invalidData(path: name + ".json", reason: "metadata does not describe this sample (key \(metadata.key), size \(metadata.size))")
    }
    spaces.insert(metadata.labelSpace)
    return SampleEntry(
      key: sample.key, scale: metadata.scale, weight: Float(metadata.weight), width: metadata.size[0], height: metadata.size[1],
      location: .shard(path: sample.shard, image: image.span, imageCodec: codec, label: label))
  }
}
