import DanceCore
import Datasets
import Foundation

extension SampleBrowser {
  /// The rows shown per page of the table.
  static let pageSize = 100

  /// The browser as the body of the page's `samples` section: the controls, the table's head (its
  /// body is drawn by the script, a page at a time), the detail panel, one SVG colour filter per
  /// lookup table, the data as JSON and the script. Nothing is fetched from the network.
  func html() -> String {
    let columns = ["key", "decision", "scale", "weight", "rank"] + indicators
    var html = "<p class=\"muted\">All \(rows.count) training samples. Click a column to sort (again to reverse), type to filter "
      + "the keys, choose a decision; click a row for its image and label overlay. Decisions, scales and weights are those of "
      + "<code>\(AuditHTML.escape(policy))</code>, what <code>dance slim</code> does by default. Pictures are the dataset's own files, "
      + "read from the disk when shown (thumbnails as their rows appear); the page embeds none of them.</p>"
    html += "<div class=\"browser-controls\"><input id=\"sample-filter\" type=\"search\" placeholder=\"filter keys\" aria-label=\"filter keys\">"
      + "<select id=\"sample-decision\" aria-label=\"decision\"><option value=\"\">all decisions</option>"
      + "<option value=\"keep\">kept</option><option value=\"drop\">dropped</option></select>"
      + "<button id=\"sample-previous\" type=\"button\">previous</button><span id=\"sample-page\"></span>"
      + "<button id=\"sample-next\" type=\"button\">next</button><span id=\"sample-count\" class=\"muted\"></span></div>"
    html += "<div class=\"browser\"><div class=\"browser-table\"><table id=\"sample-table\"><thead><tr><th>image</th>"
      + columns.map { "<th data-column=\"\(AuditHTML.escape($0))\" tabindex=\"0\">\(AuditHTML.escape($0))</th>" }.joined()
      + "</tr></thead><tbody></tbody></table></div>"
      + "<aside id=\"sample-detail\"><p class=\"muted\">Click a row to see its image and label overlay.</p></aside></div>"
    html += filters() + "<script type=\"application/json\" id=\"sample-data\">" + dataJSON() + "</script>"
    return html + "<script>\n" + Self.script + "</script>"
  }

  /// One SVG filter per lookup table: it maps each gray value of a label file to its class colour
  /// (`feComponentTransfer`, a discrete table of 256 entries per channel, in sRGB).
  func filters() -> String {
    var svg = "<svg class=\"filters\" width=\"0\" height=\"0\" aria-hidden=\"true\">"
    for (index, lookup) in lookups.enumerated() {
      func table(_ channel: (RGB) -> UInt8) -> String {
        lookup.colors.map { AuditHTML.number(Double(channel($0)) / 255) }.joined(separator: " ")
      }
      svg += "<filter id=\"lut\(index)\" data-encoding=\"\(AuditHTML.escape(lookup.encoding))\" color-interpolation-filters=\"sRGB\">"
        + "<feComponentTransfer><feFuncR type=\"discrete\" tableValues=\"\(table(\.red))\"/>"
        + "<feFuncG type=\"discrete\" tableValues=\"\(table(\.green))\"/><feFuncB type=\"discrete\" tableValues=\"\(table(\.blue))\"/>"
        + "</feComponentTransfer></filter>"
    }
    return svg + "</svg>"
  }

  /// The rows as compact JSON: `{"indicators", "roots", "rows"}`, each row
  /// `[key, root, image, label, overlay, keep, scale, weight, rank, values…]` (overlay `lut<i>`,
  /// `direct` or null; keep 1, 0 or null); `<` is escaped so that the data cannot end its script element.
  func dataJSON() -> String {
    func number(_ value: Double?) -> String {
      guard let value, value.isFinite else { return "null" }
      return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.6g", value)
    }
    var json = "{\"indicators\":" + Self.jsonArray(indicators) + ",\"roots\":" + Self.jsonArray(roots) + ",\"rows\":["
    for (index, row) in rows.enumerated() {
      let overlay: String
      switch row.overlay {
      case .lookup(let table)?: overlay = "\"lut\(table)\""
      case .direct?: overlay = "\"direct\""
      case nil: overlay = "null"
      }
      let keep = row.keep.map { $0 ? "1" : "0" } ?? "null"
      json += (index == 0 ? "[" : ",[") + [
        Self.jsonString(row.key.rawValue), String(row.root), Self.jsonString(row.image), row.label.map(Self.jsonString) ?? "null", overlay, keep,
        number(row.scale), number(row.weight), number(row.rank),
      ].joined(separator: ",") + row.values.map { "," + number($0) }.joined() + "]"
    }
    return json.replacingOccurrences(of: "<", with: "\\u003c") + "]}"
  }

  static func jsonArray(_ texts: [String]) -> String { "[" + texts.map(jsonString).joined(separator: ",") + "]" }

  static func jsonString(_ text: String) -> String {
    let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
