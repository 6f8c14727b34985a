public import DanceCore

extension ScoreTable {
  /// The planner's inputs for `samples`, in key order: one per sample that has a size and a value
  /// of `ranking` (see ``PlanInput/init(key:width:height:scores:ranking:)``). A sample without a
  /// size (its header could not be read) or without the ranking value is left out; slim refuses
  /// the latter beforehand with ``DanceCore/ScoreTable/unscored(_:by:failed:)`` unless its scoring failed.
  ///
  /// This is the one place slim and the audit's policy previews turn cached scores into plan inputs.
  public func planInputs(ranking: Indicator, sizes samples: [(key: SampleKey, width: Int?, height: Int?)]) -> [PlanInput] {
    samples.sorted { $0.key < $1.key }.compactMap { sample in
      guard let width = sample.width, let height = sample.height else { return nil }
      return PlanInput(key: sample.key, width: width, height: height, scores: self[sample.key], ranking: ranking)
    }
  }
}
