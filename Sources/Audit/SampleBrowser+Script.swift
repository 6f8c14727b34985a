extension SampleBrowser {
  /// The browser's script: sorts, filters and pages the rows of the embedded JSON, draws one page
  /// of the table (thumbnails with `loading="lazy"`), and on a click shows the sample's image and
  /// its label over it (a gray label through its SVG colour filter, nearest-neighbour scaled).
  static let script = """
    (function () {
      "use strict";
      var data = JSON.parse(document.getElementById("sample-data").textContent);
      var pageSize = \(pageSize), order = null, descending = false, page = 0, selectedKey = null;
      var table = document.getElementById("sample-table"), body = table.tBodies[0];
      var filter = document.getElementById("sample-filter"), decision = document.getElementById("sample-decision");
      var detail = document.getElementById("sample-detail");
      var fixed = { key: 0, decision: 5, scale: 6, weight: 7, rank: 8 };
      function value(row, column) {
        if (column === "decision") { return row[5] === null ? null : row[5] ? "keep" : "drop"; }
        var index = column in fixed ? fixed[column] : 9 + data.indicators.indexOf(column);
        return row[index];
      }
      function escape(text) {
        return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
      }
      function url(row, path) {
        return "file://" + (data.roots[row[1]] + "/" + path).split("/").map(encodeURIComponent).join("/");
      }
      function shown(number) { return number === null ? "–" : String(Number(number.toPrecision(4))); }
      function visible() {
        var text = filter.value.toLowerCase(), wanted = decision.value;
        var rows = data.rows.filter(function (row) {
          return (!text || row[0].toLowerCase().indexOf(text) >= 0) && (!wanted || value(row, "decision") === wanted);
        });
        if (order !== null) {
          rows.sort(function (a, b) {
            var x = value(a, order), y = value(b, order);
            if (x === y) { return a[0] < b[0] ? -1 : 1; }
            if (x === null) { return 1; }
            if (y === null) { return -1; }
            return (x < y ? -1 : 1) * (descending ? -1 : 1);
          });
        }
        return rows;
      }
      function render() {
        var rows = visible(), pages = Math.max(1, Math.ceil(rows.length / pageSize));
        page = Math.min(page, pages - 1);
        var html = "";
        rows.slice(page * pageSize, (page + 1) * pageSize).forEach(function (row) {
          html += "<tr data-key=\\"" + escape(row[0]) + "\\"" + (row[0] === selectedKey ? " class=\\"selected\\"" : "") + ">"
            + "<td><img class=\\"thumb\\" loading=\\"lazy\\" alt=\\"\\" src=\\"" + escape(url(row, row[2])) + "\\"></td>"
            + "<td>" + escape(row[0]) + "</td><td>" + escape(value(row, "decision") || "–") + "</td>";
          for (var index = 6; index < row.length; index += 1) { html += "<td>" + shown(row[index]) + "</td>"; }
          html += "</tr>";
        });
        body.innerHTML = html;
        document.getElementById("sample-page").textContent = "page " + (page + 1) + " of " + pages;
        document.getElementById("sample-count").textContent = rows.length + " of " + data.rows.length + " samples";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) {
          var column = cell.getAttribute("data-column");
          if (column === null) { return; }
          cell.setAttribute("aria-sort", column === order ? (descending ? "descending" : "ascending") : "none");
        });
      }
      function show(row) {
        selectedKey = row[0];
        var overlay = row[3] === null || row[4] === null ? "<p class=\\"muted\\">no readable label file</p>"
          : "<div class=\\"stack\\"><img alt=\\"\\" src=\\"" + escape(url(row, row[2])) + "\\"><img class=\\"label\\" alt=\\"label overlay\\" src=\\""
            + escape(url(row, row[3])) + "\\"" + (row[4] === "direct" ? "" : " style=\\"filter:url(#" + row[4] + ")\\"") + "></div>";
        var values = data.indicators.map(function (name, index) {
          return "<tr><th>" + escape(name) + "</th><td>" + shown(row[9 + index]) + "</td></tr>";
        }).join("");
        detail.innerHTML = "<h3>" + escape(row[0]) + "</h3><p>" + escape(value(row, "decision") || "no decision") + ", scale "
          + shown(row[6]) + ", weight " + shown(row[7]) + ", rank " + shown(row[8]) + "</p><div class=\\"detail-pair\\"><figure>"
          + "<img alt=\\"image\\" src=\\"" + escape(url(row, row[2])) + "\\"><figcaption>image</figcaption></figure><figure>" + overlay
          + "<figcaption>label overlay</figcaption></figure></div><table>" + values + "</table>";
        detail.setAttribute("data-key", row[0]);
        render();
      }
      table.tHead.addEventListener("click", function (event) {
        var column = event.target.getAttribute && event.target.getAttribute("data-column");
        if (!column) { return; }
        descending = order === column ? !descending : false;
        order = column;
        render();
      });
      body.addEventListener("click", function (event) {
        var line = event.target.closest("tr");
        if (!line) { return; }
        var key = line.getAttribute("data-key");
        var row = data.rows.filter(function (candidate) { return candidate[0] === key; })[0];
        if (row) { show(row); }
      });
      filter.addEventListener("input", function () { page = 0; render(); });
      decision.addEventListener("change", function () { page = 0; render(); });
      document.getElementById("sample-previous").addEventListener("click", function () { page = Math.max(0, page - 1); render(); });
      document.getElementById("sample-next").addEventListener("click", function () { page += 1; render(); });
      render();
    })();

    """
}
