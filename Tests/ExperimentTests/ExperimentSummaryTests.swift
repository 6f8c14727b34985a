import DanceCore
import Foundation
@testable import Experiment
@testable import Trainer
import Testing

/// Aggregation over seeds, the input-scale rows, convergence, the JSON and the page, from made-up results.
@Suite struct ExperimentSummaryTests {
  /// A result of `kind` with the given final validation (and test) mIoU, optionally at input scale 0.5 too.
  static func result(_ name: String, _ kind: ExperimentRunKind, seed: Int, val: Double, test: Double?, flops: Double,
                     halfScale: (val: Double, test: Double)? = nil, curve: [Double] = []) -> ExperimentRunResult {
    func evaluation(_ split: DatasetSplit, _ scale: Double, _ miou: Double) -> RunEvaluation {
      RunEvaluation(split: split, inputScale: scale, result: EvaluationResult(
        miou: miou, pixelAccuracy: 0.8, perClass: ["Pole": miou / 2, "Sky": miou], images: 3,
        inferenceFlopsPerImage: 2e9 * scale * scale, failures: []))
    }
    var evaluations = [evaluation(.val, 1, val)]
    if let test { evaluations.append(evaluation(.test, 1, test)) }
    if let halfScale { evaluations += [evaluation(.val, 0.5, halfScale.val), evaluation(.test, 0.5, halfScale.test)] }
    let points = curve.enumerated().map { ExperimentRunResult.Point(epoch: $0.offset + 1, loss: 1, miou: $0.element) }
    let run = ExperimentRun(kind: kind, name: name, data: .full, indicator: .siMean, budget: kind == .baseline ? nil : 0.5,
                            slimmedNetwork: false, seed: seed, epochs: 10)
    var result = ExperimentRunResult(run, report: TrainingReport(
      status: "finished", configuration: TrainingOptions(), dataset: DataIdentity(kind: "dataset", path: "/d", split: "train",
      labelSpace: "camvid-segnet-11", samples: 3, digest: ""), validation: nil, classes: [], epochsFinished: 10, steps: 10,
      parameters: 1000, epochs: [], stepLosses: [], stepFlops: [], trainFlops: flops, inferenceFlopsPerImage: 2e9, trainSeconds: 1,
      evaluationSeconds: 0, wallSeconds: 1, lastValidation: nil, failures: []))
    result.evaluations = evaluations
    result.curve = points
    return result
  }

  static let results = [
    result("baseline", .baseline, seed: 1, val: 0.50, test: 0.40, flops: 10e12, halfScale: (0.44, 0.35),
           curve: [0.30, 0.40, 0.45, 0.47, 0.48, 0.49, 0.50, 0.50, 0.50, 0.50]),
    result("baseline", .baseline, seed: 2, val: 0.52, test: 0.42, flops: 10e12, halfScale: (0.46, 0.37)),
    result("dance", .dance, seed: 1, val: 0.47, test: 0.39, flops: 4e12),
    result("dance", .dance, seed: 2, val: 0.49, test: 0.41, flops: 4e12),
  ]

  @Test func seedsAreAveragedWithTheSampleStandardDeviationAndDeltasOnBothSplits() throws {
    let summary = ExperimentSummary(Self.results, options: ExperimentOptions())
    #expect(summary.rows.map(\.name) == ["baseline", "baseline @ input 0.5", "dance"])
    let dance = try #require(summary.rows.last)
    #expect(dance.seeds == 2 && dance.trainFlops == 4e12)
    #expect(abs((dance.valMiou?.mean ?? 0) - 0.48) < 1e-12)
    #expect(abs((dance.valMiou?.std ?? 0) - 0.02.squareRoot() * 0.1) < 1e-12)  // values ±0.01 around the mean
    #expect(abs((dance.valDelta ?? 0) - (0.48 - 0.51)) < 1e-12)
    #expect(abs((dance.testDelta ?? 0) - (0.40 - 0.41)) < 1e-12)
    let reduced = summary.rows[1]
    #expect(reduced.inputScale == 0.5 && reduced.inferenceFlopsPerImage == 0.5e9)
    #expect(abs((reduced.testDelta ?? 0) - (0.36 - 0.41)) < 1e-12)
    #expect(abs((dance.testSmallClassMiou?.mean ?? 0) - 0.20) < 1e-12)
  }

  @Test func convergenceComparesTheEndWithThreeQuartersOfTheWay() throws {
    let convergence = try #require(Convergence(curve: Self.results[0].curve, epochs: 10))
    // Epochs 7, 8 and 6 are nearest to 7.5: 0.50, 0.50, 0.49; the last three 0.50.
    #expect(abs(convergence.miouAtThreeQuarters - 0.49667) < 1e-4)
    #expect(abs(convergence.gain - 0.00333) < 1e-4 && convergence.converged)
    let rising = try #require(Convergence(curve: (1...8).map { .init(epoch: $0, loss: 1, miou: Double($0) / 10) }, epochs: 8))
    #expect(!rising.converged)
    #expect(Convergence(curve: [.init(epoch: 1, loss: 1, miou: 0.1)], epochs: 1) == nil)
  }

  @Test func theJSONRoundTripsAndTheResultsReadBack() throws {
    let summary = ExperimentSummary(Self.results, options: ExperimentOptions())
    let data = try JSONEncoder().encode(summary)
    #expect(try JSONDecoder().decode(ExperimentSummary.self, from: data) == summary)
    let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let row = try #require((object["rows"] as? [[String: Any]])?.first)
    #expect(row["val_miou_fraction"] is [String: Any] && row["test_delta_miou_fraction"] is Double && row["input_scale"] as? Double == 1)
    for result in Self.results {
      #expect(try JSONDecoder().decode(ExperimentRunResult.self, from: JSONEncoder().encode(result)) == result)
    }
  }

  @Test(arguments: [(0.0, 1.0), (22.7, 56.7), (0.003, 0.0121), (40.0, 40.0)])
  func ticksAreRoundAndCoverTheRange(low: Double, high: Double) {
    let ticks = ExperimentChart.ticks(low, high)
    #expect(ticks.count >= 2 && ticks.count <= 12)
    #expect(ticks.first! <= low && ticks.last! >= high)
    let step = ticks[1] - ticks[0]
    let mantissa = step / pow(10, log10(step).rounded(.down))
    #expect([1, 2, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "step \(step)")
  }

  @Test func thePageDrawsBothFrontiersWithTicksLabelsAndALegend() {
    let html = ExperimentSummary(Self.results, options: ExperimentOptions()).html
    for chart in ["convergence", "training-val", "inference-val", "training-test", "inference-test"] {
      #expect(html.contains("data-chart=\"\(chart)\""), "\(chart)")
    }
    #expect(html.contains("class=\"tick x\"") && html.contains("class=\"axis x\"") && html.contains("class=\"legend\""))
    #expect(html.contains("inference GFLOPs per image") && html.contains("training TFLOPs"))
    #expect(html.contains("baseline (input scales)"))
  }
}
