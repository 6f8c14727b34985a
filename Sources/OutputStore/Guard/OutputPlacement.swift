import DanceCore
import Foundation

/// Where `dance slim` may write: never over, inside or around a dataset or the catalog in use.
///
/// An output directory is refused when it equals, contains or lies inside a dataset root, and when
/// it equals or contains the directory of the catalog (so that no `--overwrite` can reach the
/// catalog). An output *beside* the catalog, in its directory, is allowed: the default catalog lives
/// in the current directory, and `demo-output/catalog.sqlite` next to `demo-output/shards` is the
/// layout of `make demo`. Paths are compared after resolving symbolic links (``OutputGuard``, the
/// rule every writing command shares).
public enum OutputPlacement {
  /// Refuses an output directory that would put a dataset or the catalog at risk.
  /// - Throws: ``OutputStoreError/refused(path:reason:)`` naming the output and what it collides with.
  public static func check(output: String, datasetRoots: [String], catalogPath: String) throws(OutputStoreError) {
    for root in datasetRoots {
      if let relation = OutputGuard.relation(of: output, to: root) {
        let named = relation == "is" ? "is the dataset root" : "\(relation) the dataset root \(root)"
        throw .refused(path: output, reason: "the output directory \(named); choose a directory outside every dataset")
      }
    }
    let out = OutputGuard.resolved(output)
    let catalogDirectory = OutputGuard.resolved((OutputGuard.resolved(catalogPath) as NSString).deletingLastPathComponent)
    if out == catalogDirectory || OutputGuard.isInside(catalogDirectory, out) {
      throw .refused(
        path: output,
        reason: "the output directory holds the catalog \(catalogPath); choose another output or put the catalog elsewhere")
    }
  }
}
