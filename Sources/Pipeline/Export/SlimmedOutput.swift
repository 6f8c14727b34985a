import DanceCore
import Datasets
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
  /// The label space of the `seg.png` members, as the manifests record it.
  var labelSpace: LabelSpace?

  /// Reads the manifests of `directory`.
  /// - Throws: ``PipelineError/nothingToDo(reason:)`` when it has none, and
  ///   ``PipelineError/output(path:reason:)`` for a manifest of an unfinished run.
  init(_ path: String) throws(PipelineError) {
    let directory = URL(fileURLWithPath: path).standardizedFileURL.path
    self.directory = directory
    let manifests = try PipelineError.reading { () throws(ShardError) in try OutputManifest.all(in: directory) }
    guard !manifests.isEmpty else {
      throw .nothingToDo(reason: "\(directory): no manifest.json; is this the output directory of `dance slim`?")
    }
    if let unfinished = manifests.first(where: { !$0.complete }) {
      throw .output(
        path: directory + "/" + OutputManifest.fileName(partition: unfinished.partition),
        reason: "the run that writes this output has not finished; rerun the same `dance slim` command first")
    }
    let order = DatasetSplit.allCases.map(\.rawValue)
    let names = Set(manifests.flatMap(\.splits.keys)).sorted { (order.firstIndex(of: $0) ?? 3, $0) < (order.firstIndex(of: $1) ?? 3, $1) }
    splits = names.map { name in (name, manifests.flatMap { $0.splits[name]?.shards ?? [] }) }
    labelSpace = manifests.first?.dataset.space
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

  /// Prepares an export's destination before anything is written: it must be a directory (or
  /// missing) apart from the output, and hold no file Dance did not write and no finished export.
  /// What an unfinished export wrote there (its `.dance-written` record lists it) is removed, so a
  /// rerun after a kill or a full disk starts over. The export is then marked unfinished
  /// (``DatasetLayout/exportMarker``) until ``finish(_:)``.
  /// - Returns: the record every file of the export is written through.
  func prepareDestination(_ destination: String) throws(PipelineError) -> WrittenFiles {
    do throws(OutputGuardError) {
      try OutputGuard.checkDirectory(destination, role: "--to")
      try OutputGuard.checkApart(destination, from: [directory], role: "the export destination")
      let written = try WrittenFiles(directory: destination)
      let foreign = written.unlisted()
      guard foreign.isEmpty else {
        let shown = foreign.prefix(3).joined(separator: ", ")
        throw OutputGuardError.refused(
          path: destination,
          reason: "the export destination already holds files Dance did not write (\(shown)\(foreign.count > 3 ? ", …" : "")); "
            + "choose a new or empty directory")
      }
      if DatasetLayout.exportIsComplete(root: destination) == true {
        throw OutputGuardError.refused(
          path: destination, reason: "the export destination already holds files (a finished export); choose a new or empty directory")
      }
      try written.removeAll()
      try written.write(DatasetLayout.exportMarkerContents(complete: false), to: DatasetLayout.exportMarker)
      return written
    } catch {
      throw PipelineError(error)
    }
  }

  /// Marks the export in `written`'s directory complete: every file is in place.
  static func finish(_ written: WrittenFiles) throws(PipelineError) {
    do throws(OutputGuardError) { try written.write(DatasetLayout.exportMarkerContents(complete: true), to: DatasetLayout.exportMarker) } catch {
      throw PipelineError(error)
    }
  }

  /// Runs an export's `body`; when it fails, removes what it wrote (best effort: a full disk gets
  /// its space back, and nothing half-written stays), then rethrows.
  static func cleaningUp<Value>(_ written: WrittenFiles, _ body: () throws(PipelineError) -> Value) throws(PipelineError) -> Value {
    do throws(PipelineError) { return try body() } catch {
      try? written.removeAll()
      throw error
    }
  }
}
