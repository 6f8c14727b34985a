import Catalog
import DanceCore
import Foundation
import OutputStore
import Pipeline
import Runner
import Synthetic
import TestSupport
import Testing

/// Issue 26, B3: outputs partitioned before the balanced scheme stay readable (they verify and
/// merge as before), and neither a merge nor a resumed partition mixes the two schemes.
@Suite struct PartitionSchemeTests {
  static let context = StageContext(workers: 2, progress: .silent)

  /// Writes part `index` of 2 of `root` into `out` with `scheme`, from the scores in `catalog`.
  static func writePart(_ index: Int, scheme: Partition.Scheme, root: String, out: String, catalog: String) throws {
    _ = try PipelineRunner.slim(
      root: root, catalogPath: catalog, outputDirectory: out, options: SlimOptions(),
      partition: try Partition(index: index, count: 2, scheme: scheme), context: context)
  }

  static func scoredDataset(in directory: String) throws -> (root: String, catalog: String) {
    let root = directory + "/data", catalog = directory + "/c.sqlite"
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: root, trainCount: 6, valCount: 2, imageSize: .init(width: 96, height: 48), seed: 3))
      .write()
    _ = try PipelineRunner.score(root: root, catalogPath: catalog, context: context)
    return (root, catalog)
  }

  @Test func oldPartitionsStillVerifyAndMerge() throws {
    try withTemporaryDirectory { directory in
      let (root, catalog) = try Self.scoredDataset(in: directory)
      let out = directory + "/old"
      for index in 0..<2 { try Self.writePart(index, scheme: .fnv1aModulo, root: root, out: out, catalog: catalog) }
      let parts = (0..<2).map { out + "/catalog.part\($0)of2.sqlite" }
      let merged = try CatalogMerger.merge(parts: parts, into: directory + "/merged.sqlite")
      #expect(merged.outputs.map(\.missing) == [[]])
      let verified = try ShardVerifier.verify(output: out, catalogPath: directory + "/merged.sqlite")
      #expect(verified.problems.isEmpty && verified.samples == 8, "\(verified.problems)")
    }
  }

  /// Slim reads only the scores its configuration uses from a catalog scored with the default set,
  /// so a partition's catalog holds those and no others: si-mean for the default policy, and the
  /// fidelities besides under the budget policy.
  @Test(arguments: [SlimPolicyName.quantile, .budget])
  func aPartitionCopiesOnlyTheScoresItsConfigurationUses(policy: SlimPolicyName) throws {
    try withTemporaryDirectory { directory in
      let (root, catalog) = try Self.scoredDataset(in: directory)
      #expect(Set(try Catalog(path: catalog).scores().map(\.indicator)) == Set(Indicator.defaultSet))
      var options = SlimOptions()
      options.policy = policy
      let out = directory + "/out"
      _ = try PipelineRunner.slim(
        root: root, catalogPath: catalog, outputDirectory: out, options: options,
        partition: try Partition(index: 0, count: 2), context: Self.context)
      let copied = Set(try Catalog(path: out + "/catalog.part0of2.sqlite").scores().map(\.indicator))
      #expect(copied == Set(options.neededIndicators))
      #expect(copied.count == (policy == .budget ? 4 : 1))
    }
  }

  @Test func aMergeRefusesPartsOfBothSchemes() throws {
    try withTemporaryDirectory { directory in
      let (root, catalog) = try Self.scoredDataset(in: directory)
      let out = directory + "/mixed"
      try Self.writePart(0, scheme: .fnv1aModulo, root: root, out: out, catalog: catalog)
      try Self.writePart(1, scheme: .dealtByMixedHash, root: root, out: out, catalog: catalog)
      let parts = (0..<2).map { out + "/catalog.part\($0)of2.sqlite" }
      #expect {
        try CatalogMerger.merge(parts: parts, into: directory + "/merged.sqlite")
      } throws: { error in
        guard case PipelineError.refused(let path, let reason) = error else { return false }
        return path == parts[1] && reason.contains("partitioned by dealt-by-mixed-hash here and by fnv1a-modulo")
      }
      #expect(!FileManager.default.fileExists(atPath: directory + "/merged.sqlite"))
    }
  }

  @Test func anOldPartitionIsNotContinuedByTheNewScheme() throws {
    try withTemporaryDirectory { directory in
      let (root, catalog) = try Self.scoredDataset(in: directory)
      let out = directory + "/old"
      try Self.writePart(0, scheme: .fnv1aModulo, root: root, out: out, catalog: catalog)
      #expect {
        try Self.writePart(0, scheme: .dealtByMixedHash, root: root, out: out, catalog: catalog)
      } throws: { error in
        guard case PipelineError.refused(_, let reason) = error else { return false }
        return reason.contains("partitionScheme absent recorded") && reason.contains("chosen by fnv1a-modulo")
      }
    }
  }
}
