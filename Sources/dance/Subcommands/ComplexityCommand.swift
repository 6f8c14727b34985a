import ArgumentParser
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs

extension Dance {
  /// `dance complexity FILE…`: indicator values of single images or label files.
  struct ComplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "complexity",
      abstract: "Print complexity indicators of single images (or, with --label, of label files).",
      discussion: """
        Image indicators: si, si-mean (the default spatial complexity), edge-density, jpeg-bpp, on \
        BT.601 luma at the stored resolution. Label indicators (with --label --format F): \
        label-boundary, label-entropy, class-count, fidelity@s and worst-class@s for s = 0.75, 0.5, 0.25.
        """
    )

    @Argument(help: "Image files (or label files with --label).")
    var files: [String]

    @Option(help: "Comma-separated indicator ids, 'default' or 'all' (only those that fit the input are computed).")
    var indicators = "all"

    @Flag(help: "The files are label maps; they are converted to train ids first (needs --format).")
    var label = false

    @Option(help: "Dataset format of the label files: cityscapes, camvid, ade20k, voc or generic (which reads the nearest classes.yaml above each file).")
    var format: DatasetFormat?

    @Flag(help: "Print JSON: one object per file.")
    var json = false

    func validate() throws {
      if label && format == nil { throw ValidationError("--label needs --format to know the label encoding") }
    }

    func run() throws {
      let requested = try Indicator.parseList(indicators).filter { label ? $0.needsLabel : $0.needsImage }
      guard !requested.isEmpty else { throw ValidationError("none of the requested indicators applies to \(label ? "labels" : "images")") }
      let scorer = ComplexityScorer(indicators: requested)
      var results: [[String: String]] = []
      var failures = 0
      for file in files {
        do {
          let values: [Indicator: Double]
          if label, let format {
            let datasetLabels = try DatasetLabels.forLabelFile(at: file, format: format)
            let labels = try LabelFiles.convert(contentsOf: file, labels: datasetLabels).labels.image
            values = scorer.score(image: nil, trainIds: labels)
          } else {
            guard case .uint8(let image) = try ImageDecoder().decode(contentsOf: file).image else {
              throw ValidationError("\(file): 16-bit images are not scored")
            }
            values = scorer.score(image: image, trainIds: nil)
          }
          var row = ["file": file]
          for indicator in requested { row[indicator.rawValue] = values[indicator].map { String($0) } ?? "" }
          results.append(row)
        } catch {
          failures += 1
          printError("\(error)")
        }
      }
      if json {
        let objects = results.map { row in
          Dictionary(uniqueKeysWithValues: row.map { key, value -> (String, Any) in
            (key, key == "file" ? absolutePath(value) : Double(value).map { $0 as Any } ?? value)
          })
        }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
      } else {
        let header = ["file"] + requested.map(\.rawValue)
        print(formatTable([header] + results.map { row in
          header.map { key in key == "file" ? row[key] ?? "" : Double(row[key] ?? "").map { String(format: "%.6g", $0) } ?? "" }
        }))
      }
      if failures > 0 { throw ExitCode(ExitStatus.failure) }
    }
  }
}
