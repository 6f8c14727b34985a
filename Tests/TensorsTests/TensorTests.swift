import DanceCore
import Tensors
import TestSupport
import Testing

@Suite struct TensorTests {
  @Test func subscriptUsesNCHWLayout() {
    var t = Tensor(shape: [2, 3, 4, 5])
    t[1, 2, 3, 4] = 7
    t[0, 1, 0, 2] = 3
    #expect(t.storage[((1 * 3 + 2) * 4 + 3) * 5 + 4] == 7)
    #expect(t.storage[(1 * 4 + 0) * 5 + 2] == 3)
    #expect(t.count == 120 && t.rank == 4)
  }

  @Test func randomNormalHasRequestedMoments() {
    var generator = SplitMix(seed: 3)
    let t = Tensor.randomNormal(shape: [4, 25, 10, 10], std: 2, using: &generator)
    let mean = t.storage.reduce(0.0) { $0 + Double($1) } / Double(t.count)
    let variance = t.storage.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(t.count)
    #expect(abs(mean) < 0.1)
    #expect(abs(variance.squareRoot() - 2) < 0.1)
  }

  @Test func addAndZero() {
    var a = Tensor(shape: [2, 2], storage: [1, 2, 3, 4])
    a.add(Tensor(shape: [2, 2], storage: [10, 20, 30, 40]))
    #expect(a.storage == [11, 22, 33, 44])
    a.zero()
    #expect(a.storage == [0, 0, 0, 0] && a.shape == [2, 2])
  }
}
