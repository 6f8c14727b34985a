import DanceCore

extension Planner {
  /// The control of an experiment that asks whether the ranking matters: the same decisions as
  /// `plan` (the same number of samples dropped and kept at each scale) handed to the samples in
  /// a seeded pseudo-random order instead of by complexity. Each sample takes the rank of the
  /// decision it was handed, and `weights` (by default none: every kept sample weighs 1) follow
  /// that rank, so a weighted control carries the same weights as the ranked plan, at random.
  ///
  /// The order sorts the samples by a 64-bit FNV-1a hash of `seed` and the key, so it needs no
  /// generator state and is the same on every machine. Output sizes follow each sample's own size.
  public static func shuffled(_ plan: Plan, inputs: [PlanInput], seed: UInt64, align: Int = 1, weights: WeightScheme = .none)
    -> Plan
  {
    let byKey = Dictionary(inputs.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    let assignments = plan.decisions.sorted { ($0.rank, $0.key) < ($1.rank, $1.key) }
    let order = plan.decisions.map(\.key).sorted { (hash($0, seed), $0) < (hash($1, seed), $1) }
    var decisions: [Decision] = []
    for (key, assigned) in zip(order, assignments) {
      guard let input = byKey[key] else { preconditionFailure("Planner.shuffled: \(key) has a decision but no input") }
      let reason = "random assignment (seed \(seed)) of the decision ranked \(assigned.key)"
      decisions.append(
        assigned.keep
          ? keep(input, scale: assigned.scale, rank: assigned.rank, align: align, reason: reason)
          : dropped(input, rank: assigned.rank, reason: reason))
    }
    assignWeights(&decisions, scheme: weights)
    return Plan(policy: plan.policy, weights: weights, decisions: decisions.sorted { $0.key < $1.key }, lambda: plan.lambda)
  }

  /// FNV-1a over the seed's 8 bytes and the key's UTF-8 bytes.
  static func hash(_ key: SampleKey, _ seed: UInt64) -> UInt64 {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in withUnsafeBytes(of: seed.littleEndian, Array.init) + Array(key.rawValue.utf8) {
      value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
    return value
  }
}
