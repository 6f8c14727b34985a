import ArgumentParser
import DanceCore
import Datasets
import Foundation
import Pipeline
import Trainer

extension Dance {
  /// `dance eval CKPT --data DATA`: mIoU of a trained network at full label resolution.
  struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "eval",
      abstract: "Evaluate a trained network: pixel accuracy, IoU per class and mIoU.",
      discussion: """
        Every image is run at its full resolution; the logits are upsampled bilinearly to the label size \
        and the argmax is compared with the label in a confusion matrix. Ignore pixels (255) are not \
        counted; IoU = TP / (TP + FP + FN); classes absent from both ground truth and predictions are left \
        out of the mean, as in cityscapesScripts. With --input-scale S the network sees each image downsampled \
        by S (area averaging) and its logits are upsampled to the label size: about 1 − S² fewer inference \
        FLOPs with the same network, scored at full label resolution.

        As benchmarks evaluate: --slide WxH runs the network on overlapping windows (MMSegmentation's slide \
        mode, for images larger than the training crop); --scales and --flip average the class probabilities \
        of several scales and of the mirrored image (MMSegmentation's test-time augmentation); FLOPs count \
        every pass. For Cityscapes' 19 classes the category IoU (flat, construction, object, nature, sky, \
        human, vehicle) is reported as cityscapesScripts reports it. With --save-predictions DIR \
        --label-ids the predictions are Cityscapes labelIds PNGs (<key>_prediction_labelIds.png), the \
        format of the benchmark's submissions.
        """
    )

    @Argument(help: "A checkpoint of dance train (.safetensors) or a run directory (its last.safetensors).")
    var checkpoint: String

    @Option(help: ArgumentHelp("A slimmed output directory or a dataset root.", valueName: "data"))
    var data: String

    @Option(help: "The split to evaluate: train, val or test.")
    var split: DatasetSplit = .val

    @Option(help: ArgumentHelp(
      "Write one 8-bit train-id PNG per image to DIR/<sample key>_prediction.png.",
      discussion: "DIR lies apart from DATA; a file there is replaced only when Dance wrote it (DIR/.dance-written lists it).",
      valueName: "dir"))
    var savePredictions: String?

    @Flag(help: "With --save-predictions: write Cityscapes label ids (road 7 … bicycle 33) instead of train ids.")
    var labelIds = false

    @OptionGroup var inference: InferenceOptions

    @Option(help: ArgumentHelp("A catalog recording DATA's shards (never created).", valueName: "path"))
    var catalog: String?

    @Option(parsing: .unconditional, help: "Threads of the compute engine, \(TrainingSettings.threads.helpRange). (default: all cores)")
    var threads: Int?

    @Option(parsing: .unconditional, help: "Run the network on each image downsampled by this factor, \(Settings.scale.helpRange); the prediction is still scored at full label resolution. (default: 1)")
    var inputScale: Double?

    func validate() throws {
      try TrainingSettings.threads.check(threads)
      _ = try inference.augmentation()
      if labelIds && savePredictions == nil { throw ValidationError("--label-ids applies to --save-predictions") }
      if let inputScale, !Settings.scale.allows(inputScale) {
        throw ValidationError("--input-scale must be \(Settings.scale.requirement), got \(NumericSetting.format(inputScale))")
      }
    }

    @Flag(help: """
      Print the result as JSON, scores as fractions (0…1, not %): miou_fraction, pixel_accuracy_fraction, \
      per_class_iou_fraction, images, inference_flops_per_image, inference, and for Cityscapes \
      per_category_iou_fraction and category_miou_fraction.
      """)
    var json = false

    @OptionGroup var layout: LayoutOptions

    func run() throws {
      let model = try TrainedModel.load(checkpoint)
      let discovery: DiscoveryOptions
      do { discovery = try layout.discoveryOptions() } catch { throw TrainerError.invalidConfiguration(path: data, reason: "\(error)") }
      let evaluated = try TrainingData.open(data, split: split, catalogPath: catalog, discovery: discovery)
      guard evaluated.labelSpace.id == model.labelSpace.id else {
        throw TrainerError.invalidConfiguration(
          path: data, reason: "labels are \(evaluated.labelSpace.id), the network was trained on \(model.labelSpace.id)")
      }
      let classOrder = evaluated.labelSpace.evaluatedClasses.map { evaluated.labelSpace.classes[$0].name }
      let categoryOrder = evaluated.labelSpace.categories.map(\.name)
      if labelIds, let problem = CityscapesLabelIds.problem(space: model.labelSpace) {
        throw TrainerError.invalidConfiguration(path: checkpoint, reason: problem)
      }
      let predictions = try savePredictions.map { directory throws(TrainerError) in
        try PredictionFiles.forSamples(evaluated.entries.map(\.key), in: directory, inputs: [data], labelIds: labelIds)
      }
      let augmentation: TestTimeAugmentation
      do { augmentation = try inference.augmentation() } catch { throw TrainerError.invalidConfiguration(path: data, reason: "\(error)") }
      setEngineThreads(threads)
      let live = !json && isatty(STDERR_FILENO) == 1
      let result = try Evaluator.evaluate(
        model.network, on: evaluated, normalization: model.normalization, inputScale: inputScale ?? 1, augmentation: augmentation,
        savePredictions: predictions,
        progress: live ? { done, total in FileHandle.standardError.write(Data("\r  eval \(done)/\(total)".utf8)) } : nil
      ).result
      if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
      if json {
        try printJSON(result)
      } else {
        // Label-space order; a class in neither ground truth nor predictions has no IoU and is left out.
        var rows = [["class", "IoU %"]]
        for name in classOrder {
          if let iou = result.perClass[name] ?? nil { rows.append([name, String(format: "%.1f", iou * 100)]) }
        }
        print(formatTable(rows))
        if let categories = result.perCategory, let mean = result.categoryMIoU {
          // Categories in the label space's order, as cityscapesScripts prints them; like a class, a
          // category in neither ground truth nor predictions has no IoU and is left out.
          print(formatTable([["category", "IoU %"]] + categoryOrder.compactMap { name in
            (categories[name] ?? nil).map { [name, String(format: "%.1f", $0 * 100)] }
          }))
          print(String(format: "category mIoU %.2f %%", mean * 100))
        }
        print(counted(result.images, "image") + " (\(result.inference))"
          + String(format: ": mIoU %.2f %%, pixel accuracy %.2f %%, %.2f GFLOPs per image",
                   result.miou * 100, result.pixelAccuracy * 100, result.inferenceFlopsPerImage / 1e9))
      }
      for failure in result.failures { printError("\(failure.path): \(failure.reason)") }
      if !result.failures.isEmpty { throw ExitCode(ExitStatus.partialFailure) }
    }
  }
}
