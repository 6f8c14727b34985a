public import DanceCore
public import Tensors
public import Testing

/// Expects `actual` to equal `expected` element-wise within `|a − e| ≤ atol + rtol·|e|`.
///
/// On failure it records one issue naming the count of mismatches, the first few pairs and the
/// largest absolute difference (in the manner of llm.c's `check_tensor`).
public func expectClose(
  _ actual: [Float], _ expected: [Double], rtol: Double = 1e-4, atol: Double = 1e-5, _ label: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.count == expected.count else {
    Issue.record("\(label): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
    return
  }
  var mismatches: [String] = []
  var mismatchCount = 0
  var maxDifference = 0.0
  for index in actual.indices {
    let a = Double(actual[index]), e = expected[index]
    let difference = abs(a - e)
    maxDifference = max(maxDifference, difference.isNaN ? .infinity : difference)
    if !(difference <= atol + rtol * abs(e)) {
      mismatchCount += 1
      if mismatches.count < 5 { mismatches.append("[\(index)] \(a) vs \(e)") }
    }
  }
  if mismatchCount > 0 {
    Issue.record(
      "\(label): \(mismatchCount) of \(actual.count) values differ (rtol \(rtol), atol \(atol)); max |diff| \(maxDifference); first: \(mismatches.joined(separator: ", "))",
      sourceLocation: sourceLocation)
  }
}

/// Expects two tensors to have the same shape and close elements (see ``expectClose(_:_:rtol:atol:_:sourceLocation:)``).
public func expectClose(
  _ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-4, atol: Double = 1e-5, _ label: String = "",
  sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.shape == expected.shape else {
    Issue.record("\(label): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
    return
  }
  expectClose(actual.storage, expected.storage.map(Double.init), rtol: rtol, atol: atol, label, sourceLocation: sourceLocation)
}

/// The central-difference gradient `(f(x + ε·eᵢ) − f(x − ε·eᵢ)) / 2ε` of a scalar function, in `Double`.
public func numericalGradient(at point: [Double], epsilon: Double, _ f: ([Double]) -> Double) -> [Double] {
  var x = point
  return point.indices.map { index in
    x[index] = point[index] + epsilon
    let plus = f(x)
    x[index] = point[index] - epsilon
    let minus = f(x)
    x[index] = point[index]
    return (plus - minus) / (2 * epsilon)
  }
}

/// `Σ a[i] · b[i]` accumulated in `Double`: the scalar "loss" `⟨y, r⟩` whose gradient with respect to
/// `y` is a fixed random `r`, used to turn a layer into a scalar function for gradient checks.
public func dot(_ a: [Float], _ b: [Float]) -> Double {
  precondition(a.count == b.count, "dot of \(a.count) and \(b.count) values")
  var sum = 0.0
  for index in a.indices { sum += Double(a[index]) * Double(b[index]) }
  return sum
}

/// `count` values uniformly distributed in `range`, from `generator`.
public func randomFloats(_ count: Int, in range: ClosedRange<Float> = -1...1, using generator: inout SplitMix) -> [Float] {
  (0..<count).map { _ in Float.random(in: range, using: &generator) }
}
