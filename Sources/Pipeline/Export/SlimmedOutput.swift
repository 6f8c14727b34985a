import Foundation
import Shards

/// A slimmed output directory as its manifests describe it, for jobs that read it back (exports).
///
/// Every shard is checked against its manifest entry (size and SHA-256) before it is read, so an
/// export never carries a damaged or changed shard onward.
struct SlimmedOutput {
  /// The output directory (absolute).
  var directory: String
  /// Per split, in train, val, test order: the shards as the manifests list them.
  var splits: [(name: String, shards: [OutputManifest.Shard])]

  /// Reads the manifests of `directory`.
  /// - Throws: ``PipelineError/nothingToDo(reason:)`` when it has none, and
  ///   ``PipelineError/output(path:reason:)`` for a manifest of an unfinished run.
  init(_ path: String) throws(PipelineError) {
    directory = URL(fileURLWithPath: path).standardizedFileURL.path
    let manifests = try OutputManifest.all(in: directory)
    guard !manifests.isEmpty else {
      throw .nothingToDo(reason: "\(directory): no manifest.json; is this the output directory of `dance slim`?")
    }
    if let unfinished = manifests.first(where: { !$0.complete }) {
      throw .output(
        path: directory + "/" + OutputManifest.fileName(partition: unfinished.partition),
        reason: "the run that writes this output has not finished; rerun the same `dance slim` command first")
    }
    let order = ["train", "val", "test"]
    let names = Set(manifests.flatMap(\.splits.keys)).sorted { (order.firstIndex(of: $0) ?? 3, $0) < (order.firstIndex(of: $1) ?? 3, $1) }
    splits = names.map { name in (name, manifests.flatMap { $0.splits[name]?.shards ?? [] }) }
  }

  /// The samples in all shards, as the manifests count them.
  var sampleCount: Int { splits.reduce(0) { $0 + $1.shards.reduce(0) { $0 + $1.samples } } }

  /// The samples of one shard, after checking the file against the manifest.
  func samples(of shard: OutputManifest.Shard) throws(PipelineError) -> [ShardSample] {
    let path = directory + "/" + shard.path
    guard let file = ShardDigest.ofFile(path) else { throw .output(path: path, reason: "missing or unreadable") }
    guard file.bytes == shard.bytes, file.sha256 == shard.sha256 else {
      throw .output(path: path, reason: "differs from the manifest (size or SHA-256); run `dance verify \(directory)`")
    }
    do throws(ShardError) {
      return try TarReader(path: path).samples()
    } catch {
      throw .output(path: path, reason: error.reason)
    }
  }

  /// The `json` member of a sample, decoded.
  static func metadata(_ sample: ShardSample, shard: String) throws(PipelineError) -> SampleMetadata {
    guard let bytes = sample.fields["json"], let metadata = try? JSONDecoder().decode(SampleMetadata.self, from: Data(bytes)) else {
      throw .output(path: shard, reason: "sample \(sample.key) has no readable json member")
    }
    return metadata
  }

  /// Refuses a destination that exists with files in it, is the output, or lies inside or around it.
  func checkDestination(_ destination: String) throws(PipelineError) {
    let target = OutputPlacement.resolved(destination)
    let source = OutputPlacement.resolved(directory)
    if target == source || OutputPlacement.isInside(target, source) || OutputPlacement.isInside(source, target) {
      throw .refused(path: destination, reason: "the export destination must lie outside the slimmed output \(directory)")
    }
    if let entries = try? FileManager.default.contentsOfDirectory(atPath: destination), !entries.isEmpty {
      throw .refused(path: destination, reason: "the export destination already holds files; choose a new or empty directory")
    }
  }
}
