import DanceCore
import Foundation
import TestSupport
import Testing

/// The one rule every writing command shares (issue 25, A): a destination apart from the inputs,
/// no two outputs on one file, and never a file replaced or removed that Dance did not write.
@Suite struct OutputGuardTests {
  @Test func aDestinationThatIsContainsOrLiesInsideAnInputIsRefusedThroughLinks() throws {
    try withTemporaryDirectory { directory in
      try FileManager.default.createDirectory(atPath: directory + "/data/val", withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(atPath: directory + "/link", withDestinationPath: directory + "/data")
      for destination in ["data", "data/val/new", ".", "link", "link/val"] {
        #expect(throws: OutputGuardError.self, "\(destination)") {
          try OutputGuard.checkApart(directory + "/" + destination, from: [directory + "/data"], role: "the output")
        }
      }
      try OutputGuard.checkApart(directory + "/out", from: [directory + "/data"], role: "the output")
      try OutputGuard.checkApart(directory + "/data-predictions", from: [directory + "/data"], role: "the output")
    }
  }

  @Test func twoOutputsOnOneFileAreRefusedNamingBothSources() {
    #expect(throws: OutputGuardError.refused(
      path: "/o/./k_overlay.png",
      reason: "both x/k.png and y/k.png would be written here, and the second would replace the first; "
        + "give inputs with distinct names or run them separately")) {
      try OutputGuard.checkDistinct([("/o/k_overlay.png", "x/k.png"), ("/o/./k_overlay.png", "y/k.png")])
    }
  }

  @Test func aDirectoryThatIsAFileOrADanglingLinkIsRefused() throws {
    try withTemporaryDirectory { directory in
      try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/file"))
      try FileManager.default.createSymbolicLink(atPath: directory + "/dangling", withDestinationPath: directory + "/nothing")
      #expect(throws: OutputGuardError.self) { try OutputGuard.checkDirectory(directory + "/file", role: "--to") }
      #expect(throws: OutputGuardError.self) { try OutputGuard.checkDirectory(directory + "/dangling", role: "--to") }
      try OutputGuard.checkDirectory(directory + "/new", role: "--to")
      try OutputGuard.checkDirectory(directory, role: "--to")
    }
  }

  @Test func aFileTheRecordDoesNotListIsNeverReplacedNorALinkFollowed() throws {
    try withTemporaryDirectory { directory in
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/user.png"))
      try Data("target".utf8).write(to: URL(fileURLWithPath: directory + "/target"))
      try FileManager.default.createSymbolicLink(atPath: directory + "/link.png", withDestinationPath: directory + "/target")
      let written = try WrittenFiles(directory: directory)
      for name in ["user.png", "link.png", "../escape.png", "a/../../escape.png"] {
        #expect(throws: OutputGuardError.self, "\(name)") { try written.write([1, 2, 3], to: name) }
      }
      #expect(try String(contentsOfFile: directory + "/user.png", encoding: .utf8) == "mine")
      #expect(try String(contentsOfFile: directory + "/target", encoding: .utf8) == "target")
      #expect(!FileManager.default.fileExists(atPath: directory + "/../escape.png"))
      #expect(written.files.isEmpty)
    }
  }

  @Test func whatTheRecordListsIsReplacedAndRemovedAndNothingElse() throws {
    try withTemporaryDirectory { directory in
      let written = try WrittenFiles(directory: directory + "/out")
      try written.claim(["a/one.png", "two.png"])
      try written.write([1], to: "a/one.png")
      try written.write([2], to: "two.png")
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/out/mine.txt"))
      // A second command reads the record back and may replace what it lists.
      let again = try WrittenFiles(directory: directory + "/out")
      #expect(again.files == ["a/one.png", "two.png"])
      try again.write([3], to: "two.png")
      #expect(again.unlisted() == ["mine.txt"])
      try again.removeAll()
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/out") == ["mine.txt"])
    }
  }
}
