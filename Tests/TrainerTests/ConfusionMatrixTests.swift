import Testing
@testable import Trainer

@Suite struct ConfusionMatrixTests {
  /// Three classes, one ignored pixel. Ground truth and predictions:
  ///   truth      0 0 0 1 1 2 2 255
  ///   prediction 0 0 1 1 2 2 0 1
  /// Class 0: TP 2, FN 1 (→1), FP 1 (2→0): IoU 2/4. Class 1: TP 1, FN 1, FP 1: 1/3.
  /// Class 2: TP 1, FN 1, FP 1: 1/3. Pixel accuracy 4/7. mIoU (1/2 + 1/3 + 1/3) / 3 = 7/18.
  @Test func handComputedScores() {
    var matrix = ConfusionMatrix(classes: 3)
    matrix.add(predictions: [0, 0, 1, 1, 2, 2, 0, 1], labels: [0, 0, 0, 1, 1, 2, 2, 255])
    #expect(matrix.total == 7)
    #expect(matrix[0, 1] == 1 && matrix[2, 0] == 1)
    #expect(matrix.iou(of: 0) == 0.5)
    #expect(abs(matrix.iou(of: 1)! - 1.0 / 3) < 1e-12)
    #expect(abs(matrix.pixelAccuracy - 4.0 / 7) < 1e-12)
    #expect(abs(matrix.meanIoU(over: [0, 1, 2]) - 7.0 / 18) < 1e-12)
  }

  /// A class in neither ground truth nor predictions has no IoU and is left out of the mean; a class
  /// only predicted has IoU 0 and counts.
  @Test func absentClassesAreLeftOutOfTheMean() {
    var matrix = ConfusionMatrix(classes: 4)
    matrix.add(predictions: [0, 0, 3, 1], labels: [0, 0, 1, 1])
    #expect(matrix.iou(of: 2) == nil)
    #expect(matrix.iou(of: 3) == 0)
    #expect(matrix.iou(of: 0) == 1)
    #expect(matrix.iou(of: 1) == 0.5)
    #expect(abs(matrix.meanIoU(over: [0, 1, 2, 3]) - 1.5 / 3) < 1e-12)
    #expect(abs(matrix.meanIoU(over: [0, 1]) - 0.75) < 1e-12)
  }

  /// The one mean behind class and category mIoU: IoUs that do not exist are left out, none gives 0.
  @Test(arguments: [([0.5, nil, 1.0], 0.75), ([nil, nil], 0), ([], 0), ([0.0, 1.0 / 3], 1.0 / 6)] as [([Double?], Double)])
  func theMeanLeavesOutMissingIoUs(values: [Double?], mean: Double) {
    #expect(abs(ConfusionMatrix.mean(ofPresent: values) - mean) < 1e-12)
  }

  @Test func ignoredPixelsDoNotCountAndMatricesAdd() {
    var a = ConfusionMatrix(classes: 2)
    a.add(predictions: [1, 1, 0], labels: [255, 255, 0])
    var b = ConfusionMatrix(classes: 2)
    b.add(predictions: [1], labels: [1])
    a.add(b)
    #expect(a.total == 2 && a.pixelAccuracy == 1 && a.meanIoU(over: [0, 1]) == 1)
    #expect(ConfusionMatrix(classes: 2).meanIoU(over: [0, 1]) == 0)
  }
}
