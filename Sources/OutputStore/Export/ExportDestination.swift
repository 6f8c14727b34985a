import DanceCore
import Datasets
import Foundation

/// Where an export writes: prepared before anything is written, every file recorded in
/// `DIR/.dance-written` before it is written, marked complete (``DatasetLayout/exportMarker``) only
/// when every file is in place, and cleaned up when the export fails.
enum ExportDestination {
  /// Prepares `destination` for an export of `source`: it must be a directory (or missing) apart
  /// from the output, and hold no file Dance did not write and no finished export. What an
  /// unfinished export wrote there (its `.dance-written` record lists it) is removed, so a rerun
  /// after a kill or a full disk starts over. The export is then marked unfinished until ``finish(_:)``.
  /// - Returns: the record every file of the export is written through.
  static func prepare(_ destination: String, source: OutputReader) throws(OutputStoreError) -> WrittenFiles {
    do throws(OutputGuardError) {
      try OutputGuard.checkDirectory(destination, role: "--to")
      try OutputGuard.checkApart(destination, from: [source.directory], role: "the export destination")
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
      throw OutputStoreError(error)
    }
  }

  /// Marks the export in `written`'s directory complete: every file is in place.
  static func finish(_ written: WrittenFiles) throws(OutputStoreError) {
    do throws(OutputGuardError) { try written.write(DatasetLayout.exportMarkerContents(complete: true), to: DatasetLayout.exportMarker) } catch {
      throw OutputStoreError(error)
    }
  }

  /// Runs an export's `body`; when it fails, removes what it wrote (best effort: a full disk gets
  /// its space back, and nothing half-written stays), then rethrows.
  static func cleaningUp<Value>(_ written: WrittenFiles, _ body: () throws(OutputStoreError) -> Value) throws(OutputStoreError) -> Value {
    do throws(OutputStoreError) { return try body() } catch {
      try? written.removeAll()
      throw error
    }
  }

  /// Opens `output` for an export: its manifests read, a directory without one or an unfinished
  /// output refused; then prepares `destination`.
  static func open(_ output: String, to destination: String) throws(OutputStoreError) -> (OutputReader, WrittenFiles) {
    let source = try OutputReader(output)
    try source.requireFinishedManifest()
    return (source, try prepare(destination, source: source))
  }
}
