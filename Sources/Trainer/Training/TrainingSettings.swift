public import DanceCore

/// The numeric settings of a training run, each defined once by its command-line name and its
/// allowed values: ``TrainingOptions/problem`` checks against them, `dance train` and
/// `dance experiment` print them in their help texts, and a message names them as the user gave
/// them (``SettingProblem/message(_:)``). The defaults are ``TrainingOptions``'s initial values.
public enum TrainingSettings {
  /// `--epochs`: passes over the training split.
  public static let epochs = NumericSetting(name: "epochs", bounds: .wholeNumber(1...Int.max), unit: "epochs")
  /// `--batch`: samples per batch; batch norm needs two.
  public static let batch = NumericSetting(name: "batch", bounds: .wholeNumber(2...Int.max), unit: "samples")
  /// `--lr`: the learning rate at step 0.
  public static let learningRate = NumericSetting(
    name: "lr", bounds: .number(lower: 0, includesLower: false, upper: .infinity, includesUpper: false))
  /// `--momentum`: SGD momentum.
  public static let momentum = NumericSetting(name: "momentum", bounds: .number(lower: 0, includesLower: true, upper: 1, includesUpper: false))
  /// `--weight-decay`: L2 weight decay.
  public static let weightDecay = NumericSetting(
    name: "weight-decay", bounds: .number(lower: 0, includesLower: true, upper: .infinity, includesUpper: false))
  /// `--threads` of train, eval and predict: threads of the compute engine.
  public static let threads = NumericSetting(name: "threads", bounds: .wholeNumber(1...4096), unit: "threads")
  /// `--loader-threads`: background decoding threads; each holds a decoder and up to a batch of
  /// images, and more than the cores can decode at once only costs memory.
  public static let loaderThreads = NumericSetting(name: "loader-threads", bounds: .wholeNumber(1...64), unit: "threads")
  /// Batches decoded ahead of the training step (no flag).
  public static let prefetch = NumericSetting(name: "prefetch", bounds: .wholeNumber(1...64), unit: "batches")
  /// `--checkpoint-every`: steps between resumable states (0: at epoch ends only).
  public static let checkpointEvery = NumericSetting(name: "checkpoint-every", bounds: .wholeNumber(0...Int.max), unit: "steps")
  /// `--eval-every`: epochs between validations.
  public static let evaluateEvery = NumericSetting(name: "eval-every", bounds: .wholeNumber(1...Int.max), unit: "epochs")
  /// `--gate-l1`: the L1 strength on the ASPP gates.
  public static let gatePenalty = NumericSetting(
    name: "gate-l1", bounds: .number(lower: 0, includesLower: true, upper: .infinity, includesUpper: false))
  /// `--scale-l1`: the L1 strength on the head's and decoder's batch-norm scales.
  public static let scalePenalty = NumericSetting(
    name: "scale-l1", bounds: .number(lower: 0, includesLower: true, upper: .infinity, includesUpper: false))
  /// `--prune-threshold`: a branch or channel goes below this fraction of its unit's largest.
  public static let pruneThreshold = NumericSetting(
    name: "prune-threshold", bounds: .number(lower: 0, includesLower: true, upper: 1, includesUpper: false))
  /// `--prune-fraction`: the smallest-scale channels removed at each pruning, as a fraction of each unit.
  public static let pruneFraction = NumericSetting(
    name: "prune-fraction", bounds: .number(lower: 0, includesLower: true, upper: 1, includesUpper: false))
}
