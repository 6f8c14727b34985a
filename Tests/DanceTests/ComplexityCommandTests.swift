import Foundation
import ImageCodecs
import TestSupport
import Testing

@Suite struct ComplexityCommandTests {
  @Test func constantAndStepImages() throws {
    try withTemporaryDirectory { directory in
      let flat = directory + "/flat.png"
      try writeFile(try PNGEncoder().encode(Image8(width: 8, height: 6, channels: 1, repeating: 77)), to: flat)
      var step = Image8(width: 8, height: 6, channels: 1)
      for y in 0..<6 { for x in 4..<8 { step[x, y] = 100 } }
      let stepPath = directory + "/step.png"
      try writeFile(try PNGEncoder().encode(step), to: stepPath)
      let run = try runDance(["complexity", "--json", "--indicators", "si-mean,si", flat, stepPath])
      #expect(run.status == 0)
      let rows = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]])
      #expect(rows.count == 2)
      #expect(rows[0]["si-mean"] as? Double == 0 && rows[0]["si"] as? Double == 0)
      // Interior 6×4: the two columns beside the edge have magnitude 400, the other four 0.
      let mean = try #require(rows[1]["si-mean"] as? Double)
      #expect(abs(mean - 400.0 / 3) < 1e-9)
    }
  }

  @Test func labelsNeedAFormatAndBadFilesFail() throws {
    try withTemporaryDirectory { directory in
      #expect(try runDance(["complexity", "--label", directory + "/x.png"]).status == 2)
      let run = try runDance(["complexity", directory + "/missing.png"])
      #expect(run.status == 1 && run.standardError.contains("missing.png"))
    }
  }
}
