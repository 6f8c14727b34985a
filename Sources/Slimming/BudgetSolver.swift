/// The Lagrangian relaxation of "keep the most segmentation detail per pixel of training cost".
///
/// Every sample chooses an option o ∈ {drop} ∪ scales maximising `value(o) − λ · pixels(o)`, with
/// `value(o) = importance · fidelity(o)`, `importance = 0.5 + r` (r the percentile rank, so complex
/// samples matter more), `fidelity(drop) = 0`, `fidelity(1) = 1`, `fidelity(s) = fidelity@s` of the
/// sample's label, and `pixels` the output pixels as a fraction of the split's original pixels.
/// Kept pixels fall as λ grows; λ is the smallest value (to bisection precision) whose choices fit
/// the budget. Ties go to the larger scale. With `mayDrop` false, dropping is no option: when even
/// the smallest scale of every sample exceeds the budget, every sample gets the smallest scale.
struct BudgetSolver {
  let inputs: [PlanInput]
  let ranks: [Double]
  let scales: [Double]
  let align: Int
  var mayDrop = true

  struct Solution {
    var lambda: Double
    /// The chosen scale per input (0 = dropped).
    var scales: [Double]
  }

  /// Options per input, largest scale first: (scale, value, pixel fraction).
  private var options: [[(scale: Double, value: Double, pixels: Double)]] {
    let total = Double(inputs.reduce(0) { $0 + $1.width * $1.height })
    let ordered = Array(Set(scales + [1])).sorted(by: >)
    return inputs.enumerated().map { index, input in
      let importance = 0.5 + ranks[index]
      return ordered.map { scale in
        let fidelity = scale >= 1 ? 1 : input.fidelity[scale] ?? scale
        let pixels = Planner.outputLength(input.width, scale: scale, align: align)
          * Planner.outputLength(input.height, scale: scale, align: align)
        return (scale, importance * fidelity, Double(pixels) / total)
      } + (mayDrop ? [(0, 0, 0)] : [])
    }
  }

  func solve(budget: Double) -> Solution {
    let options = self.options
    func choose(_ lambda: Double) -> (scales: [Double], pixels: Double) {
      var chosen: [Double] = []
      var pixels = 0.0
      for candidates in options {
        var best = candidates[0]
        var bestGain = best.value - lambda * best.pixels
        for candidate in candidates.dropFirst() {
          let gain = candidate.value - lambda * candidate.pixels
          if gain > bestGain {
            best = candidate
            bestGain = gain
          }
        }
        chosen.append(best.scale)
        pixels += best.pixels
      }
      return (chosen, pixels)
    }
    let free = choose(0)
    if free.pixels <= budget + 1e-12 { return Solution(lambda: 0, scales: free.scales) }
    // Above this λ every option with pixels > 0 loses to dropping, or (without dropping) every
    // sample takes its smallest option: no pixel difference is worth more than the value it costs.
    var high = 1.0
    for candidates in options {
      for candidate in candidates where candidate.pixels > 0 { high = max(high, 2 * candidate.value / candidate.pixels) }
      for (larger, smaller) in zip(candidates, candidates.dropFirst()) where larger.pixels > smaller.pixels {
        high = max(high, 2 * (larger.value - smaller.value) / (larger.pixels - smaller.pixels))
      }
    }
    var low = 0.0
    for _ in 0..<200 {
      let middle = (low + high) / 2
      if choose(middle).pixels <= budget + 1e-12 { high = middle } else { low = middle }
      if high - low <= 1e-12 * max(1, high) { break }
    }
    return Solution(lambda: high, scales: choose(high).scales)
  }
}
