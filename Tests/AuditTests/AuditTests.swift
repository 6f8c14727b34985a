@testable import Audit
import Catalog
import Complexity
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Pipeline
import Runner
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
      #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("src=\"//"))

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
      #expect(images.count == 2 * 14)  // 14 training samples: 7 least + 7 most, each image and overlay
      #expect(extremes.contains("The training split has only 14 scored samples, so these lists are all of them"))
      #expect(extremes.contains("<br>si-mean "), "the value under a thumbnail names its indicator")
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
      #expect(Set(object.keys) == [  // the sample browser's data is for the page only
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

extension AuditTests {
  // MARK: - Histograms

  @Test func aSplitGetsRootNBinsAndIntegersWholeNumberBins() {
    let continuous = AuditData.distribution((0..<24).map { Double($0) * 1.5 + 0.25 }, split: "train", indicator: "si", bins: 20)
    #expect(continuous.histogram.count == 5 && continuous.histogram.reduce(0, +) == 24 && !continuous.integerValued)
    #expect(AuditData.distribution((0..<10_000).map { Double($0) + 0.5 }, split: "train", indicator: "si", bins: 20).histogram.count == 20)
    let counts = AuditData.distribution([9, 9, 10, 12, 15, 15, 15], split: "train", indicator: "class-count", bins: 20)
    #expect(counts.integerValued && counts.minimum == 8.5 && counts.maximum == 15.5)
    #expect(counts.histogram == [2, 1, 0, 1, 0, 0, 3])
    let wide = AuditData.distribution((0..<100).map { Double($0 * 3) }, split: "train", indicator: "class-count", bins: 20)
    #expect(wide.histogram.count == 20 && wide.binEdges.allSatisfy { ($0 + 0.5) == ($0 + 0.5).rounded() }, "whole-number edges")
    let svg = AuditHTML.histogramSVG(counts)
    let ticks = svg.components(separatedBy: "<text class=\"tick x\"").dropFirst().map { String($0.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }) }
    #expect(ticks == ["9", "10", "11", "12", "13", "14", "15"])
  }

  @Test func cutoffKeysStandInRowsOfTheirOwnAndTagsKeepApart() {
    let item = AuditData.distribution((0..<40).map(Double.init), split: "train", indicator: "si-mean", bins: 20)
    let cutoffs = [0.1, 0.12, 0.8].map { AuditData.PolicyCutoff(kind: $0 == 0.1 ? "drop" : "band", quantile: $0, value: 39 * $0, scale: 0.5) }
    let svg = AuditHTML.histogramSVG(item, cutoffs: cutoffs)
    func numbers(_ attribute: String, ofClass cls: String) -> [Double] {
      svg.components(separatedBy: "<text class=\"\(cls)\"").dropFirst().compactMap { text in
        text.components(separatedBy: " \(attribute)=\"").dropFirst().first.flatMap { Double($0.prefix { $0 != "\"" }) }
      }
    }
    let keyX = numbers("x", ofClass: "cutoff-key"), keyY = numbers("y", ofClass: "cutoff-key")
    #expect(keyX.count == 3 && Set(keyX).count == 1, "the key rows start at one x")
    #expect(zip(keyY, keyY.dropFirst()).allSatisfy { $1 - $0 >= 12 }, "one row per cut-off, a line apart")
    let tags = numbers("x", ofClass: "cutoff-tag")
    #expect(zip(tags, tags.dropFirst()).allSatisfy { $1 - $0 >= 8 }, "the numbers of close lines are pushed apart: \(tags)")
    #expect(svg.contains("1  drop below q0.1 = 3.9") && svg.contains("2  q0.12 = 4.68: ×0.5 below"))
  }

  // MARK: - The sample browser

  @Test func theBrowserHoldsEveryTrainingSampleWithItsDecisionAndFiles() throws {
    try withTemporaryDirectory { directory in
      let data = try AuditData.gather(catalog: try Self.scoredCatalog(in: directory))
      let browser = try #require(data.browser)
      #expect(browser.rows.count == 14 && browser.rows.map(\.key) == browser.rows.map(\.key).sorted())
      #expect(browser.rows.allSatisfy { $0.overlay == .lookup(0) && $0.keep != nil && $0.label?.hasSuffix("_labelIds.png") == true })
      #expect(browser.lookups.map(\.encoding) == ["cityscapes-labelIds"] && browser.lookups[0].colors[7] == RGB(128, 64, 128))
      #expect(browser.rows.filter { $0.keep == false }.count == 1, "quantile drops ⌊0.1 × 14⌋")
      let html = try #require(Self.section("samples", in: AuditHTML.render(data, thumbnails: false)))
      let json = String(html.components(separatedBy: "<script type=\"application/json\" id=\"sample-data\">")[1].prefix { $0 != "<" })
      let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
      let rows = try #require(object["rows"] as? [[Any]])
      #expect(rows.count == 14 && (object["indicators"] as? [String]) == browser.indicators)
      #expect(rows[0].count == 9 + browser.indicators.count && rows[0][4] as? String == "lut0")
      #expect(html.contains("<filter id=\"lut0\" data-encoding=\"cityscapes-labelIds\""))
    }
  }

  /// The page at ADE20K's scale: 20,210 training samples with the default indicators weigh a few
  /// megabytes (their pictures are not embedded), and the table draws 100 rows at a time.
  @Test func thePageStaysSmallAtADE20KScale() {
    let indicators = Indicator.defaultSet.map(\.rawValue)
    let rows = (1...20_210).map { index -> SampleBrowser.Row in
      let stem = String(format: "ADE_train_%08d", index)
      return SampleBrowser.Row(
        key: "ade20k/training/\(stem)", root: 0, image: "images/training/\(stem).jpg", label: "annotations/training/\(stem).png",
        overlay: .lookup(0),
        keep: true, scale: 0.75, weight: 1.0123456, rank: 0.5123,
        values: indicators.map { _ in Double(index % 997) * 0.123456 })
    }
    let browser = SampleBrowser(
      indicators: indicators, roots: ["/data/ADEChallengeData2016"],
      lookups: [.init(encoding: "ade20k-reduce-zero-label", colors: Array(repeating: RGB(1, 2, 3), count: 256))], rows: rows,
      policy: "quantile")
    let html = browser.html()
    let bytes = html.utf8.count
    #expect(bytes < 6_000_000, "\(bytes) bytes")
    // The images are not in the page: the script draws one page of rows at a time, and each
    // thumbnail loads only when it scrolls into view.
    #expect(html.contains(#"<img class=\"thumb\" loading=\"lazy\""#))
    #expect(!html.contains("data:image/"))
    #expect(bytes > 2_000_000)
    #expect(SampleBrowser.pageSize == 100)
  }
}
