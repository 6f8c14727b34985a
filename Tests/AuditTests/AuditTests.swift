@testable import Audit
import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Pipeline
import Slimming
import Synthetic
import TestSupport
import Testing

@Suite struct AuditTests {
  /// A scored synthetic dataset's catalog.
  static func scoredCatalog(in directory: String) throws -> Catalog {
    _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
      format: .cityscapes, outputDirectory: directory + "/data", trainCount: 14, valCount: 3, seed: 9)).write()
    _ = try PipelineRunner.score(
      root: directory + "/data", catalogPath: directory + "/c.sqlite", context: StageContext(workers: 2, progress: .silent))
    return try Catalog(path: directory + "/c.sqlite")
  }

  /// The inner HTML of `<section id="id">`.
  static func section(_ id: String, in html: String) -> String? {
    guard let start = html.range(of: "<section id=\"\(id)\">"),
      let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)
    else { return nil }
    return String(html[start.upperBound..<end.lowerBound])
  }

  @Test func theReportHasEverySectionWithData() throws {
    try withTemporaryDirectory { directory in
      let data = try AuditData.gather(catalog: try Self.scoredCatalog(in: directory))
      let html = AuditHTML.render(data)
      #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
      #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("<script"))

      let summary = try #require(Self.section("summary", in: html))
      #expect(summary.contains("<td>train</td><td>14</td>") && summary.contains("<td>val</td><td>3</td>"))

      let distributions = try #require(Self.section("distributions", in: html))
      for indicator in Indicator.defaultSet {
        #expect(distributions.contains("data-indicator=\"\(indicator.rawValue)\""), "\(indicator)")
      }
      #expect(distributions.components(separatedBy: "<rect").count > 20)
      #expect(distributions.components(separatedBy: "<polyline").count - 1 == data.distributions.count)

      let quantiles = try #require(Self.section("quantiles", in: html))
      #expect(quantiles.components(separatedBy: "<tr>").count - 2 == data.distributions.count)

      let correlation = try #require(Self.section("correlation", in: html))
      // An n × n matrix of r values in [-1, 1] with ones on the diagonal.
      let cells = correlation.components(separatedBy: "\">").compactMap { Double($0.components(separatedBy: "</td>").first ?? "") }
      let n = Set(data.correlations.flatMap { [$0.a, $0.b] }).count
      #expect(n >= 5 && cells.count == n * n)
      #expect(cells.allSatisfy { (-1.0...1.0).contains($0) })
      #expect(cells.filter { $0 == 1 }.count >= n)

      let extremes = try #require(Self.section("extremes", in: html))
      let images = extremes.components(separatedBy: "src=\"data:image/png;base64,").dropFirst()
      #expect(images.count == 2 * 24)  // 12 least + 12 most, each image and overlay
      for encoded in images {
        let base64 = String(encoded.prefix { $0 != "\"" })
        let bytes = try #require(Data(base64Encoded: base64))
        let thumbnail = try ImageDecoder().decode([UInt8](bytes), source: "thumbnail")
        #expect(thumbnail.image.width <= 192 && thumbnail.image.channels == 3)
      }
      let preview = try #require(Self.section("policy-preview", in: html))
      let policies = String(preview[..<(preview.range(of: "</table>")?.lowerBound ?? preview.endIndex)])
      #expect(policies.components(separatedBy: "<tr>").count - 2 == 4)
      #expect(preview.contains("quantile(drop 0.1") && preview.contains("budget(0.5"))
      let budget = try #require(data.policyPreview.first { $0.policy.text.hasPrefix("budget(0.5") })
      #expect(budget.pixelFraction <= 0.5 && budget.samples == 14)
    }
  }

  @Test func cutoffsAreTheDefaultPolicysQuantilesOfTheTrainingRanking() throws {
    try withTemporaryDirectory { directory in
      let data = try AuditData.gather(catalog: try Self.scoredCatalog(in: directory))
      let values = try #require(data.distributions.first { $0.split == "train" && $0.indicator == "si-mean" }).sortedValues
      #expect(data.policyCutoffs.map(\.kind) == ["drop", "band", "band"])
      #expect(data.policyCutoffs.map(\.quantile) == [0.1, 0.4, 0.8])
      #expect(data.policyCutoffs.map(\.scale) == [nil, 0.5, 0.75])
      #expect(data.policyCutoffs.map(\.value) == [0.1, 0.4, 0.8].map { AuditData.quantile(values, $0) })
      // The bands hold the samples the planner puts in them: below the 0.4 cut at scale 0.5.
      let preview = try #require(data.policyPreview.first { $0.policy.text.hasPrefix("quantile") })
      let dropped = Int(0.1 * Double(values.count))
      #expect(preview.byScale["0.5"] == values.dropFirst(dropped).filter { $0 < data.policyCutoffs[1].value }.count)
    }
  }

  @Test func classSharesCountEveryLabelPixelPerSplitWithinTheBound() throws {
    try withTemporaryDirectory { directory in
      let catalog = try Self.scoredCatalog(in: directory)
      let data = try AuditData.gather(catalog: catalog)
      #expect(data.classShares.map(\.split) == ["train", "val"])
      for shares in data.classShares {
        #expect(shares.labelSpace == "cityscapes-trainid-19" && shares.classNames == LabelSpace.cityscapes.classNames)
        #expect(shares.labelFilesRead == shares.labelFiles && shares.unreadableLabelFiles == 0)
        // 256 × 128 synthetic images: every pixel counted once, as a class or as ignored.
        #expect(shares.pixels.reduce(0, +) + shares.ignoredPixels == shares.labelFiles * 256 * 128)
        #expect(abs(shares.shares.reduce(0, +) - 1) < 1e-12)
      }
      let bounded = try AuditData.gather(catalog: catalog, labelFilesPerSplit: 4)
      #expect(bounded.classShares.map(\.labelFilesRead) == [4, 3] && bounded.classShares.map(\.labelFiles) == [14, 3])
    }
  }

  @Test func theJSONUsesSnakeCaseKeysAndStructuredFields() throws {
    try withTemporaryDirectory { directory in
      let data = try AuditData.gather(catalog: try Self.scoredCatalog(in: directory))
      let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(data)) as? [String: Any])
      #expect(Set(object.keys) == [
        "catalog", "datasets", "samples_per_split", "distributions", "correlations", "ranking_indicator", "least_complex",
        "most_complex", "table", "policy_preview", "policy_cutoffs", "class_shares", "small_classes",
      ])
      let dataset = try #require((object["datasets"] as? [[String: Any]])?.first)
      #expect(Set(dataset.keys) == ["name", "format", "root", "label_space"])
      let distribution = try #require((object["distributions"] as? [[String: Any]])?.first)
      let edges = try #require(distribution["bin_edges"] as? [Double])
      #expect(edges.count == (distribution["histogram"] as? [Int])!.count + 1 && edges.first == distribution["minimum"] as? Double)
      let preview = try #require((object["policy_preview"] as? [[String: Any]])?.first)
      #expect((preview["policy"] as? [String: Any])?["name"] is String && preview["pixel_fraction"] is Double)
      let shares = try #require((object["class_shares"] as? [[String: Any]])?.first)
      #expect(Set(shares.keys) == [
        "split", "label_space", "class_names", "pixels", "ignored_pixels", "label_files", "label_files_read", "unreadable_label_files",
      ])
      let small = try #require((object["small_classes"] as? [[String: Any]])?.first)
      #expect(Set(small.keys) == [
        "label_space", "class_names", "indicator", "simplest_fraction", "samples", "small_class_pixels", "share_in_simplest",
      ])
      let decoded = try JSONDecoder().decode(AuditData.self, from: JSONEncoder().encode(data))
      #expect(decoded.classShares == data.classShares && decoded.smallClasses == data.smallClasses)
    }
  }

  @Test func extremesAreOrderedAndDistinct() throws {
    try withTemporaryDirectory { directory in
      let data = try AuditData.gather(catalog: try Self.scoredCatalog(in: directory), extremes: 5)
      #expect(data.leastComplex.count == 5 && data.mostComplex.count == 5)
      #expect(data.leastComplex.map(\.value) == data.leastComplex.map(\.value).sorted())
      #expect(data.mostComplex.map(\.value) == data.mostComplex.map(\.value).sorted(by: >))
      #expect(data.leastComplex[0].value <= data.mostComplex[0].value)
    }
  }

  @Test func quantilesInterpolateLikeNumpy() {
    #expect(AuditData.quantile([1, 2, 3, 4], 0.5) == 2.5)
    #expect(AuditData.quantile([1, 2, 3, 4], 0.25) == 1.75)
    #expect(AuditData.quantile([5], 0.95) == 5)
  }

  @Test func csvHasOneRowPerScoredSample() throws {
    try withTemporaryDirectory { directory in
      let data = try AuditData.gather(catalog: try Self.scoredCatalog(in: directory))
      let lines = data.csv.split(separator: "\n")
      #expect(lines.count == 1 + 17)
      #expect(lines[0].hasPrefix("key,split,"))
    }
  }
}
