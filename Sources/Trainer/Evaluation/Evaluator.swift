import Datasets
import Foundation
import ImageCodecs
public import NN
import Tensors

/// The scores of a network on one split, as `dance eval --json` prints them: fractions, each key
/// naming its unit (`miou_fraction`).
public struct EvaluationResult: Codable, Sendable, Equatable {
  /// Mean IoU over the evaluated classes that occur in ground truth or predictions (a fraction).
  public var miou: Double
  /// Correct pixels over non-ignored pixels (a fraction).
  public var pixelAccuracy: Double
  /// IoU (a fraction) per evaluated class name; null for a class in neither ground truth nor
  /// predictions.
  public var perClass: [String: Double?]
  /// Images evaluated.
  public var images: Int
  /// Forward FLOPs per image at the evaluation resolution (mean over images; a multiply-add is 2).
  public var inferenceFlopsPerImage: Double
  /// Samples that could not be loaded.
  public var failures: [SampleFailure]

  enum CodingKeys: String, CodingKey {
    case images, failures
    case miou = "miou_fraction"
    case pixelAccuracy = "pixel_accuracy_fraction"
    case perClass = "per_class_iou_fraction"
    case inferenceFlopsPerImage = "inference_flops_per_image"
  }

  /// Encodes every class, with null for classes without an IoU.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(miou, forKey: .miou)
    try container.encode(pixelAccuracy, forKey: .pixelAccuracy)
    try container.encode(images, forKey: .images)
    try container.encode(inferenceFlopsPerImage, forKey: .inferenceFlopsPerImage)
    try container.encode(failures, forKey: .failures)
    var classes = container.nestedContainer(keyedBy: ClassKey.self, forKey: .perClass)
    for name in perClass.keys.sorted() {
      if let value = perClass[name] ?? nil { try classes.encode(value, forKey: ClassKey(name)) }
      else { try classes.encodeNil(forKey: ClassKey(name)) }
    }
  }

  private struct ClassKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }
}

/// Evaluates a network at full label resolution: confusion matrix, pixel accuracy, IoU per class, mIoU.
public enum Evaluator {
  /// Runs `model` over every sample of `data` (decoded on `threads` background threads).
  ///
  /// - Parameters:
  ///   - inputScale: run the network on each image downsampled by this factor in (0, 1]
  ///     (``InputScaling``) and upsample its logits to the label's size; FLOPs are counted at the
  ///     reduced size.
  ///   - savePredictions: where to write one 8-bit train-id PNG per image, `<key>_prediction.png`
  ///     (``PredictionFiles/forSamples(_:in:inputs:)``, planned and checked before the run).
  ///   - progress: called after each image with (done, total).
  /// - Throws: ``TrainerError/io(path:reason:)`` when a prediction cannot be written.
  public static func evaluate(
    _ model: DeepLab, on data: TrainingData, normalization: InputNormalization = .imagenet, threads: Int = 2,
    inputScale: Double = 1, savePredictions: PredictionFiles? = nil, progress: ((Int, Int) -> Void)? = nil
  ) throws(TrainerError) -> (result: EvaluationResult, confusion: ConfusionMatrix) {
    precondition(inputScale > 0 && inputScale <= 1, "the input scale must be in (0, 1]")
    let space = data.labelSpace
    var confusion = ConfusionMatrix(classes: space.classes.count)
    let plan = data.entries.enumerated().map { index, entry in
      PlannedBatch(index: index, scale: entry.scale, cropWidth: entry.width, cropHeight: entry.height,
                   items: [PlannedItem(sample: index, x: 0, y: 0, flip: false)])
    }
    let loader = DataLoader(data: data, plan: plan, threads: threads, prefetch: 2, normalization: normalization)
    defer { loader.close() }
    var failures = data.leftOut, flops = 0.0, images = 0
    var flopsBySize: [[Int]: Int] = [:]
    while let batch = loader.next() {
      failures += batch.failures
      guard batch.count == 1 else { progress?(batch.index + 1, plan.count); continue }
      let h = batch.images.shape[2], w = batch.images.shape[3]
      let input = InputScaling.areaResized(
        batch.images, height: InputScaling.scaledLength(h, scale: inputScale), width: InputScaling.scaledLength(w, scale: inputScale))
      let predicted = Inference.argmax(Inference.logits(model, input: input, height: h, width: w))[0]
      confusion.add(predictions: predicted.samples, labels: batch.labels.map { UInt8(truncatingIfNeeded: $0) },
                    ignore: LabelSpace.ignoreValue)
      let shape = input.shape
      if flopsBySize[shape] == nil { flopsBySize[shape] = model.forwardFLOPs(inputShape: shape) }
      flops += Double(flopsBySize[shape]!)
      images += 1
      try savePredictions?.writeLabels(predicted, to: PredictionFiles.prediction(forKey: batch.keys[0]))
      progress?(batch.index + 1, plan.count)
    }
    var perClass: [String: Double?] = [:]
    for c in space.evaluatedClasses { perClass[space.classes[c].name] = confusion.iou(of: c) }
    let result = EvaluationResult(
      miou: confusion.meanIoU(over: space.evaluatedClasses), pixelAccuracy: confusion.pixelAccuracy, perClass: perClass,
      images: images, inferenceFlopsPerImage: images == 0 ? 0 : flops / Double(images), failures: failures)
    return (result, confusion)
  }
}
