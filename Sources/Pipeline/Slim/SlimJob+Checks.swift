import Catalog
import DanceCore
import Foundation
import Shards

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
    try OutputPlacement.check(output: directory, datasetRoots: roots, catalogPath: catalogPath)
    guard !options.dryRun, !options.overwrite else { return }
    let manifestPath = directory + "/" + OutputManifest.fileName(partition: partition?.name)
    guard FileManager.default.fileExists(atPath: manifestPath) else { return }
    let recorded = try PipelineError.reading { () throws(ShardError) in try OutputManifest.read(manifestPath) }.configuration
    let configuration = SlimConfiguration(
      root: root, outputDirectory: directory, options: options, partition: partition, context: StageContext())
    let given: String
    do { given = try json(SlimFingerprint(configuration)) } catch {
      throw .output(path: directory, reason: "cannot encode the configuration: \(error)")
    }
    if recorded != given { throw anotherConfiguration(directory, recorded: recorded, given: given) }
  }

  /// The refusal of an output written with another configuration, naming what differs.
  static func anotherConfiguration(_ directory: String, recorded: String, given: String) -> PipelineError {
    let differences = ConfigurationDifference.phrases(recorded: recorded, given: given)
    let schemes = (SlimFingerprint.partitionScheme(of: recorded), SlimFingerprint.partitionScheme(of: given))
    let hint = schemes.0 == schemes.1 ? "" : "; its partitions were chosen by \(schemes.0.rawValue), this Dance deals them out by \(schemes.1.rawValue)"
    return .refused(
      path: directory,
      reason: "was written with another configuration (\(differences.joined(separator: "; "))\(hint)); "
        + "rerun with the same options to resume, or pass --overwrite to replace it")
  }
}
