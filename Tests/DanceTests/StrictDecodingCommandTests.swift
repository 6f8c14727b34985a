import Catalog
import Foundation
import ImageCodecs
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Issue 12 through the real executable: non-regular files never hang `dance scan` or `dance
/// inspect` (B4), a header-only scan catches truncation (B5), and `--lenient` accepts damaged
/// files with a warning on stderr and in the catalog (B1).
@Suite struct StrictDecodingCommandTests {
  /// Runs `dance` like ``runDance(_:environment:)`` but gives up after `seconds`: a run still going
  /// then is killed and recorded as a hang.
  static func runDance(_ arguments: [String], seconds: Double = 60) throws -> DanceRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
      .appendingPathComponent("dance")
    process.arguments = arguments
    let output = Pipe()
    let error = Pipe()
    process.standardOutput = output
    process.standardError = error
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    let outputData = LockedData()
    let errorData = LockedData()
    Thread { outputData.set(output.fileHandleForReading.readDataToEndOfFile()) }.start()
    Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }.start()
    if exited.wait(timeout: .now() + seconds) == .timedOut {
      Issue.record("dance \(arguments.joined(separator: " ")) hung for \(seconds) s")
      process.terminate()
      exited.wait()
    }
    while !outputData.isSet || !errorData.isSet { usleep(1000) }
    return DanceRun(
      status: process.terminationStatus, standardOutput: String(decoding: outputData.value, as: UTF8.self),
      standardError: String(decoding: errorData.value, as: UTF8.self))
  }

  /// A CamVid dataset of two training samples; returns the root and one training image's name.
  static func makeDataset(in directory: String) throws -> (root: String, image: String) {
    let root = directory + "/camvid"
    let synth = try Self.runDance(["synth", "--format", "camvid", "--out", root, "--train", "2", "--val", "1", "--test", "1"])
    #expect(synth.status == 0)
    let image = try FileManager.default.contentsOfDirectory(atPath: root + "/train").sorted()[0]
    return (root, image)
  }

  @Test func inspectRefusesAFIFOAndADeviceWithoutHanging() throws {
    try withTemporaryDirectory { directory in
      let fifo = directory + "/pipe.png"
      #expect(mkfifo(fifo, 0o600) == 0)
      let run = try Self.runDance(["inspect", fifo, "/dev/zero"], seconds: 30)
      #expect(run.status == 1)
      #expect(run.standardError.contains("dance: \(fifo): not a regular file (a FIFO (named pipe))"))
      #expect(run.standardError.contains("dance: /dev/zero: not a regular file (a character device)"))
    }
  }

  @Test func scanReportsAFIFOAndASymlinkLoopWithoutHanging() throws {
    try withTemporaryDirectory { directory in
      let (root, image) = try Self.makeDataset(in: directory)
      let images = try FileManager.default.contentsOfDirectory(atPath: root + "/train").sorted()
      try FileManager.default.removeItem(atPath: root + "/train/" + image)
      #expect(mkfifo(root + "/train/" + image, 0o600) == 0)
      try FileManager.default.removeItem(atPath: root + "/train/" + images[1])
      #expect(symlink(root + "/train/" + images[1], root + "/train/" + images[1]) == 0)
      for verify in [false, true] {
        let run = try Self.runDance(
          ["scan", root, "--catalog", directory + "/c.sqlite"] + (verify ? ["--verify-images"] : []), seconds: 60)
        #expect(run.status == 0 || run.status == 3)
        #expect(run.standardOutput.contains("stray-file: train/\(image): not a regular file or directory"))
        #expect(run.standardOutput.contains("symlink-loop: train/\(images[1]): symbolic link loop"))
        #expect(!run.standardOutput.contains("unreadable"))
      }
    }
  }

  @Test func aHeaderOnlyScanCatchesATruncatedImageAndLenientRecordsIt() throws {
    try withTemporaryDirectory { directory in
      let (root, image) = try Self.makeDataset(in: directory)
      let path = root + "/train/" + image
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      try writeFile(Array(bytes.prefix(bytes.count - 12)), to: path)  // IEND gone
      let strict = try Self.runDance(["scan", root, "--catalog", directory + "/strict.sqlite"])
      #expect(strict.status == 3)
      #expect(strict.standardOutput.contains("undecodable-image: train/\(image)"))
      #expect(strict.standardOutput.contains("IEND"))
      let lenient = try Self.runDance(["scan", root, "--catalog", directory + "/lenient.sqlite", "--lenient"])
      #expect(lenient.status == 0)
      #expect(lenient.standardError.contains("dance: warning: \(root)/train/\(image): the file does not end with an IEND chunk"))
      let recorded = try Catalog(path: directory + "/lenient.sqlite").decodeWarnings()
      #expect(recorded.map(\.command) == ["scan"])
      #expect(recorded.first?.path.hasSuffix("/train/" + image) == true)
    }
  }

  @Test func inspectRefusesCorruptJPEGDataUnlessLenient() throws {
    try withTemporaryDirectory { directory in
      let valid = try JPEGEncoder().encode(Image8(width: 16, height: 16, channels: 3, repeating: 100))
      // Junk between the first segment and the next marker: "3 extraneous bytes before marker".
      let end = 4 + (Int(valid[4]) << 8 | Int(valid[5]))
      let path = directory + "/junk.jpg"
      try writeFile(Array(valid[..<end]) + [1, 2, 3] + Array(valid[end...]), to: path)
      let strict = try Self.runDance(["inspect", path])
      #expect(strict.status == 1)
      #expect(strict.standardError.contains("\(path): corrupt JPEG data: Corrupt JPEG data: 3 extraneous bytes"))
      let lenient = try Self.runDance(["inspect", "--lenient", path])
      #expect(lenient.status == 0)
      #expect(lenient.standardError.contains("dance: warning: \(path): Corrupt JPEG data: 3 extraneous bytes"))
      #expect(lenient.standardOutput.contains("16×16"))
    }
  }

  /// The issue's case: a JPEG of under 1 KB whose frame header claims 16000 × 16000 took 17 s and
  /// 5 GB in `dance complexity` and printed garbage with exit 0.
  @Test func complexityRefusesAnImplausibleJPEGAtOnce() throws {
    try withTemporaryDirectory { directory in
      var jpeg = try JPEGEncoder().encode(Image8(width: 16, height: 16, channels: 3, repeating: 60))
      let sof = try #require((0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
      jpeg.replaceSubrange(sof + 5..<sof + 9, with: [0x3E, 0x80, 0x3E, 0x80])
      let path = directory + "/big.jpg"
      try writeFile(jpeg, to: path)
      let start = Date()
      let run = try Self.runDance(["complexity", path], seconds: 30)
      #expect(Date().timeIntervalSince(start) < 10)
      #expect(run.status != 0)
      #expect(run.standardError.contains("\(path): the header claims 16000×16000 pixels"))
    }
  }

  @Test func lenientScoreAndSlimAcceptAndRecordAndAStrictRescanJudgesAgain() throws {
    try withTemporaryDirectory { directory in
      let (root, image) = try Self.makeDataset(in: directory)
      let path = root + "/train/" + image
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
      try writeFile(bytes + [0, 0, 0, 0], to: path)  // data after IEND
      let catalog = directory + "/c.sqlite"
      #expect(try Self.runDance(["scan", root, "--catalog", catalog]).status == 3)
      let score = try Self.runDance(["score", root, "--catalog", catalog, "--lenient"])
      #expect(score.status == 0)
      #expect(score.standardError.contains("dance: warning: \(path): the file does not end with an IEND chunk"))
      let recorded = try Catalog(path: catalog).decodeWarnings()
      #expect(recorded.map(\.command) == ["score"])
      #expect(recorded.allSatisfy { $0.path == path && $0.message.contains("IEND") })
      // Slim (scaled samples are decoded) accepts it too; every image is read in lenient mode.
      let slim = try Self.runDance(["slim", root, "--out", directory + "/out", "--catalog", catalog, "--lenient"])
      #expect(slim.status == 0)
      // A strict rescan judges the file again: bad, and the lenient warnings are forgotten.
      #expect(try Self.runDance(["scan", root, "--catalog", catalog]).status == 3)
      #expect(try Catalog(path: catalog).decodeWarnings().isEmpty)
    }
  }
}
