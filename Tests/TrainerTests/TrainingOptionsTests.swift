import DanceCore
import NN
import Testing
import Trainer

/// Issue 28: each training setting is defined once (``TrainingSettings``), checked by one typed
/// problem that names the setting, and compared by name when a run is resumed or read back.
@Suite struct TrainingOptionsTests {
  /// A value outside each setting's range, and the problem naming it.
  static let outOfRange: [(change: @Sendable (inout TrainingOptions) -> Void, setting: NumericSetting, given: String)] = [
    ({ $0.epochs = 0 }, TrainingSettings.epochs, "0"),
    ({ $0.batchSize = 1 }, TrainingSettings.batch, "1"),
    ({ $0.learningRate = 0 }, TrainingSettings.learningRate, "0"),
    ({ $0.learningRate = .infinity }, TrainingSettings.learningRate, "inf"),
    ({ $0.momentum = 1 }, TrainingSettings.momentum, "1"),
    ({ $0.weightDecay = -1e-4 }, TrainingSettings.weightDecay, "-0.0001"),
    ({ $0.threads = 4097 }, TrainingSettings.threads, "4097"),
    ({ $0.loaderThreads = 65 }, TrainingSettings.loaderThreads, "65"),
    ({ $0.prefetch = 0 }, TrainingSettings.prefetch, "0"),
    ({ $0.checkpointEvery = -1 }, TrainingSettings.checkpointEvery, "-1"),
    ({ $0.evaluateEvery = 0 }, TrainingSettings.evaluateEvery, "0"),
    ({ $0.slimming = { var s = NetworkSlimming(pruneEpochs: [1]); s.pruneFraction = 1; return s }() }, TrainingSettings.pruneFraction, "1"),
    ({ $0.slimming = { var s = NetworkSlimming(pruneEpochs: [1]); s.gatePenalty = -1; return s }() }, TrainingSettings.gatePenalty, "-1"),
    ({ $0.slimming = { var s = NetworkSlimming(pruneEpochs: [1]); s.channelThreshold = 1; return s }() }, TrainingSettings.pruneThreshold, "1"),
  ]

  @Test(arguments: outOfRange.indices)
  func aValueOutsideItsRangeIsNamedByItsSetting(index: Int) {
    var options = TrainingOptions()
    #expect(options.problem == nil)
    let (change, setting, given) = Self.outOfRange[index]
    change(&options)
    #expect(options.problem == .outOfRange(setting, given: given))
    #expect(options.problem?.message(.commandLine) == "\(setting.flag) must be \(setting.requirement), got \(given)")
  }

  @Test func theDefaultsAreInsideTheirRanges() {
    let options = TrainingOptions()
    let whole = [(TrainingSettings.epochs, options.epochs), (TrainingSettings.batch, options.batchSize),
                 (TrainingSettings.loaderThreads, options.loaderThreads), (TrainingSettings.prefetch, options.prefetch),
                 (TrainingSettings.checkpointEvery, options.checkpointEvery), (TrainingSettings.evaluateEvery, options.evaluateEvery)]
    #expect(whole.allSatisfy { $0.0.allows($0.1) })
    #expect(TrainingSettings.learningRate.allows(options.learningRate) && TrainingSettings.momentum.allows(options.momentum))
    #expect(TrainingSettings.learningRate.requirement == "a number above 0")
    #expect(TrainingSettings.weightDecay.requirement == "a number 0 or more")
    #expect(TrainingSettings.batch.requirement == "a whole number 2 or more")
  }

  @Test func pruningAfterTheLastEpochAndAnUnusableNetworkAreRefused() {
    var options = TrainingOptions()
    options.epochs = 2
    options.slimming = NetworkSlimming(pruneEpochs: [2])
    #expect(options.problem?.setting == "prune-at")
    #expect(options.problem?.message(.commandLine) == "--prune-at needs epochs from 1 to one less than the run's 2, got [2]")
    options.slimming = nil
    options.model.outputStride = 4
    #expect(options.problem == .other(reason: "output stride must be 8 or 16, got 4"))
  }

  @Test func theComparisonNamesEachChangedSettingWithBothValues() {
    let recorded = TrainingOptions()
    var wanted = recorded
    #expect(wanted.differences(from: recorded).isEmpty)
    wanted.learningRate = 0.1
    wanted.sampleWeights = false
    wanted.checkpointEvery = 5
    let differences = wanted.differences(from: recorded)
    #expect(differences.map(\.setting) == [.lr, .weights, .checkpointEvery])
    #expect(differences.map(\.description) == ["lr 0.01 instead of 0.1", "weights on instead of off", "checkpoint-every 0 instead of 5"])
    #expect(wanted.differences(from: recorded, in: [.lr]).count == 1)
    #expect(wanted.differences(from: recorded, in: [.threads, .epochs]).isEmpty)
  }
}
