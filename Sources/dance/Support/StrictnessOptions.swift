import ArgumentParser
import Catalog
import Foundation
import ImageCodecs

/// `--lenient`, shared by `scan`, `score`, `slim` and `inspect` (issue 12, B1).
struct StrictnessOptions: ParsableArguments {
  @Flag(
    help: ArgumentHelp(
      "Accept images the decoder warns about (corrupt JPEG data, a wrong PNG checksum, a missing end marker).",
      discussion: """
        Decoding is strict by default: every libjpeg warning and every libpng warning about the image \
        data is an error. With --lenient such a file is decoded as libjpeg and libpng show it, a \
        warning naming it is printed on stderr and recorded in the catalog. Truncated files stay errors.
        """))
  var lenient = false

  /// `base` with the strictness these flags describe; lenient warnings are printed on stderr and
  /// collected in `log`.
  func decodeOptions(_ base: DecodeOptions = DecodeOptions(), log: DecodeWarningLog) -> DecodeOptions {
    var options = base
    guard lenient else { return options }
    options.strictness = .lenient
    options.warningHandler = { warning in
      printError("warning: \(warning)")
      log.append(warning)
    }
    return options
  }
}

/// The lenient warnings of one command, collected from every worker thread.
final class DecodeWarningLog: @unchecked Sendable {
  private let lock = NSLock()
  private var warnings: [DecodeWarning] = []

  /// Adds one warning.
  func append(_ warning: DecodeWarning) { lock.withLock { warnings.append(warning) } }

  /// Everything collected so far.
  var all: [DecodeWarning] { lock.withLock { warnings } }

  /// Records the collected warnings in the catalog at `catalogPath` under `command`; a failure to
  /// record is printed, never fatal (the warnings were printed already).
  func record(inCatalog catalogPath: String, command: String) {
    let records = all.map {
      DecodeWarningRecord(path: $0.source, command: command, message: $0.message, count: $0.count)
    }
    guard !records.isEmpty else { return }
    do throws(CatalogError) {
      try Catalog(path: catalogPath).recordDecodeWarnings(records)
    } catch {
      printError("cannot record the decode warnings: \(error)")
    }
  }
}
