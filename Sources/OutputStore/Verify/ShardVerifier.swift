import Catalog
public import DanceCore
import Foundation
import ImageCodecs
import Shards

#if canImport(Glibc)
  import Glibc
#endif

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

/// Re-reads every shard of an output directory and checks it against what the output's manifest
/// and (when given) the catalog record: size, SHA-256, sample count, that every member decodes
/// (image, 8-bit one-channel label, Dance's sample metadata), that a sample's members agree
/// (``MemberChecks``, ``SampleConsistency``), member offsets and sizes (catalog), and that the wids
/// `shardindex.json` and the DALI `.idx` files say what the shards hold.
public enum ShardVerifier {
  /// What one shard should be.
  struct ExpectedShard: Sendable {
    var path: String
    var split: String
    var bytes: Int
    var sha256: String
    var md5: String
    var samples: Int
    /// The catalog's member rows, when verifying against a catalog.
    var members: [MemberRecord]?
  }

  /// Verifies `output` against its `manifest.json` (or partition manifests), and against the
  /// catalog at `catalogPath` when one is given (which must exist: verifying never creates a
  /// catalog). With neither a manifest nor a catalog there is nothing to verify against.
  /// `progress` shows the shards checked.
  public static func verify(
    output: String, catalogPath: String?, workers: Int? = nil, progress: ProgressReporter.Style = .silent
  ) throws(OutputStoreError) -> VerifyReport {
    let output = URL(fileURLWithPath: output).standardizedFileURL.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw .invalid(path: output, reason: "no such output directory")
    }
    let manifests = try OutputReader(output).manifests
    let (catalogShards, members) = try recorded(in: catalogPath, output: output)
    if manifests.isEmpty && (catalogShards ?? []).isEmpty {
      throw .notAnOutput(
        path: output,
        reason: "no manifest.json and "
          + (catalogPath.map { "no shards recorded in \($0)" } ?? "no --catalog given")
          + "; is this the output directory of `dance slim`?")
    }
    var report = VerifyReport(output: output, shards: 0, samples: 0, members: 0, problems: [])
    var expected: [ExpectedShard]
    if manifests.isEmpty {
      expected = (catalogShards ?? []).map { ExpectedShard($0, members: members[$0.id!]) }
    } else {
      expected = manifests.flatMap { manifest in
        manifest.splits.sorted { $0.key < $1.key }.flatMap { split, content in
          content.shards.map { ExpectedShard($0, split: split) }
        }
      }
      for manifest in manifests {
        let name = OutputManifest.fileName(partition: manifest.partition)
        if !manifest.complete { report.problems.append(VerifyReport.Problem(path: name, reason: "the run that writes it has not finished")) }
        report.problems += manifest.inconsistencies.map { VerifyReport.Problem(path: name, reason: $0) }
      }
      if let catalogShards {
        report.problems += crossCheck(manifest: &expected, catalog: catalogShards, members: members)
      }
    }
    report.shards = expected.count
    let reporter = ProgressReporter(label: "verify", total: expected.count, unit: "shards", style: progress)
    OrderedParallelMap(workers: workers, window: 2).run(expected) { shard in
      check(shard, output: output)
    } consume: { _, result in
      report.samples += result.samples
      report.members += result.members
      report.problems += result.problems
      reporter.advance()
    }
    reporter.finish()
    report.problems += checkIndexes(expected, manifests: manifests, output: output)
    report.problems += strayFiles(expected, output: output)
    return report
  }

  /// The shards and member rows the catalog at `catalogPath` records for `output` (nil when no
  /// catalog is given); the catalog is opened read-only and must exist.
  static func recorded(in catalogPath: String?, output: String) throws(OutputStoreError)
    -> (shards: [ShardRecord]?, members: [Int64: [MemberRecord]])
  {
    guard let catalogPath else { return (nil, [:]) }
    var members: [Int64: [MemberRecord]] = [:]
    do throws(CatalogError) {
      let catalog = try Catalog(path: catalogPath, access: .readOnly)
      let shards = try catalog.shards(output: OutputKey(directory: output))
      for shard in shards { members[shard.id!] = try catalog.members(shardId: shard.id!) }
      return (shards, members)
    } catch {
      throw .catalog(error)
    }
  }

  /// Differences between the manifest's shards and the catalog's; the catalog's member rows are
  /// attached to the manifest's shards so that offsets are checked too.
  static func crossCheck(manifest: inout [ExpectedShard], catalog: [ShardRecord], members: [Int64: [MemberRecord]])
    -> [VerifyReport.Problem]
  {
    var problems: [VerifyReport.Problem] = []
    let recorded = Dictionary(catalog.map { ($0.path, $0) }) { first, _ in first }
    for index in manifest.indices {
      guard let shard = recorded[manifest[index].path] else {
        problems.append(.init(path: manifest[index].path, reason: "in the manifest, but the catalog does not record it"))
        continue
      }
      if shard.sha256 != manifest[index].sha256 || shard.bytes != manifest[index].bytes || shard.samples != manifest[index].samples {
        problems.append(.init(path: shard.path, reason: "the catalog records another size, SHA-256 or sample count than the manifest"))
      }
      manifest[index].members = members[shard.id!]
    }
    let listed = Set(manifest.map(\.path))
    for shard in catalog where !listed.contains(shard.path) {
      problems.append(.init(path: shard.path, reason: "recorded in the catalog, but not in the manifest"))
    }
    return problems
  }

  struct ShardResult: Sendable {
    var samples = 0
    var members = 0
    var problems: [VerifyReport.Problem] = []
  }

  static func check(_ shard: ExpectedShard, output: String) -> ShardResult {
    var result = ShardResult()
    func problem(_ reason: String, path: String = shard.path) {
      result.problems.append(VerifyReport.Problem(path: path, reason: reason))
    }
    // One pass over the file: every byte hashed and every member checked as it passes, one
    // member in memory at a time, so memory does not grow with the shard.
    var status = stat()
    if lstat(output + "/" + shard.path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
      problem("not a regular file (a symbolic link or other file replaced the shard the run wrote)")
      return result
    }
    let reader: TarReader
    do throws(ShardError) {
      reader = try TarReader(path: output + "/" + shard.path)
    } catch {
      problem("missing or unreadable")
      return result
    }
    if reader.byteCount != shard.bytes { problem("size \(reader.byteCount) bytes, \(shard.bytes) recorded") }
    var checks = MemberChecks(catalogMembers: shard.members, split: shard.split)
    let stream = reader.stream { member, content in checks.take(member, content: content) }
    checks.finish()
    result.members = checks.count
    guard let sha256 = stream.sha256 else {
      problem("missing or unreadable")
      return result
    }
    if sha256 != shard.sha256 { problem("SHA-256 differs from the recorded one (the file changed)") }
    let layouts: [SampleLayout]
    do throws(ShardError) {
      if let failure = stream.failure { throw failure }
      layouts = try TarSampleGrouper.group(stream.members, path: reader.path)
    } catch {
      problem("unreadable tar: \(error.reason)")
      return result
    }
    result.samples = layouts.count
    if layouts.count != shard.samples { problem("\(layouts.count) samples, \(shard.samples) recorded") }
    for reason in checks.problems { problem(reason) }
    if let idxProblem = indexProblem(shard, layouts: layouts, output: output) { result.problems.append(idxProblem) }
    return result
  }

  /// What is wrong with the DALI index beside `shard`, which must describe `layouts`, or nil.
  static func indexProblem(_ shard: ExpectedShard, layouts: [SampleLayout], output: String) -> VerifyReport.Problem? {
    let idxPath = DALIIndex.path(forShard: output + "/" + shard.path)
    let relativeIdx = String(idxPath.dropFirst(output.count + 1))
    guard let idx = try? String(contentsOfFile: idxPath, encoding: .utf8) else {
      return VerifyReport.Problem(path: relativeIdx, reason: "missing DALI index")
    }
    return idx == DALIIndex.rendered(layouts) ? nil : VerifyReport.Problem(path: relativeIdx, reason: "stale: it does not describe \(shard.path)")
  }

  /// Each split's wids index must list what its shards are: per manifest the index it names
  /// (`shardindex.json`, or `shardindex.<prefix>.json` for a partition), and a merged
  /// `shardindex.json` of a partitioned output every partition's shards.
  static func checkIndexes(_ shards: [ExpectedShard], manifests: [OutputManifest], output: String) -> [VerifyReport.Problem] {
    var problems: [VerifyReport.Problem] = []
    func check(_ path: String, _ group: [ExpectedShard], split: String, required: Bool) {
      guard let text = try? String(contentsOfFile: output + "/" + path, encoding: .utf8) else {
        if required { problems.append(VerifyReport.Problem(path: path, reason: "missing")) }
        return
      }
      // The rendering sorts the shard list by URL, so a merged index compares equal whatever the order.
      if text != ShardIndexJSON(split: split, shards: group.map { ($0.path, $0.samples, $0.bytes, $0.md5) }).rendered() {
        problems.append(VerifyReport.Problem(path: path, reason: "stale: it does not list the shards as they are recorded"))
      }
    }
    let bySplit = Dictionary(grouping: shards, by: \.split)
    if manifests.isEmpty {
      for (split, group) in bySplit { check(split + "/" + ShardIndexJSON.defaultFileName, group, split: split, required: true) }
      return problems
    }
    // `dance catalog merge` replaces the partitions' indexes by one `shardindex.json` per split.
    let merged = Set(bySplit.keys.filter { split in
      manifests.contains { $0.partition != nil }
        && OutputReader.isSplitFolder(output + "/" + split)
    })
    for split in merged { check(split + "/" + ShardIndexJSON.defaultFileName, bySplit[split] ?? [], split: split, required: true) }
    for manifest in manifests {
      for (split, content) in manifest.splits where !content.shards.isEmpty && !merged.contains(split) {
        let group = shards.filter { shard in content.shards.contains { $0.path == shard.path } }
        check(split + "/" + content.index, group, split: split, required: manifest.complete)
      }
    }
    return problems
  }

  /// Tar files in the output that neither the manifest nor the catalog lists.
  static func strayFiles(_ shards: [ExpectedShard], output: String) -> [VerifyReport.Problem] {
    let known = Set(shards.map(\.path))
    let files = (try? FileManager.default.subpathsOfDirectory(atPath: output)) ?? []
    return files.filter { $0.hasSuffix(".tar") && !known.contains($0) }.sorted().map {
      VerifyReport.Problem(path: $0, reason: "a shard neither the manifest nor the catalog lists")
    }
  }
}

extension ShardVerifier.ExpectedShard {
  init(_ shard: ShardRecord, members: [MemberRecord]?) {
    self.init(
      path: shard.path, split: shard.split.rawValue, bytes: shard.bytes, sha256: shard.sha256, md5: shard.md5, samples: shard.samples,
      members: members)
  }

  init(_ shard: OutputManifest.Shard, split: String) {
    self.init(
      path: shard.path, split: split, bytes: shard.bytes, sha256: shard.sha256, md5: shard.md5, samples: shard.samples,
      members: nil)
  }
}
