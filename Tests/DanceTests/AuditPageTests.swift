import Catalog
import DanceCore
import Datasets
import Foundation
import ImageCodecs
import TestSupport
import Testing

/// The audit page of `dance audit --html` as a person sees it: rendered by headless Chromium, its
/// screenshot and its parsed DOM checked for what a reader looks for.
@Suite(.enabled(if: chromiumPath != nil, "chromium is not installed (apt-get install chromium); the audit page is not rendered"))
struct AuditPageTests {
  @Test func theRenderedPageHasAxesCutoffsClassSharesAndALegendAcrossTheWidth() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data", catalog = directory + "/c.sqlite", page = directory + "/audit.html"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "14", "--val", "3", "--seed", "5"]).status == 0)
      #expect(try runDance(["scan", root, "--catalog", catalog]).status == 0)
      #expect(try runDance(["score", root, "--catalog", catalog]).status == 0)
      #expect(try runDance(["audit", "--catalog", catalog, "--html", page]).status == 0)
      let json = try runDance(["audit", "--catalog", catalog, "--json"])
      let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])

      // Both renderings at once: the screenshot and the DOM Chromium built from the page.
      let (dom, screenshot) = try Chromium.render(page, in: directory, name: "audit", width: 1600, height: 3000)
      try Self.checkScreenshot(screenshot)
      #expect(dom.contains("<section id=\"extremes\">") && !dom.contains("http://") && !dom.contains("https://"))

      // Histograms: a count axis reaching the tallest bar, bars summing to n, bin edges from min to max.
      let distributions = try #require(report["distributions"] as? [[String: Any]])
      let trainRanking = try #require(distributions.first { $0["split"] as? String == "train" && $0["indicator"] as? String == "si-mean" })
      let figures = Self.elements("figure", in: Self.section("distributions", in: dom))
      #expect(figures.count == distributions.count)
      for figure in figures {
        let histogram = try #require(Self.elements("svg", in: figure).first { $0.contains("class=\"histogram\"") })
        let counts = Self.texts(ofClass: "tick y", in: histogram).compactMap { Int($0) }
        let bars = Self.attribute("data-count", in: histogram).compactMap { Int($0) }
        #expect(counts.first == 0 && counts.count >= 2 && (counts.last ?? 0) >= (bars.max() ?? 1), "\(figure.prefix(80))")
        // Bin edges: at least three labels; whole numbers: one per bin up to eight.
        #expect(Self.texts(ofClass: "tick x", in: histogram).count >= (histogram.contains("data-value=") ? 1 : 3))
      }
      let ranking = try #require(figures.first { $0.contains("data-indicator=\"si-mean\" data-split=\"train\"") })
      let histogram = try #require(Self.elements("svg", in: ranking).first)
      #expect(Self.attribute("data-count", in: histogram).compactMap { Int($0) } == (trainRanking["histogram"] as? [Int] ?? []).filter { $0 > 0 })
      let edges = Self.attribute("data-edge", in: histogram).compactMap { Double($0) }
      let minimum = try #require(trainRanking["minimum"] as? Double), maximum = try #require(trainRanking["maximum"] as? Double)
      #expect(edges.count >= 3 && abs(edges[0] - minimum) < 1e-9 && abs((edges.last ?? 0) - maximum) < 1e-9 * max(1, maximum))
      for (label, edge) in zip(Self.texts(ofClass: "tick x", in: histogram), edges) {
        #expect(abs((Double(label) ?? .nan) - edge) <= 1e-3 * max(1, abs(edge)), "tick \(label) at \(edge)")
      }

      // Cut-offs: the default quantile policy's drop and band quantiles of the training si-mean
      // values, marked on that histogram only, each labelled with its value.
      let sorted = try #require(trainRanking["sorted_values"] as? [Double])
      let marks = Self.elements("g", in: histogram).filter { $0.contains("class=\"cutoff\"") }
      #expect(marks.count == 3)
      for (mark, q) in zip(marks, [0.1, 0.4, 0.8]) {
        let expected = Self.quantile(sorted, q)
        #expect(Self.attribute("data-quantile", in: mark).first.flatMap(Double.init) == q)
        let value = try #require(Self.attribute("data-value", in: mark).first.flatMap(Double.init))
        #expect(abs(value - expected) < 1e-9, "q\(q)")
        #expect(mark.contains("q\(q) = \(String(format: "%.4g", expected))"), "\(mark)")
      }
      #expect(figures.filter { $0.contains("class=\"cutoff\"") }.count == 1)

      // Pixel shares: one chart per split; the validation split's equal the shares counted here
      // from its label files.
      let shares = Self.elements("figure", in: Self.section("class-shares", in: dom))
      #expect(Set(shares.compactMap { Self.attribute("data-split", in: $0).first }) == ["train", "val"])
      let names = LabelSpace.cityscapes.classNames
      let samples = try Catalog(path: catalog).samples(status: .ok)
      var pixels = [Int](repeating: 0, count: 256)
      for sample in samples where sample.split == .val {
        let labels = try LabelFiles.convert(contentsOf: root + "/" + (sample.labelPath ?? ""), labels: DatasetLabels(format: .cityscapes)).labels.image
        for value in labels.samples { pixels[Int(value)] += 1 }
      }
      let valid = Double(pixels[0..<names.count].reduce(0, +))
      let validation = try #require(shares.first { $0.contains("data-split=\"val\"") })
      let bars = Self.elements("g", in: validation).filter { $0.contains("class=\"share\"") }
      #expect(bars.count == pixels[0..<names.count].filter { $0 > 0 }.count && bars.count >= 3)
      for bar in bars {
        let name = try #require(Self.attribute("data-class", in: bar).first)
        let share = try #require(Self.attribute("data-share", in: bar).first.flatMap(Double.init))
        let trainId = try #require(names.firstIndex(of: name))
        #expect(abs(share - Double(pixels[trainId]) / valid) < 1e-12, "\(name)")
      }

      // The legend: every class of the label space in its palette colour, beside the overlays.
      let extremes = Self.section("extremes", in: dom)
      #expect(extremes.components(separatedBy: "alt=\"label overlay\"").count - 1 == 14, "14 training samples: each once")
      let legend = try #require(Self.elements("aside", in: extremes).first)
      let legendStart = extremes.range(of: "<aside")?.lowerBound, lastOverlay = extremes.range(of: "alt=\"label overlay\"", options: .backwards)?.lowerBound
      #expect(legendStart != nil && lastOverlay != nil && legendStart! > lastOverlay!, "the legend follows the overlays")
      #expect(legend.contains("data-label-space=\"cityscapes-trainid-19\""))
      for labelClass in LabelSpace.cityscapes.classes {
        let color = String(format: "#%02x%02x%02x", labelClass.color.red, labelClass.color.green, labelClass.color.blue)
        #expect(legend.contains("data-class=\"\(labelClass.name)\""), "\(labelClass.name)")
        #expect(legend.contains("background:\(color)") || legend.contains("background: \(color)"), "\(labelClass.name) \(color)")
      }
    }
  }

  /// The screenshot decodes, is not blank, and the page uses its width: the right fifth of the
  /// window holds content in a good part of the rows that hold any.
  static func checkScreenshot(_ path: String) throws {
    guard case .uint8(let image)? = try? ImageDecoder().decode(contentsOf: path).image else {
      Issue.record("\(path): the screenshot does not decode")
      return
    }
    #expect(image.width == 1600 && image.height == 3000 && image.channels >= 3)
    func isBackground(_ x: Int, _ y: Int) -> Bool { (0..<3).allSatisfy { image[x, y, $0] == 255 } }
    var colors = Set<Int>()
    var rows = 0, rowsReachingRight = 0
    for y in 0..<image.height {
      var any = false
      for x in stride(from: 0, to: image.width, by: 2) where !isBackground(x, y) {
        any = true
        colors.insert(Int(image[x, y, 0]) << 16 | Int(image[x, y, 1]) << 8 | Int(image[x, y, 2]))
      }
      if any { rows += 1 }
      if (image.width * 4 / 5..<image.width - 4).contains(where: { !isBackground($0, y) }) { rowsReachingRight += 1 }
    }
    #expect(colors.count >= 200, "distinct colours: \(colors.count)")
    #expect(rows >= image.height / 2, "rows with content: \(rows)")
    #expect(Double(rowsReachingRight) >= 0.5 * Double(rows), "rows reaching the right fifth: \(rowsReachingRight) of \(rows)")
  }

  /// The inner HTML of `<section id="id">`, or "".
  static func section(_ id: String, in html: String) -> String {
    guard let start = html.range(of: "<section id=\"\(id)\">"),
      let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex)
    else { return "" }
    return String(html[start.upperBound..<end.lowerBound])
  }

  /// Every outermost `<tag …>…</tag>` in `html` (same-tag nesting counted).
  static func elements(_ tag: String, in html: String) -> [String] {
    var result: [String] = []
    var index = html.startIndex
    while let open = html.range(of: "<\(tag)[ >]", options: .regularExpression, range: index..<html.endIndex) {
      var depth = 0
      var cursor = open.lowerBound
      var end: String.Index?
      while let next = html.range(of: "<\(tag)[ >]|</\(tag)>", options: .regularExpression, range: cursor..<html.endIndex) {
        depth += html[next].hasPrefix("</") ? -1 : 1
        cursor = next.upperBound
        if depth == 0 {
          end = next.upperBound
          break
        }
      }
      guard let end else { break }
      result.append(String(html[open.lowerBound..<end]))
      index = end
    }
    return result
  }

  /// The values of `name="…"` in `html`, in order.
  static func attribute(_ name: String, in html: String) -> [String] {
    html.components(separatedBy: " \(name)=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
  }

  /// The text of every `<text class="cls" …>` element.
  static func texts(ofClass cls: String, in html: String) -> [String] {
    html.components(separatedBy: "<text class=\"\(cls)\"").dropFirst().map { rest in
      String(rest.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
    }
  }

  /// numpy's default quantile (linear interpolation between order statistics).
  static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
    return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - Double(lower))
  }
}
