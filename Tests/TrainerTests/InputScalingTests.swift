import DanceCore
import Foundation
import NN
import Tensors
import TestSupport
import Testing
import Trainer

/// Inference at a reduced input scale, and the data-matched head from the crops really taken.
@Suite struct InputScalingTests {
  @Test func anIntegerFactorAveragesEachBlock() {
    let input = Tensor(shape: [1, 2, 4, 6], storage: (0..<48).map(Float.init))
    let output = InputScaling.areaResized(input, height: 2, width: 3)
    #expect(output.shape == [1, 2, 2, 3])
    // The top-left 2x2 block of plane 0 holds 0, 1, 6, 7.
    #expect(output.storage[0] == 3.5)
    // The bottom-right block of plane 1 holds 24+16, 24+17, 24+22, 24+23.
    #expect(output.storage[11] == 43.5)
  }

  @Test(arguments: [(7, 5, 5, 3), (360, 480, 306, 408), (9, 9, 1, 1)])
  func aFractionalFactorKeepsTheMeanAndConstants(h: Int, w: Int, outH: Int, outW: Int) {
    var generator = SplitMix(seed: 9)
    let input = Tensor(shape: [2, 3, h, w], storage: (0..<(6 * h * w)).map { _ in Float(generator.below(1000)) / 100 })
    let output = InputScaling.areaResized(input, height: outH, width: outW)
    for plane in 0..<6 {
      let source = input.storage[(plane * h * w)..<((plane + 1) * h * w)].reduce(0, +) / Float(h * w)
      let target = output.storage[(plane * outH * outW)..<((plane + 1) * outH * outW)].reduce(0, +) / Float(outH * outW)
      #expect(abs(source - target) < 1e-3 * max(1, abs(source)), "plane \(plane)")
    }
    let constant = InputScaling.areaResized(Tensor(shape: [1, 1, h, w], repeating: 2.5), height: outH, width: outW)
    #expect(constant.storage.allSatisfy { abs($0 - 2.5) < 1e-5 })
  }

  @Test func reducedInputScaleCutsTheFLOPsAndScoresAtFullLabelSize() throws {
    try withTemporaryDirectory { directory in
      let root = try Fixtures.dataset(in: directory, train: 2, val: 2, size: (96, 64))
      let validation = try TrainingData.open(root, split: .val)
      var generator = SplitMix(seed: 1)
      let model = DeepLab(DeepLabConfiguration(classes: 19, widthMultiplier: 0.25), generator: &generator)
      let full = try Evaluator.evaluate(model, on: validation, threads: 1).result
      let reduced = try Evaluator.evaluate(model, on: validation, threads: 1, inputScale: 0.5).result
      #expect(reduced.images == full.images && reduced.images == 2)
      #expect(reduced.inferenceFlopsPerImage < 0.3 * full.inferenceFlopsPerImage)
      #expect(reduced.inferenceFlopsPerImage > 0.2 * full.inferenceFlopsPerImage)
    }
  }

  @Test func theMatchedHeadFollowsTheCropsTheTrainerReallyTakes() throws {
    try withTemporaryDirectory { directory in
      // CamVid-layout samples of 240x180 with the nominal crop 512x256: the trainer crops 240x180,
      // a 12x15 feature map at output stride 16, where rate 12 (field 25) has no room.
      let root = try Fixtures.dataset(in: directory, train: 3, val: 1, size: (240, 180), format: .camvid)
      let data = try TrainingData.open(root, split: .train)
      let head = data.matchedHead(DeepLabConfiguration(classes: 11), crop: PixelSize(width: 512, height: 256))
      #expect(head.featureMap == [12, 15])
      #expect(head.configuration.asppRates == [6])
      #expect(head.configuration.classes == 11)
      let nominal = DataMatchedHead(DeepLabConfiguration(classes: 11), meanScale: 1, cropWidth: 512, cropHeight: 256)
      #expect(nominal.configuration.asppRates == [6, 12])
    }
  }
}
