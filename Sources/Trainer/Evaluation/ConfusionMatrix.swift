/// Counts of (ground truth, prediction) pixel pairs, and the scores computed from them.
///
/// Rows are ground-truth classes, columns predictions. Pixels whose ground truth is the ignore
/// value are not counted. IoU of class c is `TP / (TP + FP + FN)`; a class absent from both the
/// ground truth and the predictions has no IoU and is left out of the mean, as in cityscapesScripts.
public struct ConfusionMatrix: Sendable, Equatable {
  /// The number of classes K.
  public let classes: Int
  /// `K × K` counts, row-major: `counts[truth * K + prediction]`.
  public private(set) var counts: [Int]

  /// An empty matrix for `classes` classes.
  public init(classes: Int) {
    precondition(classes >= 1, "a confusion matrix needs at least one class")
    self.classes = classes
    counts = [Int](repeating: 0, count: classes * classes)
  }

  /// Adds one image's pixels; `predictions` and `labels` are equally long train-id maps.
  ///
  /// Labels equal to `ignore` are skipped; any other label must be a class id, and every prediction
  /// of a counted pixel must be one.
  public mutating func add(predictions: [UInt8], labels: [UInt8], ignore: UInt8 = 255) {
    precondition(predictions.count == labels.count, "\(predictions.count) predictions for \(labels.count) labels")
    let k = classes
    counts.withUnsafeMutableBufferPointer { counts in
      for index in labels.indices where labels[index] != ignore {
        let truth = Int(labels[index]), predicted = Int(predictions[index])
        precondition(truth < k && predicted < k, "label \(truth) or prediction \(predicted) outside 0..<\(k)")
        counts[truth * k + predicted] += 1
      }
    }
  }

  /// Adds another matrix of the same size.
  public mutating func add(_ other: ConfusionMatrix) {
    precondition(other.classes == classes, "confusion matrices of \(classes) and \(other.classes) classes")
    for index in counts.indices { counts[index] += other.counts[index] }
  }

  /// The count of pixels of class `truth` predicted as `prediction`.
  public subscript(truth: Int, prediction: Int) -> Int { counts[truth * classes + prediction] }

  /// The number of counted (non-ignored) pixels.
  public var total: Int { counts.reduce(0, +) }

  /// Correctly classified pixels over counted pixels; 0 when nothing was counted.
  public var pixelAccuracy: Double {
    let correct = (0..<classes).reduce(0) { $0 + self[$1, $1] }
    return total == 0 ? 0 : Double(correct) / Double(total)
  }

  /// `TP / (TP + FP + FN)` of `c`, or nil when the class is in neither ground truth nor predictions.
  public func iou(of c: Int) -> Double? {
    let truePositive = self[c, c]
    let falseNegative = (0..<classes).reduce(0) { $0 + self[c, $1] } - truePositive
    let falsePositive = (0..<classes).reduce(0) { $0 + self[$1, c] } - truePositive
    let union = truePositive + falseNegative + falsePositive
    return union == 0 ? nil : Double(truePositive) / Double(union)
  }

  /// The IoU of a category, the classes `members` taken as one (cityscapesScripts'
  /// `getIouScoreForCategory`): TP counts pixels of a member class predicted as any member, FN
  /// pixels of a member predicted as another class, FP pixels of another class predicted as a
  /// member; nil when all three are 0.
  public func iou(ofCategory members: [Int]) -> Double? {
    let inCategory = Set(members)
    var truePositive = 0, falseNegative = 0, falsePositive = 0
    for truth in 0..<classes {
      for prediction in 0..<classes {
        switch (inCategory.contains(truth), inCategory.contains(prediction)) {
        case (true, true): truePositive += self[truth, prediction]
        case (true, false): falseNegative += self[truth, prediction]
        case (false, true): falsePositive += self[truth, prediction]
        case (false, false): break
        }
      }
    }
    let union = truePositive + falseNegative + falsePositive
    return union == 0 ? nil : Double(truePositive) / Double(union)
  }

  /// The mean IoU over those of `evaluated` that have an IoU; 0 when none has.
  public func meanIoU(over evaluated: [Int]) -> Double {
    Self.mean(ofPresent: evaluated.map(iou(of:)))
  }

  /// The mean of the IoUs that exist (classes or categories); 0 when none does.
  static func mean(ofPresent values: [Double?]) -> Double {
    let present = values.compactMap { $0 }
    return present.isEmpty ? 0 : present.reduce(0, +) / Double(present.count)
  }
}
