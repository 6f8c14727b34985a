import Foundation
/// The polynomial decay schedule of DeepLab: `lr(t) = base · (1 − t / T)^power`, 0 from `t = T` on.
public struct PolyLearningRate: Sendable, Equatable {
  /// The rate at step 0.
  public var base: Float
  /// The total number of steps T.
  public var totalSteps: Int
  /// The exponent (0.9 in DeepLab).
  public var power: Float

  /// Creates the schedule.
  public init(base: Float, totalSteps: Int, power: Float = 0.9) {
    precondition(totalSteps > 0, "totalSteps must be positive")
    self.base = base
    self.totalSteps = totalSteps
    self.power = power
  }

  /// The learning rate at step `step` (0-based).
  public func rate(at step: Int) -> Float {
    let progress = min(1, max(0, Float(step) / Float(totalSteps)))
    return base * Float(pow(Double(1 - progress), Double(power)))
  }
}
