import Foundation
import ImageCodecs
import TestSupport
import Testing

/// The audit page's sample browser in headless Chromium: a test page drives it in an iframe (sorts
/// by a column twice, filters, clicks a row) and reports what the page shows; the screenshot shows
/// the clicked sample's label over its image in the classes' colours.
@Suite(.enabled(if: chromiumPath != nil, "chromium is not installed (apt-get install chromium); the audit page is not rendered"))
struct SampleBrowserPageTests {
  static let driver = """
    <!DOCTYPE html><html><body style="margin:0"><pre id="result" style="display:none"></pre>
    <iframe id="page" src="audit.html" style="border:0;width:1400px;height:9000px"></iframe><script>
    document.getElementById("page").addEventListener("load", function () {
      var frame = this, doc = frame.contentDocument, out = {};
      function keys() { return Array.prototype.map.call(doc.querySelectorAll("#sample-table tbody tr"), function (row) { return row.getAttribute("data-key"); }); }
      out.initial = keys();
      var header = doc.querySelector('#sample-table th[data-column="si-mean"]');
      header.click(); out.ascending = keys(); out.sort = header.getAttribute("aria-sort");
      header.click(); out.descending = keys();
      var filter = doc.getElementById("sample-filter"); filter.value = "aachen"; filter.dispatchEvent(new Event("input"));
      out.filtered = keys(); out.count = doc.getElementById("sample-count").textContent;
      doc.querySelector("#sample-table tbody tr td:nth-child(2)").click();
      var detail = doc.getElementById("sample-detail");
      out.detail = detail.getAttribute("data-key");
      out.images = Array.prototype.map.call(detail.querySelectorAll("img"), function (img) { return [img.getAttribute("src"), img.getAttribute("style")]; });
      // Once the pictures have loaded (virtual time), measure them on the whole page (the frame is
      // taller than it, so nothing scrolls).
      setTimeout(function () {
        out.height = doc.documentElement.scrollHeight;
        out.boxes = Array.prototype.map.call(detail.querySelectorAll("figure"), function (figure) {
          var box = figure.querySelector("img").getBoundingClientRect();
          return [Math.round(box.left), Math.round(box.top), Math.floor(box.width), Math.floor(box.height)];
        });
        document.getElementById("result").textContent = JSON.stringify(out);
      }, 2000);
    });
    </script></body></html>
    """

  @Test func sortingFilteringAndOneClickShowTheSampleAndItsLabelInClassColours() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data", catalog = directory + "/c.sqlite"
      #expect(try runDance(["synth", "--format", "cityscapes", "--out", root, "--train", "14", "--val", "3", "--seed", "5"]).status == 0)
      #expect(try runDance(["score", root, "--catalog", catalog]).status == 0)
      #expect(try runDance(["audit", "--catalog", catalog, "--html", directory + "/audit.html"]).status == 0)
      let table = try runDance(["audit", "--catalog", catalog, "--json"])
      let report = try #require(try JSONSerialization.jsonObject(with: Data(table.standardOutput.utf8)) as? [String: Any])
      let rows = try #require(report["table"] as? [[String: Any]]).filter { $0["split"] as? String == "train" }
      let siMean = Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as? String ?? "", ($0["values"] as? [String: Double])?["si-mean"] ?? 0) })
      try Data(Self.driver.utf8).write(to: URL(fileURLWithPath: directory + "/driver.html"))

      let (dom, screenshot) = try Chromium.render(directory + "/driver.html", in: directory, name: "browser", width: 1400, height: 9000, scripted: true)
      let json = try #require(dom.components(separatedBy: "<pre id=\"result\" style=\"display:none\">").dropFirst().first?.components(separatedBy: "</pre>").first)
      let out = try #require(try JSONSerialization.jsonObject(with: Data(json.replacingOccurrences(of: "&quot;", with: "\"").utf8)) as? [String: Any])
      let ascending = try #require(out["ascending"] as? [String])
      #expect((out["initial"] as? [String])?.count == 14 && out["sort"] as? String == "ascending")
      #expect(ascending == siMean.keys.sorted { (siMean[$0]!, $0) < (siMean[$1]!, $1) }, "sorted by si-mean")
      #expect(out["descending"] as? [String] == ascending.reversed())
      let filtered = try #require(out["filtered"] as? [String])
      #expect(!filtered.isEmpty && filtered.allSatisfy { $0.contains("aachen") } && out["count"] as? String == "\(filtered.count) of 14 samples")
      #expect(out["detail"] as? String == filtered.first)
      let images = try #require(out["images"] as? [[Any]])
      let stem = try #require(filtered.first?.split(separator: "/").last)
      #expect(images.count == 3 && (images[0][0] as? String)?.hasSuffix("/\(stem)_leftImg8bit.png") == true)
      #expect((images[2][0] as? String)?.hasSuffix("/\(stem)_gtFine_labelIds.png") == true && images[2][1] as? String == "filter:url(#lut0)")
      let boxes = try #require(out["boxes"] as? [[Int]])
      #expect((out["height"] as? Int ?? .max) <= 9000, "the page fits the frame")
      try Self.checkOverlay(screenshot, image: boxes[0], overlay: boxes[1])
    }
  }

  /// Over the clicked sample, the overlay pixel is half the image pixel beside it and half a class
  /// colour: `2 · overlay − image` is a Cityscapes colour (or black, for ignored values) at most
  /// sampled points.
  static func checkOverlay(_ path: String, image: [Int], overlay: [Int]) throws {
    guard case .uint8(let shot)? = try? ImageDecoder().decode(contentsOf: path).image else {
      Issue.record("\(path): the screenshot does not decode")
      return
    }
    let colors: [(Int, Int, Int)] = [(0, 0, 0), (128, 64, 128), (244, 35, 232), (70, 70, 70), (102, 102, 156), (190, 153, 153),
      (153, 153, 153), (250, 170, 30), (220, 220, 0), (107, 142, 35), (152, 251, 152), (70, 130, 180), (220, 20, 60), (255, 0, 0),
      (0, 0, 142), (0, 0, 70), (0, 60, 100), (0, 80, 100), (0, 0, 230), (119, 11, 32)]
    try #require(image.count == 4 && overlay.count == 4 && image[2] > 100 && image[2] == overlay[2] && image[3] == overlay[3],
                 "two pictures of one size: \(image) \(overlay)")
    try #require(overlay[0] + overlay[2] <= shot.width && image[1] + image[3] <= shot.height, "both inside the screenshot")
    var matching = 0, sampled = 0
    for y in stride(from: image[1] + 3, to: image[1] + image[3] - 3, by: 7) {
      for x in stride(from: 3, to: image[2] - 3, by: 7) {
        let i = (0..<3).map { Int(shot[image[0] + x, y, $0]) }, o = (0..<3).map { Int(shot[overlay[0] + x, y, $0]) }
        let color = (0..<3).map { 2 * o[$0] - i[$0] }
        sampled += 1
        if colors.contains(where: { abs($0.0 - color[0]) <= 12 && abs($0.1 - color[1]) <= 12 && abs($0.2 - color[2]) <= 12 }) { matching += 1 }
      }
    }
    #expect(sampled > 100 && Double(matching) >= 0.7 * Double(sampled), "\(matching) of \(sampled) points show a class colour")
  }
}
