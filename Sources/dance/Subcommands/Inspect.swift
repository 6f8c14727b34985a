import ArgumentParser
import Foundation
import ImageCodecs
import Pipeline

extension Dance {
  /// `dance inspect FILE…`: decode images and report what they hold.
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Decode images and print codec, size, channels and bit depth.",
      discussion: """
        Every file is fully decoded, so a corrupt or truncated file is caught. A bad file prints one \
        line to stderr naming it and the reason; the exit code is 1 if any file failed.
        """
    )

    @Argument(help: "PNG or JPEG files to inspect.")
    var files: [String]

    @Flag(help: "Print one JSON array instead of a table.")
    var json = false

    @Flag(help: "Read the files as label maps (palette PNGs as indices, low-bit gray unscaled).")
    var label = false

    @Flag(help: "Print only totals (files per codec, size and channel layout) instead of one line per file.")
    var summary = false

    @Option(parsing: .unconditional, help: "Refuse images with more pixels than this (width × height), \(Settings.maxPixels.helpRange). (default: \(DecodeOptions().maxPixels), 2^28)")
    var maxPixels: Int?

    @OptionGroup var strictness: StrictnessOptions

    func validate() throws { try Settings.maxPixels.check(maxPixels) }

    func run() throws {
      let decoder = ImageDecoder(options: strictness.decodeOptions(DecodeOptions(maxPixels: maxPixels ?? DecodeOptions().maxPixels), log: DecodeWarningLog()))
      var reports: [InspectReport] = []
      var failures = 0
      for path in files {
        do {
          let file = label ? try decoder.decodeLabel(contentsOf: path) : try decoder.decode(contentsOf: path)
          reports.append(InspectReport(path: path, file: file))
        } catch {
          failures += 1
          printError("\(error)")
        }
      }
      if json {
        try printJSON(reports.map { report in
          var absolute = report
          absolute.path = absolutePath(report.path)
          return absolute
        })
      } else if summary {
        print(InspectReport.summary(of: reports, failures: failures))
      } else if !reports.isEmpty {
        print(InspectReport.table(reports))
      }
      if failures > 0 { throw ExitCode.failure }
    }
  }
}

/// One inspected file, as printed by `dance inspect`.
struct InspectReport: Codable {
  var path: String
  var codec: ImageCodec
  var width: Int
  var height: Int
  var channels: Int
  var bitDepth: Int
  var storage: String

  enum CodingKeys: String, CodingKey {
    case path, codec, width, height, channels, storage
    case bitDepth = "bit_depth"
  }

  init(path: String, file: DecodedFile) {
    self.path = path
    codec = file.header.codec
    width = file.image.width
    height = file.image.height
    channels = file.image.channels
    bitDepth = file.image.bitDepth
    storage = file.header.storage
  }

  static func table(_ reports: [InspectReport]) -> String {
    let rows = [["file", "codec", "size", "channels", "bits", "stored as"]]
      + reports.map { [$0.path, $0.codec.rawValue, "\($0.width)×\($0.height)", "\($0.channels)", "\($0.bitDepth)", $0.storage] }
    return formatTable(rows)
  }

  static func summary(of reports: [InspectReport], failures: Int) -> String {
    var groups: [String: Int] = [:]
    for report in reports {
      groups["\(report.codec.rawValue) \(report.width)×\(report.height) \(report.channels)ch \(report.bitDepth)-bit", default: 0] += 1
    }
    let rows = [["files", "kind"]] + groups.sorted { $0.key < $1.key }.map { ["\($0.value)", $0.key] }
    return formatTable(rows) + "\n\(reports.count) decoded, \(failures) failed"
  }
}
