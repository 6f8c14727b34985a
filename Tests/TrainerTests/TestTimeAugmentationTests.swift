import DanceCore
import Datasets
import Foundation
import ImageCodecs
import NN
import Tensors
import TestSupport
import Testing
@testable import Trainer

/// Evaluation as benchmarks run it: MMSegmentation's sliding windows, flip and multi-scale
/// test-time augmentation, Cityscapes' category IoU and label ids.
@Suite struct TestTimeAugmentationTests {
  static func network(classes: Int = 5) -> DeepLab {
    var configuration = DeepLabConfiguration(widthMultiplier: 0.25)
    configuration.classes = classes
    var generator = SplitMix(seed: 4)
    let model = DeepLab(configuration, generator: &generator)
    model.isTraining = false
    return model
  }

  static func input(height: Int, width: Int) -> Tensor {
    var generator = SplitMix(seed: 9)
    return Tensor.randomNormal(shape: [1, 3, height, width], using: &generator)
  }

  /// MMSegmentation's grid for H = 100, window 40, stride 26: ⌈60 / 26⌉ + 1 = 4 rows at 0, 26, 52,
  /// and 78 moved back to 60; a window larger than the image is the image.
  @Test func windowsArePlacedAsMMSegmentationPlacesThem() {
    let boxes = Inference.windows(height: 100, width: 30, window: PixelSize(width: 40, height: 40), stride: PixelSize(width: 26, height: 26))
    #expect(boxes.map(\.top) == [0, 26, 52, 60])
    #expect(boxes.allSatisfy { $0.left == 0 && $0.width == 30 && $0.height == 40 })
    #expect(TestTimeAugmentation(window: PixelSize(width: 1024, height: 512)).effectiveStride == PixelSize(width: 682, height: 341))
  }

  @Test func oneWindowOverTheWholeImageIsTheWholeImagePass() {
    let model = Self.network(), input = Self.input(height: 32, width: 48)
    let plain = Inference.scores(model, input: input, height: 32, width: 48, augmentation: .none)
    let slide = TestTimeAugmentation(window: PixelSize(width: 64, height: 64))
    var passes: [[Int]] = []
    let windowed = Inference.windowedLogits(model, input: input, slide, passes: &passes)
    #expect(windowed == plain.scores)
  }

  @Test func overlappingWindowsAverageTheirLogits() {
    let model = Self.network(), input = Self.input(height: 32, width: 48)
    let augmentation = TestTimeAugmentation(window: PixelSize(width: 32, height: 32), stride: PixelSize(width: 16, height: 16))
    var passes: [[Int]] = []
    let windowed = Inference.windowedLogits(model, input: input, augmentation, passes: &passes)
    #expect(passes == [[1, 3, 32, 32], [1, 3, 32, 32]])  // left 0 and 16
    let left = Inference.logits(model, input: Inference.cropped(input, top: 0, left: 0, height: 32, width: 32), height: 32, width: 32)
    let right = Inference.logits(model, input: Inference.cropped(input, top: 0, left: 16, height: 32, width: 32), height: 32, width: 32)
    for (x, expected) in [(3, left[0, 2, 5, 3]), (20, (left[0, 2, 5, 20] + right[0, 2, 5, 4]) / 2), (40, right[0, 2, 5, 24])] {
      #expect(abs(windowed[0, 2, 5, x] - expected) < 1e-5, "column \(x)")
    }
  }

  @Test func flipAndScalesAverageTheProbabilitiesOfEveryPass() {
    let model = Self.network(), input = Self.input(height: 32, width: 32)
    let augmentation = TestTimeAugmentation(scales: [1, 0.5], flip: true)
    let (scores, passes) = Inference.scores(model, input: input, height: 32, width: 32, augmentation: augmentation)
    #expect(passes == [[1, 3, 32, 32], [1, 3, 32, 32], [1, 3, 16, 16], [1, 3, 16, 16]])
    let mirror = Inference.mirroredHorizontally
    let half = BilinearUpsample().forward(input, height: 16, width: 16)
    let full = { (x: Tensor) in BilinearUpsample().forward(Inference.logits(model, input: x, height: 16, width: 16), height: 32, width: 32) }
    let parts = [
      Inference.logits(model, input: input, height: 32, width: 32),
      mirror(Inference.logits(model, input: mirror(input), height: 32, width: 32)),
      full(half), mirror(full(mirror(half))),
    ].map(Inference.softmaxOverClasses)
    for (c, y, x) in [(0, 0, 0), (3, 17, 30), (4, 31, 5)] {
      let expected = parts.map { $0[0, c, y, x] }.reduce(0, +) / 4
      #expect(abs(scores[0, c, y, x] - expected) < 1e-5)
    }
    var total: Float = 0
    for c in 0..<5 { total += scores[0, c, 7, 7] }
    #expect(abs(total - 1) < 1e-5, "probabilities sum to 1")
  }

  @Test func settingsAreCheckedAndDescribed() {
    #expect(TestTimeAugmentation(scales: [0]).problem != nil)
    #expect(TestTimeAugmentation(scales: [5]).problem != nil)
    #expect(TestTimeAugmentation(stride: PixelSize(width: 2, height: 2)).problem == "--stride needs --slide")
    #expect(TestTimeAugmentation(window: PixelSize(width: 8, height: 8), stride: PixelSize(width: 9, height: 8)).problem != nil)
    #expect(TestTimeAugmentation(window: PixelSize(width: 96, height: 48), scales: [0.5, 1], flip: true).description
      == "slide 96x48 every 64x32, scales 0.5,1.0, flip")
    #expect(TestTimeAugmentation.none.isPlain && TestTimeAugmentation.none.description == "whole")
  }

  /// Categories of Cityscapes' train ids, and cityscapesScripts' category IoU on a hand-made matrix:
  /// truth 0 0 2 5 11 12, prediction 1 2 2 6 12 0: flat TP 1 (0→1), FN 1 (0→2), FP 1 (12→0): 1/3.
  @Test func cityscapesCategoriesAndTheirIoU() throws {
    let categories = LabelSpace.cityscapes.categories
    #expect(categories.map(\.name) == ["flat", "construction", "object", "nature", "sky", "human", "vehicle"])
    #expect(categories.map(\.trainIds) == [[0, 1], [2, 3, 4], [5, 6, 7], [8, 9], [10], [11, 12], [13, 14, 15, 16, 17, 18]])
    var matrix = ConfusionMatrix(classes: 19)
    matrix.add(predictions: [1, 2, 2, 6, 12, 0], labels: [0, 0, 2, 5, 11, 12])
    #expect(try #require(matrix.iou(ofCategory: [0, 1])) == 1.0 / 3)
    #expect(matrix.iou(ofCategory: [5, 6, 7]) == 1)
    #expect(matrix.iou(ofCategory: [11, 12]) == 0.5)
    #expect(matrix.iou(ofCategory: [10]) == nil)
    #expect(LabelSpace.camvid.categories.isEmpty)
  }

  /// Train ids as Cityscapes label ids, cityscapesScripts' table (formats.md §A1): the first label
  /// in list order with each train id.
  @Test func labelIdsFollowCityscapesScriptsTable() {
    let trainIds = Image8(width: 20, height: 1, channels: 1, samples: (0..<19).map(UInt8.init) + [255])
    #expect(CityscapesLabelIds.labelIds(of: trainIds).samples
      == [7, 8, 11, 12, 13, 17, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 31, 32, 33, 0])
    #expect(CityscapesLabelIds.problem(space: .cityscapes) == nil && CityscapesLabelIds.problem(space: .camvid) != nil)
  }
}
