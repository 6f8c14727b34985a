import ArgumentParser
import DanceCore
import Datasets
import Foundation
import Pipeline
import Synthetic

extension Dance {
  /// `dance synth`: write a synthetic street-scene dataset in a real dataset's on-disk layout.
  struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a synthetic segmentation dataset in the Cityscapes, CamVid, ADE20K, Pascal VOC or generic layout.",
      discussion: """
        Street scenes (sky, buildings, road, sidewalk, vegetation, cars, people, poles, signs, …) whose \
        spatial complexity varies strongly from image to image, with labels that match the pixels exactly. \
        Equal arguments write byte-identical files. Cityscapes gets leftImg8bit/ and gtFine/ (labelIds, \
        instanceIds, color; no polygons), CamVid the SegNet folders and list files, ADE20K \
        ADEChallengeData2016/ with JPEG images of varying size, Pascal VOC VOCdevkit/VOC2012/ (JPEG images, \
        palette PNGs with a void border of 255 around people, cars and bicycles, the split lists), generic \
        images/<split>/ and masks/<split>/ with classes.yaml (index masks, or colour masks with --masks \
        color). The default --style photographic \
        decouples texture from label clutter, places small objects, signs and lights independently of \
        both, varies object colours, casts shadows, and renders material textures, exposure, blur, \
        sensor noise and some JPEG artefacts, writing image PNGs with libpng's adaptive filters as real \
        datasets are written; --style classic writes the first generator's scenes in flat class colours.
        """
    )

    @Option(
      help: ArgumentHelp("Layout to write: cityscapes, camvid, ade20k, voc or generic.", valueName: "format"),
      transform: { text in
        guard let format = DatasetFormat(rawValue: text.lowercased()) else {
          throw ValidationError("unknown format '\(text)'; use cityscapes, camvid, ade20k, voc or generic")
        }
        return format
      })
    var format: DatasetFormat

    @Option(help: ArgumentHelp("Output directory (created if missing; refused if it holds files, unless --overwrite).",
                               valueName: "dir"))
    var out: String

    @Flag(help: ArgumentHelp(
      "Remove what an earlier dance synth wrote in the output directory first.",
      discussion: "Only the files DIR/.dance-written lists are removed; a directory holding any other file is refused (exit 2)."))
    var overwrite = false

    @Option(parsing: .unconditional, help: "Number of training samples.")
    var train = SyntheticDatasetConfiguration.defaults.trainCount

    @Option(parsing: .unconditional, help: "Number of validation samples.")
    var val = SyntheticDatasetConfiguration.defaults.valCount

    @Option(parsing: .unconditional, help: "Number of test samples, CamVid and generic only. Default: CamVid the validation count, generic none.")
    var test: Int?

    @Option(help: ArgumentHelp(
      """
      Image size in pixels, width x height (e.g. 2048x1024). Default: cityscapes and generic 256x128, camvid \
      240x180, ade20k and voc 256x192 (ADE20K sizes vary ±25 % around it).
      """, valueName: "WxH"))
    var size: String?

    @Option(help: "Seed of the scene generator (unsigned 64-bit integer).")
    var seed = SyntheticDatasetConfiguration.defaults.seed

    @Option(
      help: ArgumentHelp(
        """
        Scenes and rendering: photographic (decoupled texture and small objects, textures, blur, sensor \
        noise, adaptively filtered PNGs) or classic (the first generator: flat class colours, sub-filtered PNGs). \
        (default: \(SyntheticDatasetConfiguration.defaults.style.rawValue))
        """, valueName: "style"),
      transform: { text in
        guard let style = SyntheticDatasetConfiguration.Style(rawValue: text.lowercased()) else {
          throw ValidationError("unknown style '\(text)'; use classic or photographic")
        }
        return style
      })
    var style = SyntheticDatasetConfiguration.defaults.style

    @Option(parsing: .unconditional, help: "zlib level of the PNG files, 0 (store) to 9 (smallest).")
    var pngLevel = SyntheticDatasetConfiguration.defaults.pngCompressionLevel

    @Option(parsing: .unconditional, help: "JPEG quality of the ADE20K and Pascal VOC images, 1 to 100.")
    var jpegQuality = SyntheticDatasetConfiguration.defaults.jpegQuality

    @Option(
      help: ArgumentHelp(
        """
        The generic layout's masks: index (8-bit class ids) or color (RGB class colours). \
        (default: \(SyntheticDatasetConfiguration.defaults.masks.rawValue))
        """, valueName: "kind"),
      transform: { text in
        guard let masks = SyntheticDatasetConfiguration.MaskEncoding(rawValue: text.lowercased()) else {
          throw ValidationError("unknown mask kind '\(text)'; use index or color")
        }
        return masks
      })
    var masks = SyntheticDatasetConfiguration.defaults.masks

    func validate() throws {
      try Settings.trainSamples.check(train)
      try Settings.valSamples.check(val)
      try Settings.testSamples.check(test)
      try Settings.pngLevel.check(pngLevel)
      try Settings.jpegQuality.check(jpegQuality)
      if let size, SyntheticDatasetConfiguration.ImageSize(parsing: size) == nil {
        throw ValidationError("--size must be WIDTHxHEIGHT in pixels, e.g. 2048x1024; got '\(size)'")
      }
      do {
        try makeConfiguration().validate()
      } catch {
        throw ValidationError(error.reason.replacingOccurrences(of: "invalid configuration: ", with: ""))
      }
    }

    func run() throws {
      let writer = SyntheticDatasetWriter(configuration: makeConfiguration())
      let progress = ProgressLine(label: "synth \(format.rawValue)")
      let clock = ContinuousClock()
      let start = clock.now
      let summary: SyntheticDatasetSummary
      do {
        summary = try writer.write { written, total in progress.update(written, total) }
      } catch {
        progress.finish()
        throw error  // a non-empty output directory is a usage error (exit 2), a failed write exit 1
      }
      progress.finish()
      let seconds = (clock.now - start) / .seconds(1)
      let rows = [["split", "samples"]] + summary.splits.map { [$0.split.rawValue, "\($0.samples)"] }
      print(formatTable(rows))
      print("\(summary) in \(String(format: "%.2f", seconds)) s → \(out.escapingControlCharacters)")
      print("label values: \(summary.labelValues.map(String.init).joined(separator: " "))")
    }

    private func makeConfiguration() -> SyntheticDatasetConfiguration {
      var configuration = SyntheticDatasetConfiguration(
        format: format, outputDirectory: out, trainCount: train, valCount: val, testCount: test,
        imageSize: size.flatMap(SyntheticDatasetConfiguration.ImageSize.init(parsing:)), seed: seed,
        pngCompressionLevel: pngLevel, jpegQuality: jpegQuality, style: style)
      configuration.overwrite = overwrite
      configuration.masks = masks
      return configuration
    }
  }
}

/// A progress line on standard error, redrawn in place when standard error is a terminal.
private final class ProgressLine {
  private let label: String
  private let interactive = isatty(STDERR_FILENO) != 0
  private var drawn = false

  init(label: String) { self.label = label }

  func update(_ written: Int, _ total: Int) {
    guard interactive else { return }
    FileHandle.standardError.write(Data("\r\(label): \(written)/\(total) samples".utf8))
    drawn = true
  }

  func finish() {
    if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
  }
}
