public import Catalog
import DanceCore
import Foundation
import Shards

/// `dance catalog merge`: joins partition catalogs and rewrites each output's `shardindex.json`.
public enum CatalogMerger {
  /// Merges the catalogs at `parts` into the catalog at `destination` (created if missing), then
  /// writes one `shardindex.json` per split of every joined output directory and removes the
  /// partitions' own index files.
  public static func merge(parts: [String], into destination: String) throws(PipelineError) -> MergeReport {
    for part in parts where !FileManager.default.fileExists(atPath: part) {
      throw .catalog(.cannotOpen(path: part, reason: "no such file"))
    }
    let target: Catalog
    let report: MergeReport
    var shardsByDirectory: [String: [ShardRecord]] = [:]
    do throws(CatalogError) {
      let catalogs = try parts.map { path throws(CatalogError) in try Catalog(path: path, access: .existing) }
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
          try ShardIndexJSON(split: split.rawValue, shards: inSplit.map { ($0.path, $0.samples, $0.bytes, $0.md5) }).write(to: directory + "/" + ShardIndexJSON.defaultFileName)
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
}
