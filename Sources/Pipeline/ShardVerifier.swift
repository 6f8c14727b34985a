public import Catalog
import Foundation
import ImageCodecs
import Shards

/// The outcome of `dance verify`.
public struct VerifyReport: Sendable, Codable {
  /// One mismatch: the file and what is wrong with it.
  public struct Problem: Sendable, Codable, Equatable {
    /// The file, relative to the output directory.
    public var path: String
    /// What is wrong.
    public var reason: String

    /// Creates a problem.
    public init(path: String, reason: String) {
      self.path = path
      self.reason = reason
    }
  }

  /// The output directory.
  public var output: String
  /// Shards checked.
  public var shards: Int
  /// Samples checked.
  public var samples: Int
  /// Members decoded.
  public var members: Int
  /// Everything that did not match.
  public var problems: [Problem]
}

/// Re-reads every shard of an output directory and checks it against the catalog: size, SHA-256,
/// member offsets and sizes, that every member decodes (image, 8-bit one-channel label, JSON), and
/// that `shardindex.json` and the DALI `.idx` files say what the shards hold.
public enum ShardVerifier {
  /// Verifies `output` (as recorded in the catalog at `catalogPath`).
  public static func verify(output: String, catalogPath: String, workers: Int? = nil) throws(PipelineError) -> VerifyReport {
    let output = URL(fileURLWithPath: output).standardizedFileURL.path
    let catalog: Catalog
    let shards: [ShardRecord]
    var members: [Int64: [MemberRecord]] = [:]
    do throws(CatalogError) {
      catalog = try Catalog(path: catalogPath, access: .existing)
      shards = try catalog.shards(output: output)
      for shard in shards { members[shard.id!] = try catalog.members(shardId: shard.id!) }
    } catch {
      throw .catalog(error)
    }
    guard !shards.isEmpty else {
      throw .nothingToDo(reason: "\(catalogPath): no shards recorded for \(output); run `dance slim ROOT --out \(output)`")
    }
    var report = VerifyReport(output: output, shards: shards.count, samples: 0, members: 0, problems: [])
    let memberTable = members
    OrderedParallelMap(workers: workers, window: 2).run(shards) { shard in
      check(shard, members: memberTable[shard.id!] ?? [], output: output)
    } consume: { _, result in
      report.samples += result.samples
      report.members += result.members
      report.problems += result.problems
    }
    report.problems += checkIndexes(shards, output: output)
    report.problems += strayFiles(shards, output: output)
    return report
  }

  struct ShardResult: Sendable {
    var samples = 0
    var members = 0
    var problems: [VerifyReport.Problem] = []
  }

  static func check(_ shard: ShardRecord, members: [MemberRecord], output: String) -> ShardResult {
    var result = ShardResult()
    func problem(_ reason: String, path: String = shard.path) {
      result.problems.append(VerifyReport.Problem(path: path, reason: reason))
    }
    guard let data = FileManager.default.contents(atPath: output + "/" + shard.path) else {
      problem("missing or unreadable")
      return result
    }
    let bytes = [UInt8](data)
    if bytes.count != shard.bytes { problem("size \(bytes.count) bytes, the catalog says \(shard.bytes)") }
    if ShardDigest.of(bytes).sha256 != shard.sha256 { problem("SHA-256 differs from the catalog (the file changed)") }
    let reader = TarReader(bytes: bytes, path: output + "/" + shard.path)
    let layouts: [SampleLayout]
    do throws(ShardError) {
      layouts = try reader.sampleLayouts()
    } catch {
      problem("unreadable tar: \(error.reason)")
      return result
    }
    result.samples = layouts.count
    if layouts.count != shard.samples { problem("\(layouts.count) samples, the catalog says \(shard.samples)") }
    var found: Set<String> = []
    for layout in layouts {
      for member in layout.members {
        let field = layout.field(of: member)
        found.insert(layout.key + "\u{0}" + field)
        if !members.contains(where: { $0.sampleKey == layout.key && $0.field == field && $0.dataOffset == member.dataOffset && $0.size == member.size }) {
          problem("member \(member.name) at \(member.dataOffset) (\(member.size) bytes) is not in the catalog as such")
        }
        result.members += 1
        let content: [UInt8]
        do throws(ShardError) {
          content = try reader.read(member)
        } catch {
          problem("member \(member.name): \(error.reason)")
          continue
        }
        if let reason = decodeProblem(field: field, bytes: content, name: member.name) { problem(reason) }
      }
    }
    for member in members where !found.contains(member.sampleKey + "\u{0}" + member.field) {
      problem("the catalog lists \(member.sampleKey).\(member.field), the shard does not hold it")
    }
    let idxPath = DALIIndex.path(forShard: output + "/" + shard.path)
    let relativeIdx = String(idxPath.dropFirst(output.count + 1))
    if let idx = try? String(contentsOfFile: idxPath, encoding: .utf8) {
      if idx != DALIIndex.rendered(layouts) { problem("stale: it does not describe \(shard.path)", path: relativeIdx) }
    } else {
      problem("missing DALI index", path: relativeIdx)
    }
    return result
  }

  /// Why a member's content is unusable, or `nil`.
  static func decodeProblem(field: String, bytes: [UInt8], name: String) -> String? {
    let decoder = ImageDecoder(options: DecodeOptions(rejectsExtensionMismatch: false))
    switch field {
    case "seg.png":
      guard let label = try? decoder.decodeLabel(bytes, source: name) else { return "member \(name) does not decode" }
      return label.image.channels == 1 && label.image.bitDepth == 8 ? nil : "member \(name) is not an 8-bit one-channel label map"
    case "png", "jpg":
      return (try? decoder.decode(bytes, source: name)) == nil ? "member \(name) does not decode" : nil
    case "json":
      return (try? JSONSerialization.jsonObject(with: Data(bytes))) == nil ? "member \(name) is not valid JSON" : nil
    default:
      return nil
    }
  }

  /// Each split's `shardindex.json` must be what the catalog's shards give.
  static func checkIndexes(_ shards: [ShardRecord], output: String) -> [VerifyReport.Problem] {
    var problems: [VerifyReport.Problem] = []
    for (split, group) in Dictionary(grouping: shards, by: \.split) {
      let path = split + "/" + ShardIndexJSON.defaultFileName
      let expected = ShardIndexJSON(
        name: split,
        shards: group.map { shard in
          ShardIndexJSON.Shard(
            url: (shard.path as NSString).lastPathComponent, sampleCount: shard.samples, byteCount: shard.bytes, md5: shard.md5)
        }
      ).rendered()
      guard let text = try? String(contentsOfFile: output + "/" + path, encoding: .utf8) else {
        problems.append(VerifyReport.Problem(path: path, reason: "missing"))
        continue
      }
      if text != expected {
        problems.append(VerifyReport.Problem(path: path, reason: "stale: it does not match the catalog's shards"))
      }
    }
    return problems
  }

  /// Tar files in the output that the catalog does not know.
  static func strayFiles(_ shards: [ShardRecord], output: String) -> [VerifyReport.Problem] {
    let known = Set(shards.map(\.path))
    let files = (try? FileManager.default.subpathsOfDirectory(atPath: output)) ?? []
    return files.filter { $0.hasSuffix(".tar") && !known.contains($0) }.sorted().map {
      VerifyReport.Problem(path: $0, reason: "a shard the catalog does not know")
    }
  }
}
