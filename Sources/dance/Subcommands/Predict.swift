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
        blended half and half with those colours), at the image's own size. Every output is checked before \
        the network runs: none may be an input or share a name with another (x/k.png and y/k.png would), and \
        a file already in DIR is replaced only when Dance wrote it (DIR/.dance-written lists it).
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
      // Every output is planned and checked before anything is loaded or written (exit 2 when refused).
      let (files, outputs) = try PredictionFiles.forImages(images, in: out)
      let model: TrainedModel
      do throws(TrainerError) { model = try TrainedModel.load(checkpoint) } catch { throw RunFailure(underlying: error) }
      setEngineThreads(threads)
      let decoder = ImageDecoder()
      var failed = 0
      for (path, output) in zip(images, outputs) {
        do throws(TrainerError) {
          let decoded: DecodedFile
          do throws(ImageCodecError) { decoded = try decoder.decode(contentsOf: path) } catch {
            throw TrainerError.invalidSample(path: error.source, reason: error.reason)
          }
          guard case .uint8(let image) = decoded.image else {
            throw TrainerError.invalidSample(path: path, reason: "16-bit images are not supported")
          }
          let labels = Inference.predict(model.network, image: image, normalization: model.normalization)
          try files.writeLabels(labels, to: output.trainIds)
          try files.writeImage(LabelColors.colorize(labels, space: model.labelSpace), to: output.color)
          try files.writeImage(LabelColors.overlay(image, labels: labels, space: model.labelSpace, opacity: opacity), to: output.overlay)
          print("\(path): \(image.width)x\(image.height) → \(out)/\(output.overlay)")
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
