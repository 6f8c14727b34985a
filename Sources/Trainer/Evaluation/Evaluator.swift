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
  /// IoU (a fraction) per category (cityscapesScripts' category IoU, for a label space with
  /// categories such as Cityscapes'); null for a category in neither ground truth nor predictions;
  /// nil without categories.
  public var perCategory: [String: Double?]?
  /// The mean of ``perCategory`` over the categories that have an IoU (a fraction); nil without categories.
  public var categoryMIoU: Double?
  /// How the network ran over each image (`whole`, or the sliding window, scales and flips).
  public var inference = TestTimeAugmentation.none.description
  /// Images evaluated.
  public var images: Int
  /// Forward FLOPs per image at the evaluation resolution (mean over images; a multiply-add is 2).
  public var inferenceFlopsPerImage: Double
  /// Samples that could not be loaded.
  public var failures: [SampleFailure]

  enum CodingKeys: String, CodingKey {
    case images, failures, inference
    case miou = "miou_fraction"
    case pixelAccuracy = "pixel_accuracy_fraction"
    case perClass = "per_class_iou_fraction"
    case perCategory = "per_category_iou_fraction"
    case categoryMIoU = "category_miou_fraction"
    case inferenceFlopsPerImage = "inference_flops_per_image"
  }

  /// Creates a result (without categories, for a whole-image pass unless `inference` says otherwise).
  public init(
    miou: Double, pixelAccuracy: Double, perClass: [String: Double?], perCategory: [String: Double?]? = nil,
    categoryMIoU: Double? = nil, images: Int, inferenceFlopsPerImage: Double, failures: [SampleFailure],
    inference: String = TestTimeAugmentation.none.description
  ) {
    self.miou = miou
    self.pixelAccuracy = pixelAccuracy
    self.perClass = perClass
    self.perCategory = perCategory
    self.categoryMIoU = categoryMIoU
    self.images = images
    self.inferenceFlopsPerImage = inferenceFlopsPerImage
    self.failures = failures
    self.inference = inference
  }

  /// Decodes a result; categories and the inference mode are absent from older reports.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    miou = try container.decode(Double.self, forKey: .miou)
    pixelAccuracy = try container.decode(Double.self, forKey: .pixelAccuracy)
    perClass = try container.decode([String: Double?].self, forKey: .perClass)
    perCategory = try container.decodeIfPresent([String: Double?].self, forKey: .perCategory)
    categoryMIoU = try container.decodeIfPresent(Double.self, forKey: .categoryMIoU)
    images = try container.decode(Int.self, forKey: .images)
    inferenceFlopsPerImage = try container.decode(Double.self, forKey: .inferenceFlopsPerImage)
    failures = try container.decode([SampleFailure].self, forKey: .failures)
    inference = try container.decodeIfPresent(String.self, forKey: .inference) ?? TestTimeAugmentation.none.description
  }

  /// Encodes every class, with null for classes without an IoU.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(miou, forKey: .miou)
    try container.encode(pixelAccuracy, forKey: .pixelAccuracy)
    try container.encode(images, forKey: .images)
    try container.encode(inferenceFlopsPerImage, forKey: .inferenceFlopsPerImage)
    try container.encode(failures, forKey: .failures)
    try container.encode(inference, forKey: .inference)
    try Self.encode(perClass, in: &container, forKey: .perClass)
    if let perCategory {
      try Self.encode(perCategory, in: &container, forKey: .perCategory)
      try container.encode(categoryMIoU, forKey: .categoryMIoU)
    }
  }

  /// Every name's IoU, with null where there is none.
  private static func encode(
    _ scores: [String: Double?], in container: inout KeyedEncodingContainer<CodingKeys>, forKey key: CodingKeys
  ) throws {
    var nested = container.nestedContainer(keyedBy: ClassKey.self, forKey: key)
    for name in scores.keys.sorted() {
      if let value = scores[name] ?? nil { try nested.encode(value, forKey: ClassKey(name)) } else { try nested.encodeNil(forKey: ClassKey(name)) }
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
  ///   - augmentation: how the network runs over each image (``TestTimeAugmentation``); FLOPs count
  ///     every pass.
  ///   - savePredictions: where to write one PNG per image (``PredictionFiles/forSamples(_:in:inputs:labelIds:)``,
  ///     planned and checked before the run).
  ///   - progress: called after each image with (done, total).
  /// - Throws: ``TrainerError/io(path:reason:)`` when a prediction cannot be written.
  public static func evaluate(
    _ model: DeepLab, on data: TrainingData, normalization: InputNormalization = .imagenet, threads: Int = 2,
    inputScale: Double = 1, augmentation: TestTimeAugmentation = .none, savePredictions: PredictionFiles? = nil,
    progress: ((Int, Int) -> Void)? = nil
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
      let (scores, passes) = Inference.scores(model, input: input, height: h, width: w, augmentation: augmentation)
      let predicted = Inference.argmax(scores)[0]
      confusion.add(predictions: predicted.samples, labels: batch.labels.map { UInt8(truncatingIfNeeded: $0) },
                    ignore: LabelSpace.ignoreValue)
      for shape in passes {
        if flopsBySize[shape] == nil { flopsBySize[shape] = model.forwardFLOPs(inputShape: shape) }
        flops += Double(flopsBySize[shape]!)
      }
      images += 1
      try savePredictions?.writePrediction(predicted, forKey: batch.keys[0])
      progress?(batch.index + 1, plan.count)
    }
    var perClass: [String: Double?] = [:]
    for c in space.evaluatedClasses { perClass[space.classes[c].name] = confusion.iou(of: c) }
    var perCategory: [String: Double?]?
    var categoryMIoU: Double?
    if !space.categories.isEmpty {
      let scores = space.categories.map { ($0.name, confusion.iou(ofCategory: $0.trainIds)) }
      perCategory = Dictionary(uniqueKeysWithValues: scores)
      categoryMIoU = ConfusionMatrix.mean(ofPresent: scores.map(\.1))
    }
    let result = EvaluationResult(
      miou: confusion.meanIoU(over: space.evaluatedClasses), pixelAccuracy: confusion.pixelAccuracy, perClass: perClass,
      perCategory: perCategory, categoryMIoU: categoryMIoU, images: images,
      inferenceFlopsPerImage: images == 0 ? 0 : flops / Double(images), failures: failures, inference: augmentation.description)
    return (result, confusion)
  }
}
