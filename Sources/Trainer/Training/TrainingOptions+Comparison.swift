import NN

extension TrainingOptions {
  /// Each setting of a training run, by its command-line name (`weights` is `--no-weights`,
  /// `poly`, `normalization` and `prefetch` have no flag): what a resumed run or an experiment's
  /// rerun compares with the recorded run, naming what differs.
  public enum Setting: String, CaseIterable, Sendable {
    case epochs, batch, crop, lr, poly, momentum
    case weightDecay = "weight-decay"
    case weights, seed, normalization, width
    case outputStride = "output-stride"
    case slimming, threads
    case loaderThreads = "loader-threads"
    case prefetch
    case checkpointEvery = "checkpoint-every"
    case evaluateEvery = "eval-every"

    /// Whether the setting changes what the run computes; the others (threads, loading,
    /// checkpoints, the validation interval) only change how and when it runs.
    public var determinesResult: Bool {
      switch self {
      case .threads, .loaderThreads, .prefetch, .checkpointEvery, .evaluateEvery: false
      default: true
      }
    }

    /// The setting's value in `options`, as text.
    public func value(in options: TrainingOptions) -> String {
      switch self {
      case .epochs: "\(options.epochs)"
      case .batch: "\(options.batchSize)"
      case .crop: "\(options.crop)"
      case .lr: "\(options.learningRate)"
      case .poly: "\(options.poly)"
      case .momentum: "\(options.momentum)"
      case .weightDecay: "\(options.weightDecay)"
      case .weights: options.sampleWeights ? "on" : "off"
      case .seed: "\(options.seed)"
      case .normalization: "\(options.normalization)"
      case .width: "\(options.model.widthMultiplier)"
      case .outputStride: "\(options.model.outputStride)"
      case .slimming: options.slimming.map { "\($0)" } ?? "none"
      case .threads: "\(options.threads)"
      case .loaderThreads: "\(options.loaderThreads)"
      case .prefetch: "\(options.prefetch)"
      case .checkpointEvery: "\(options.checkpointEvery)"
      case .evaluateEvery: "\(options.evaluateEvery)"
      }
    }
  }

  /// One setting in which a recorded run differs from the one wanted.
  public struct Difference: Sendable, Equatable, CustomStringConvertible {
    /// The setting.
    public var setting: Setting
    /// Its value in the recorded run, and in the run wanted.
    public var recorded: String, wanted: String

    /// `lr 0.01 instead of 0.1`: the recorded value instead of the wanted one.
    public var description: String { "\(setting.rawValue) \(recorded) instead of \(wanted)" }
  }

  /// The settings among `settings` in which `recorded` differs from these options (the run wanted), in
  /// ``Setting`` order.
  public func differences(from recorded: TrainingOptions, in settings: [Setting] = Setting.allCases) -> [Difference] {
    settings.compactMap { setting in
      let (old, new) = (setting.value(in: recorded), setting.value(in: self))
      return old == new ? nil : Difference(setting: setting, recorded: old, wanted: new)
    }
  }
}
