import Catalog
public import DanceCore
public import Foundation

/// What `dance experiment` checks in its directory before the first run, and how it writes its
/// report files there, by the rule every writing command shares (``OutputGuard``, ``WrittenFiles``).
public enum ExperimentFiles {
  /// The summary, `DIR/experiment.json`.
  public static let summary = "experiment.json"
  /// The page, `DIR/experiment.html`.
  public static let page = "experiment.html"
  /// The catalog every data variant shares, `DIR/catalog.sqlite`.
  public static let catalog = "catalog.sqlite"

  /// Checks the directory before anything is trained: it is a directory (or missing), it is not
  /// the dataset and does not lie inside it, its catalog (if any) is a Dance catalog, and its report files are new
  /// or Dance's own; then claims the report files.
  /// - Parameter dataRoot: the dataset given, or nil when the experiment synthesises one inside.
  /// - Returns: the record the report files are written through.
  /// - Throws: ``ExperimentError/invalidOptions(_:)`` (exit 2) naming the path and the reason.
  public static func prepare(directory: String, dataRoot: String?) throws(ExperimentError) -> WrittenFiles {
    let written: WrittenFiles
    do throws(OutputGuardError) {
      try OutputGuard.checkDirectory(directory, role: "--out")
      // DIR may hold the dataset (DIR/data is where the default one is synthesised); it may not be
      // the dataset or lie inside it, where its runs, variants and catalog would mix with the data.
      if let dataRoot, let relation = OutputGuard.relation(of: directory, to: dataRoot), relation != "contains" {
        throw OutputGuardError.refused(
          path: directory, reason: "the experiment directory \(relation) the dataset \(dataRoot); choose a directory outside the dataset")
      }
      written = try WrittenFiles(directory: directory)
      for name in [summary, page] { try written.check(name, adopting: isOwnReport) }
    } catch {
      throw ExperimentError(error)
    }
    let catalogPath = directory + "/" + catalog
    if OutputGuard.pathExists(catalogPath) {
      do throws(CatalogError) { _ = try Catalog(path: catalogPath, access: .existing) } catch {
        throw .invalidOptions("\(error.description); the experiment keeps its catalog there: choose another --out")
      }
    }
    do throws(OutputGuardError) {
      // Reports written before the record existed are recognised by their contents.
      try written.claim([summary, page], adopting: isOwnReport)
    } catch {
      throw ExperimentError(error)
    }
    return written
  }

  /// Writes the summary and the page (each under a temporary name, then renamed).
  public static func write(summary json: Data, page html: String, through written: WrittenFiles) throws(ExperimentError) {
    do throws(OutputGuardError) {
      try written.write(Array(json), to: summary)
      try written.write(Array(html.utf8), to: page)
    } catch {
      throw ExperimentError(error)
    }
  }

  /// Whether the file at `path` is an experiment report Dance wrote: a summary (a JSON object with
  /// `epochs` and `runs`, which every version of it has), or the page's fixed beginning.
  static func isOwnReport(_ path: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: path) else { return false }
    if path.hasSuffix(summary) {
      guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
      return object["epochs"] is Int && object["runs"] is [Any]
    }
    return data.starts(with: Array("<!doctype html><html><head><meta charset=\"utf-8\"><title>dance experiment</title>".utf8))
  }
}

extension ExperimentError {
  /// The shared output rule's error as the experiment's: a refusal is a configuration error (exit 2).
  init(_ error: OutputGuardError) {
    switch error {
    case .refused: self = .invalidOptions(error.description)
    case .io(let path, let reason): self = .io(path: path, reason: reason)
    }
  }
}
