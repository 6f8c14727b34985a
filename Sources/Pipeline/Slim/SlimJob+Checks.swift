import Catalog
import DanceCore
import Foundation
import Slimming
import OutputStore

extension SlimJob {
  /// The checks of a slim request that need neither a scan nor scores, made before any stage runs
  /// so that a refused request writes nothing (no catalog, no scan rows): the output's placement
  /// (never over, inside or around a dataset root or the catalog's directory) and, unless
  /// overwriting or planning only, that an output already written there has this configuration.
  /// ``run(root:outputDirectory:options:partition:context:catalog:)`` checks both again.
  /// - Throws: ``PipelineError/refused(path:reason:)`` naming the output and what is wrong.
  public static func checkRequest(
    root: String, outputDirectory: String, options: SlimOptions, partition: Partition? = nil, catalogPath: String
  ) throws(PipelineError) {
    var roots = [root]
    if FileManager.default.fileExists(atPath: catalogPath) {
      do throws(CatalogError) {
        roots += try Catalog(path: catalogPath, access: .existing).datasets().map(\.root)
      } catch {
        throw .catalog(error)
      }
    }
    let directory = URL(fileURLWithPath: outputDirectory).standardizedFileURL.path
    do throws(OutputStoreError) {
      try OutputPlacement.check(output: directory, datasetRoots: roots, catalogPath: catalogPath)
      guard !options.dryRun, !options.overwrite else { return }
      let manifestPath = directory + "/" + OutputManifest.fileName(partition: partition?.name)
      guard FileManager.default.fileExists(atPath: manifestPath) else { return }
      let recorded = try OutputManifest.read(manifestPath).configuration
      let configuration = SlimConfiguration(
        root: root, outputDirectory: directory, options: options, partition: partition, context: StageContext())
      let given = try SlimFingerprint(configuration).canonicalJSON(for: directory)
      if recorded != given { throw SlimFingerprint.refusal(directory, recorded: recorded, given: given) }
    } catch {
      throw PipelineError(error)
    }
  }
}

extension SlimFingerprint {
  /// The fingerprint of a slim job's configuration.
  init(_ configuration: SlimConfiguration) {
    // A survival ratio ranks by its lower values (complexity(_:)); plans ranked by it before that
    // orientation existed were the reverse, so its fingerprint says which.
    let indicator = configuration.indicator
    self.init(
      root: URL(fileURLWithPath: configuration.root).standardizedFileURL.path, policy: configuration.policy,
      indicator: indicator.rawValue + "@" + indicator.variant + (indicator.higherMeansSimpler ? ";ranked-by-lower-value" : ""),
      weights: configuration.weights, slimmedSplits: configuration.slimmedSplits, align: configuration.align,
      output: configuration.output, shardMaxBytes: configuration.shardMaxBytes, shardMaxSamples: configuration.shardMaxSamples,
      randomAssignmentSeed: configuration.randomAssignmentSeed,
      planning: configuration.options.planning == PlanningOptions() ? nil : configuration.options.planning,
      partitionScheme: configuration.partition.flatMap { $0.scheme == .fnv1aModulo ? nil : $0.scheme.rawValue })
  }
}
