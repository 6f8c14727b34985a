import ArgumentParser
import Foundation
import Pipeline
import ImageCodecs
import Tensors
import Trainer

extension Dance {
  /// `dance predict CKPT IMAGE… --out DIR`: train-id maps and colour overlays for any images.
  struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Segment images with a trained network: train-id PNGs and colour overlays.",
      discussion: """
        For each IMAGE it writes DIR/<name>_trainIds.png (8-bit gray train ids), DIR/<name>_color.png (the \
        label space's palette, e.g. Cityscapes' official colours) and DIR/<name>_overlay.png (the image \
        blended half and half with those colours), at the image's own size.
        """
    )

    @Argument(help: "A checkpoint of dance train (.safetensors) or a run directory (its last.safetensors).")
    var checkpoint: String

    @Argument(help: "PNG or JPEG images.")
    var images: [String]

    @Option(help: ArgumentHelp("Output directory (created).", valueName: "dir"))
    var out: String

    @Option(parsing: .unconditional, help: "Opacity of the class colours in the overlay, 0 to 1.")
    var opacity = 0.5

    @Option(parsing: .unconditional, help: "Threads of the compute engine, \(Settings.threads.helpRange). (default: all cores)")
    var threads: Int?

    func validate() throws {
      guard (0...1).contains(opacity) else { throw ValidationError("--opacity must be between 0 and 1, got \(opacity)") }
      try Settings.threads.check(threads)
    }

    func run() throws {
      let model: TrainedModel
      do throws(TrainerError) { model = try TrainedModel.load(checkpoint) } catch { throw RunFailure(underlying: error) }
      setEngineThreads(threads)
      let decoder = ImageDecoder()
      var failed = 0
      for path in images {
        do throws(TrainerError) {
          let decoded: DecodedFile
          do throws(ImageCodecError) { decoded = try decoder.decode(contentsOf: path) } catch {
            throw TrainerError.invalidSample(path: error.source, reason: error.reason)
          }
          guard case .uint8(let image) = decoded.image else {
            throw TrainerError.invalidSample(path: path, reason: "16-bit images are not supported")
          }
          let labels = Inference.predict(model.network, image: image, normalization: model.normalization)
          let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
          let base = out + "/" + stem
          try writeLabelPNG(labels, to: base + "_trainIds.png")
          try writePNG(LabelColors.colorize(labels, space: model.labelSpace), to: base + "_color.png")
          try writePNG(LabelColors.overlay(image, labels: labels, space: model.labelSpace, opacity: opacity), to: base + "_overlay.png")
          print("\(path): \(image.width)x\(image.height) → \(base)_overlay.png")
        } catch {
          printError(error.description)
          failed += 1
        }
      }
      if failed > 0 { throw ExitCode(failed == images.count ? ExitStatus.failure : ExitStatus.partialFailure) }
    }
  }
}

/// Sets the compute engine's thread count (default: all cores).
func setEngineThreads(_ threads: Int?) {
  BLASThreads.set(max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
}
