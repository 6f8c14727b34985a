import Catalog
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Shards

/// Builds the sample entries of one split of a slimmed output from the catalog's member offsets or
/// from the output directory alone.
enum ShardIndexReader {
  /// One sample's members in a shard, by field.
  private struct Located {
    var shard: String
    var key: String
    var fields: [String: MemberSpan]
  }

  static func open(output: String, split: String, catalogPath: String?) throws(TrainerError) -> TrainingData {
    let manifests = try finishedManifests(output)
    var checksums: [String: String] = [:]
    for manifest in manifests {
      for shard in manifest.splits[split]?.shards ?? [] { checksums[output + "/" + shard.path] = shard.sha256 }
    }
    let located: [Located]
    if let catalogPath {
      located = try fromCatalog(catalogPath, output: output, split: split, checksums: &checksums)
    } else {
      located = try fromDirectory(output: output, split: split)
    }
    var readers: [String: TarReader] = [:]
    for shard in Set(located.map(\.shard)).sorted() {
      try verifyChecksum(shard, expected: checksums[shard])
      do throws(ShardError) { readers[shard] = try TarReader(path: shard) } catch {
        throw .invalidData(path: shard, reason: error.reason)
      }
    }
    var entries: [SampleEntry] = []
    var spaces = Set<String>()
    for sample in located.sorted(by: { $0.key < $1.key }) {
      let entry = try entry(for: sample, reader: readers[sample.shard]!, spaces: &spaces)
      entries.append(entry)
    }
    guard !entries.isEmpty else { throw .missingSplit(path: output + "/" + split, reason: "the \(split) split has no samples") }
    let recorded = manifests.first { $0.dataset.labelSpace == spaces.first }?.dataset.labelClasses?.map { ($0.name, $0.color) }
    guard spaces.count == 1, let spaceId = spaces.first, let space = LabelSpace.recorded(id: spaceId, classes: recorded) else {
      throw .invalidData(
        path: output + "/" + split,
        reason: "samples use label spaces \(spaces.sorted()); expected one standard space or one whose classes the manifest records")
    }
    let identity = DataIdentity(kind: "shards", path: output, split: split, labelSpace: space.id, samples: entries.count,
                                digest: TrainingData.digest(of: entries))
    return TrainingData(identity: identity, labelSpace: space, entries: entries, root: output, labels: nil, readers: readers)
  }

  /// The manifests of `output` (none for an output written before manifests existed); an
  /// unfinished one is refused, as the exports refuse it.
  static func finishedManifests(_ output: String) throws(TrainerError) -> [OutputManifest] {
    let manifests: [OutputManifest]
    do throws(ShardError) { manifests = try OutputManifest.all(in: output) } catch {
      throw .invalidData(path: error.path, reason: error.reason)
    }
    if let unfinished = manifests.first(where: { !$0.complete }) {
      throw .invalidData(
        path: output + "/" + OutputManifest.fileName(partition: unfinished.partition),
        reason: "the dance slim run that writes this output has not finished (\"complete\": false); rerun the same dance slim command first")
    }
    return manifests
  }

  /// Hashes the whole shard (streamed) before it is first read and refuses one whose SHA-256 is
  /// not the recorded one: a shard changed after it was written (a flipped weight) must not train.
  /// Shards with no recorded checksum (an output without a manifest, read without a catalog) are
  /// only checked for size.
  private static func verifyChecksum(_ shard: String, expected: String?) throws(TrainerError) {
    guard let expected else { return }
    guard let actual = ShardDigest.ofFile(shard) else { throw .invalidData(path: shard, reason: "shard is missing or unreadable") }
    guard actual.sha256 == expected else {
      throw .invalidData(
        path: shard, reason: "SHA-256 \(actual.sha256) differs from the recorded \(expected): the shard changed after it was written; "
          + "run dance verify on the output")
    }
  }

  /// Members from the catalog; every shard must exist with its recorded size. Each shard's
  /// recorded SHA-256 is added to `checksums`.
  private static func fromCatalog(_ catalogPath: String, output: String, split: String, checksums: inout [String: String])
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
        if let problem = sizeProblem(path, expected: shard.bytes) { throw CatalogError.inconsistent(path: path, reason: problem) }
        checksums[path] = shard.sha256
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

  /// Members from `OUT/<split>/shardindex.json` and each shard's tar headers.
  private static func fromDirectory(output: String, split: String) throws(TrainerError) -> [Located] {
    let directory = output + "/" + split
    let indexPath = directory + "/" + ShardIndexJSON.defaultFileName
    guard let data = FileManager.default.contents(atPath: indexPath) else {
      throw .missingSplit(path: indexPath, reason: "missing: the output has no \(split) split")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
          let list = object["shardlist"] as? [[String: Any]] else {
      throw .invalidData(path: indexPath, reason: "not a wids shard index (no shardlist)")
    }
    var located: [Located] = []
    for item in list {
      guard let url = item["url"] as? String, let size = item["filesize"] as? Int, let count = item["nsamples"] as? Int,
            !url.hasPrefix("/"), !url.split(separator: "/").contains("..") else {
        throw .invalidData(path: indexPath, reason: "a shardlist entry lacks url, filesize or nsamples, or its url leaves the split folder")
      }
      let path = directory + "/" + url
      if let problem = sizeProblem(path, expected: size) { throw .invalidData(path: path, reason: problem) }
      let layouts: [SampleLayout]
      do throws(ShardError) { layouts = try TarReader(path: path).sampleLayouts() } catch {
        throw .invalidData(path: error.path, reason: error.reason)
      }
      guard layouts.count == count else {
        throw .invalidData(path: path, reason: "holds \(layouts.count) samples, \(indexPath) says \(count)")
      }
      for layout in layouts {
        var fields: [String: MemberSpan] = [:]
        for member in layout.members { fields[layout.field(of: member)] = MemberSpan(offset: member.dataOffset, size: member.size) }
        located.append(Located(shard: path, key: layout.key, fields: fields))
      }
    }
    return located
  }

  /// Why the shard at `path` cannot be the one its index recorded, or nil.
  private static func sizeProblem(_ path: String, expected: Int) -> String? {
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = attributes[.size] as? Int else {
      return "shard is missing"
    }
    return size == expected ? nil : "shard is \(size) bytes, its index records \(expected)"
  }

  /// The entry of one sample: its `json` member read for scale, weight and size.
  private static func entry(for sample: Located, reader: TarReader, spaces: inout Set<String>) throws(TrainerError) -> SampleEntry {
    let name = sample.shard + "#" + sample.key
    let imageField = ["png", "jpg"].first { sample.fields[$0] != nil }
    guard let imageField, let image = sample.fields[imageField], let label = sample.fields["seg.png"], let json = sample.fields["json"] else {
      throw .invalidData(path: name, reason: "needs an image (png or jpg), seg.png and json; has \(sample.fields.keys.sorted())")
    }
    let bytes: [UInt8]
    do throws(ShardError) { bytes = try reader.read(dataOffset: json.offset, size: json.size) } catch {
      throw .invalidData(path: error.path, reason: error.reason)
    }
    let metadata: SampleMetadata
    do { metadata = try JSONDecoder().decode(SampleMetadata.self, from: Data(bytes)) } catch {
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
      location: .shard(path: sample.shard, image: image, imageCodec: imageField == "png" ? .png : .jpeg, label: label))
  }
}
