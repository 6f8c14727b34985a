import DanceCore
import NN
import Tensors
import TestSupport
import Testing

/// What a training step leaves behind: after ``Layer/discardForwardCache()`` no layer may keep a
/// step's activations, so memory retained between steps does not depend on the step count, and
/// discarding must not change what training computes.
@Suite struct ForwardCacheTests {
  /// A small DeepLab with every cached layer kind: max pool, dropout, ASPP gates, image pooling.
  private static func model(seed: UInt64) -> DeepLab {
    var generator = SplitMix(seed: seed)
    var configuration = DeepLabConfiguration(classes: 3, widthMultiplier: 0.125, outputStride: 8, asppRates: [2],
                                             asppImagePooling: true, dropout: 0.1)
    configuration.asppGates = true
    return DeepLab(configuration, generator: &generator)
  }

  private static let labels: [Int32] = (0..<768).map { (index: Int) -> Int32 in index % 7 == 0 ? 255 : Int32(index % 3) }

  /// Runs `steps` SGD steps on one batch; returns the losses and, per step, the cache bytes after
  /// the backward pass and after discarding (nil when `discarding` is false).
  private static func train(_ model: DeepLab, steps: Int, discarding: Bool) -> (losses: [Float], kept: [Int], left: [Int?]) {
    let input = randomTensor([2, 3, 16, 24], seed: 5)
    let optimizer = SGD(parameters: model.parameters, learningRate: 0.01, momentum: 0.9)
    var loss = SoftmaxCrossEntropy()
    var losses: [Float] = [], kept: [Int] = [], left: [Int?] = []
    for step in 0..<steps {
      model.reseedDropout(UInt64(step))
      optimizer.zeroGrad()
      losses.append(loss.forward(logits: model.forward(input), labels: labels))
      _ = model.backward(loss.backward())
      kept.append(model.forwardCacheBytes)
      if discarding {
        model.discardForwardCache()
        loss.discardForwardCache()
        left.append(model.forwardCacheBytes)
      } else {
        left.append(nil)
      }
      optimizer.step()
    }
    return (losses, kept, left)
  }

  @Test func discardingLeavesNoActivationsBetweenSteps() {
    let model = Self.model(seed: 3)
    let run = Self.train(model, steps: 4, discarding: true)
    #expect(run.kept.allSatisfy { $0 > 0 })
    // What a step keeps for its backward pass is the same at every step: nothing accumulates.
    #expect(Set(run.kept).count == 1, "cache bytes per step \(run.kept)")
    #expect(run.left.allSatisfy { $0 == 0 }, "bytes left after discarding \(run.left)")
    let leftovers = model.leaves.filter { $0.forwardCacheBytes != 0 }.map { String(describing: type(of: $0)) }
    #expect(leftovers.isEmpty, "layers still holding a forward cache: \(leftovers)")
  }

  @Test func discardingDoesNotChangeTraining() {
    let kept = Self.model(seed: 3), discarded = Self.model(seed: 3)
    let withCaches = Self.train(kept, steps: 3, discarding: false)
    let without = Self.train(discarded, steps: 3, discarding: true)
    #expect(withCaches.losses == without.losses)
    for (a, b) in zip(kept.parameters, discarded.parameters) { #expect(a.value.storage == b.value.storage) }
  }

  /// Each leaf kind with a cache reports it after a forward pass and forgets it.
  @Test func everyCachingLeafForgets() {
    var generator = SplitMix(seed: 9)
    let leaves: [any Layer] = [
      Conv2d(2, 3, kernelSize: 3, padding: 1, generator: &generator), BatchNorm2d(2), ReLU(), MaxPool2d(kernelSize: 2),
      Dropout(probability: 0.5),
    ]
    let input = randomTensor([2, 2, 4, 4], seed: 4)
    for leaf in leaves {
      _ = leaf.forward(input)
      #expect(leaf.forwardCacheBytes > 0, "\(type(of: leaf)) reports no cache after a forward pass")
      leaf.discardForwardCache()
      #expect(leaf.forwardCacheBytes == 0, "\(type(of: leaf)) keeps \(leaf.forwardCacheBytes) bytes after discarding")
    }
  }
}
