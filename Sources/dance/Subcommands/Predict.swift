import ArgumentParser
import DanceCore
import Foundation
import Pipeline
import ImageCodecs
import Tensors
import Trainer

extension Dance {
  /// `dance predict CKPT IMAGE… --out DIR`: train-id maps and colour overlays for any images.
  struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Segment images with a trained network: train-id PNGs and colour overlays with a class legend.",
      discussion: """
        For each IMAGE it writes DIR/<name>_trainIds.png (8-bit gray train ids), DIR/<name>_color.png (the \
        label space's palette, e.g. Cityscapes' official colours) and DIR/<name>_overlay.png (the image \
        blended half and half with those colours, at the image's own size, with a legend to its right: each \
        predicted class's colour, name and share of the image, most pixels first), and prints every file it \
        writes. Every output is checked before \
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

    @Option(parsing: .unconditional, help: "Threads of the compute engine, \(TrainingSettings.threads.helpRange). (default: all cores)")
    var threads: Int?

    @Flag(help: "Also write DIR/<name>_labelIds.png: Cityscapes label ids (road 7 … bicycle 33), the benchmark's submission format.")
    var labelIds = false

    @Flag(help: "Also write DIR/<name>_logits.npy: the class scores the prediction is the argmax of (float32, K×H×W, NumPy's format).")
    var logits = false

    @OptionGroup var inference: InferenceOptions

    func validate() throws {
      guard (0...1).contains(opacity) else { throw ValidationError("--opacity must be between 0 and 1, got \(opacity)") }
      try TrainingSettings.threads.check(threads)
      _ = try inference.augmentation()
    }

    func run() throws {
      // Every output is planned and checked before anything is loaded or written (exit 2 when refused).
      let (files, outputs) = try PredictionFiles.forImages(images, in: out, labelIds: labelIds, logits: logits)
      let model: TrainedModel
      do throws(TrainerError) { model = try TrainedModel.load(checkpoint) } catch { throw RunFailure(underlying: error) }
      if labelIds, let problem = CityscapesLabelIds.problem(space: model.labelSpace) { throw ValidationError(problem) }
      let augmentation = try inference.augmentation()
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
          let scores = Inference.scores(model.network, image: image, normalization: model.normalization, augmentation: augmentation)
          let labels = Inference.argmax(scores)[0]
          try files.writeLabels(labels, to: output.trainIds)
          try files.writeImage(LabelColors.colorize(labels, space: model.labelSpace), to: output.color)
          let overlay = LabelColors.overlay(image, labels: labels, space: model.labelSpace, opacity: opacity)
          let classes = LabelLegend.entries(labels, space: model.labelSpace)
          try files.writeImage(LabelLegend.beside(overlay, entries: classes, space: model.labelSpace), to: output.overlay)
          if let path = output.labelIds { try files.writeLabels(CityscapesLabelIds.labelIds(of: labels), to: path) }
          if let path = output.logits { try files.writeScores(scores, to: path) }
          print("\(path): \(image.width)x\(image.height), \(counted(classes.count, "class", plural: "classes")) (\(classes.prefix(3).map(\.text).joined(separator: ", "))"
            + "\(classes.count > 3 ? ", …" : ""))".escapingControlCharacters)
          for file in output.all { print("  wrote \(out)/\(file)".escapingControlCharacters) }
        } catch {
          printError(error.description)
          failed += 1
        }
      }
      print("recorded in \(out)/\(WrittenFiles.fileName) (the files Dance wrote here)".escapingControlCharacters)
      if failed > 0 { throw ExitCode(failed == images.count ? ExitStatus.failure : ExitStatus.partialFailure) }
    }
  }
}

/// Sets the compute engine's thread count (default: all cores).
func setEngineThreads(_ threads: Int?) {
  BLASThreads.set(max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
}
