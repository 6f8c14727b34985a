import Foundation
import ImageCodecs
import TestSupport
import Testing

/// `dance inspect` end to end: the real executable, its output and its exit codes.
@Suite struct InspectCommandTests {
  static func makeFiles(in directory: String) throws -> (png: String, jpeg: String, bad: String) {
    let image = Image8(width: 6, height: 4, channels: 3, repeating: 90)
    let png = directory + "/good.png"
    let jpeg = directory + "/photo.jpg"
    let bad = directory + "/broken.png"
    try writeFile(try PNGEncoder().encode(image), to: png)
    try writeFile(try JPEGEncoder().encode(image), to: jpeg)
    try writeFile(Array(try PNGEncoder().encode(image).prefix(40)), to: bad)
    return (png, jpeg, bad)
  }

  @Test func goodFilesPrintATableAndExitZero() throws {
    try withTemporaryDirectory { directory in
      let files = try Self.makeFiles(in: directory)
      let run = try runDance(["inspect", files.png, files.jpeg])
      #expect(run.status == 0)
      #expect(run.standardError.isEmpty)
      let lines = run.standardOutput.split(separator: "\n")
      #expect(lines.count == 3)
      #expect(lines[1].contains(files.png) && lines[1].contains("png") && lines[1].contains("6×4"))
      #expect(lines[2].contains("jpeg") && lines[2].contains("YCbCr baseline"))
    }
  }

  @Test func aBadFileIsNamedOnStderrAndTheExitCodeIsOne() throws {
    try withTemporaryDirectory { directory in
      let files = try Self.makeFiles(in: directory)
      let run = try runDance(["inspect", files.png, files.bad, directory + "/missing.png"])
      #expect(run.status == 1)
      let errors = run.standardError.split(separator: "\n")
      #expect(errors.count == 2)
      #expect(errors[0].hasPrefix("dance: \(files.bad): corrupt or truncated PNG"))
      #expect(errors[1] == "dance: \(directory)/missing.png: cannot read the file: no such file")
      #expect(run.standardOutput.contains(files.png))
    }
  }

  @Test func jsonOutputParses() throws {
    try withTemporaryDirectory { directory in
      let files = try Self.makeFiles(in: directory)
      let run = try runDance(["inspect", "--json", files.png, files.jpeg])
      #expect(run.status == 0)
      let reports = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [[String: Any]]
      #expect(reports?.count == 2)
      #expect(reports?.first?["width"] as? Int == 6)
      #expect(reports?.first?["channels"] as? Int == 3)
      #expect(reports?.last?["codec"] as? String == "jpeg")
    }
  }

  @Test func summaryCountsKinds() throws {
    try withTemporaryDirectory { directory in
      let files = try Self.makeFiles(in: directory)
      let run = try runDance(["inspect", "--summary", files.png, files.jpeg, files.bad])
      #expect(run.status == 1)
      #expect(run.standardOutput.contains("2 decoded, 1 failed"))
    }
  }

  @Test func missingArgumentIsAUsageError() throws {
    let run = try runDance(["inspect"])
    #expect(run.status == 2)
    #expect(run.standardError.contains("Missing expected argument"))
  }
}
