import Foundation

/// Where `dance slim` may write: never over, inside or around a dataset or the catalog in use.
///
/// An output directory is refused when it equals, contains or lies inside a dataset root, and when
/// it equals or contains the directory of the catalog (so that no `--overwrite` can reach the
/// catalog). An output *beside* the catalog, in its directory, is allowed: the default catalog lives
/// in the current directory, and `demo-output/catalog.sqlite` next to `demo-output/shards` is the
/// layout of `make demo`. Paths are compared after resolving symbolic links.
public enum OutputPlacement {
  /// Refuses an output directory that would put a dataset or the catalog at risk.
  /// - Throws: ``PipelineError/refused(path:reason:)`` naming the output and what it collides with.
  public static func check(output: String, datasetRoots: [String], catalogPath: String) throws(PipelineError) {
    let out = resolved(output)
    for root in datasetRoots {
      let dataset = resolved(root)
      let relation: String? =
        out == dataset ? "is the dataset root"
        : isInside(out, dataset) ? "lies inside the dataset root \(root)"
        : isInside(dataset, out) ? "contains the dataset root \(root)" : nil
      if let relation {
        throw .refused(path: output, reason: "the output directory \(relation); choose a directory outside every dataset")
      }
    }
    let catalogDirectory = resolved((resolved(catalogPath) as NSString).deletingLastPathComponent)
    if out == catalogDirectory || isInside(catalogDirectory, out) {
      throw .refused(
        path: output,
        reason: "the output directory holds the catalog \(catalogPath); choose another output or put the catalog elsewhere")
    }
  }

  /// `path` absolute and standardized, with symbolic links resolved in its longest existing prefix.
  static func resolved(_ path: String) -> String {
    var existing = URL(fileURLWithPath: path).standardizedFileURL.path
    var rest: [String] = []
    while !existing.isEmpty, existing != "/", !FileManager.default.fileExists(atPath: existing) {
      rest.insert((existing as NSString).lastPathComponent, at: 0)
      existing = (existing as NSString).deletingLastPathComponent
    }
    let base = URL(fileURLWithPath: existing).resolvingSymlinksInPath().path
    return rest.reduce(base) { ($0 as NSString).appendingPathComponent($1) }
  }

  /// Whether `path` lies strictly inside `directory` (both resolved).
  static func isInside(_ path: String, _ directory: String) -> Bool {
    path.hasPrefix(directory == "/" ? "/" : directory + "/") && path != directory
  }
}
