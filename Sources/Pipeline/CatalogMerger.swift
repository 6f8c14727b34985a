public import Catalog
import DanceCore
import Foundation
import OutputStore
import Shards

/// `dance catalog merge`: joins partition catalogs and rewrites each output's `shardindex.json`.
public enum CatalogMerger {
  /// Merges the catalogs at `parts` into the catalog at `destination` (created if missing), then
  /// writes one `shardindex.json` per split of every joined output directory and removes the
  /// partitions' own index files.
  ///
  /// The parts are opened read-only (their bytes never change). Refused before anything is written
  /// (exit 2): a destination that is one of the parts, parts that lie outside the output
  /// directory they record (a copied or moved output), whose index files are not theirs to rewrite,
  /// and parts of one output partitioned by two schemes (before and after issue 26).
  public static func merge(parts: [String], into destination: String) throws(PipelineError) -> MergeReport {
    for part in parts where !FileManager.default.fileExists(atPath: part) {
      throw .catalog(.cannotOpen(path: part, reason: "no such file"))
    }
    do throws(OutputGuardError) { try OutputGuard.checkApart(destination, from: parts, role: "the merged catalog") } catch {
      throw PipelineError(error)
    }
    let target: Catalog
    let report: MergeReport
    var shardsByDirectory: [String: [ShardRecord]] = [:]
    let catalogs: [Catalog]
    let recorded: [(part: Catalog, outputs: [OutputRecord])]
    do throws(CatalogError) {
      catalogs = try parts.map { path throws(CatalogError) in try Catalog(path: path, access: .readOnly) }
      recorded = try catalogs.map { catalog throws(CatalogError) in (catalog, try catalog.outputs()) }
    } catch {
      throw .catalog(error)
    }
    try checkPartsLieInTheirOutputs(recorded)
    try checkSchemes(recorded)
    do throws(CatalogError) {
      target = try Catalog(path: destination)
      report = try target.merge(catalogs)
      // A dry run has plans only: the shards are those of the written output.
      for merged in report.outputs where !merged.output.dryRun {
        shardsByDirectory[merged.output.directory] = try target.shards(output: merged.output)
      }
    } catch {
      throw .catalog(error)
    }
    do throws(ShardError) {
      for (output, shards) in shardsByDirectory.sorted(by: { $0.key < $1.key }) {
        for split in Set(shards.map(\.split)).sorted() {
          let inSplit = shards.filter { $0.split == split }.sorted { $0.path < $1.path }
          let directory = output + "/" + split.rawValue
          try ShardIndexJSON(split: split.rawValue, records: inSplit).write(to: directory + "/" + ShardIndexJSON.defaultFileName)
          for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
          where name.hasPrefix("shardindex.\(split)-part") && name.hasSuffix(".json") {
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
          }
        }
      }
      return report
    } catch {
      throw .output(path: error.path, reason: error.reason)
    }
  }

  /// Refuses a partition's catalog that lies outside the output directory it records: the merge
  /// rewrites that directory's `shardindex.json`, which a copy of the output elsewhere does not own.
  static func checkPartsLieInTheirOutputs(_ recorded: [(part: Catalog, outputs: [OutputRecord])]) throws(PipelineError) {
    for (catalog, outputs) in recorded {
      let folder = OutputGuard.resolved((catalog.path as NSString).deletingLastPathComponent)
      for output in outputs where output.key.partition != nil && !output.key.dryRun {
        guard OutputGuard.resolved(output.key.directory) == folder else {
          throw .refused(
            path: catalog.path,
            reason: "this partition catalog records the output \(output.key.directory) but lies in \(folder) (a copied or moved "
              + "output?); merging would rewrite \(output.key.directory)'s shardindex.json: merge the partition catalogs that lie in it")
        }
      }
    }
  }

  /// Refuses parts of one output partitioned by different schemes (``Partition/Scheme``): their
  /// samples overlap and leave gaps, so no merge of them is whole.
  static func checkSchemes(_ recorded: [(part: Catalog, outputs: [OutputRecord])]) throws(PipelineError) {
    var seen: [String: (scheme: Partition.Scheme, part: String)] = [:]
    for (part, outputs) in recorded {
      for output in outputs where output.key.partition != nil {
        let scheme: Partition.Scheme
        do throws(OutputStoreError) {
          scheme = try SlimFingerprint.partitionScheme(of: output.configuration ?? "{}", recordedIn: part.path)
        } catch {
          throw PipelineError(error)
        }
        let directory = output.key.directory
        guard let first = seen[directory] else {
          seen[directory] = (scheme, part.path)
          continue
        }
        if first.scheme != scheme {
          throw .refused(
            path: part.path,
            reason: "\(directory) was partitioned by \(scheme.rawValue) here and by \(first.scheme.rawValue) in \(first.part): "
              + "partitions of two Dance versions never add up to the whole; write the \(Partition.Scheme.fnv1aModulo.rawValue) "
              + "ones again with this Dance (`dance slim ROOT --out \(directory) --partition i/N --overwrite`)")
        }
      }
    }
  }
}
