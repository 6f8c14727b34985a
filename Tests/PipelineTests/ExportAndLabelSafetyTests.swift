import DanceCore
import Datasets
import Foundation
import OutputStore
import Pipeline
import Synthetic
import TestSupport
import Testing

/// Issue 25: the exports write nothing half-done and refuse what is not a directory (C15, D23–D25);
/// `dance label --all` never regenerates a train-id file that is there (A6).
@Suite(.serialized) struct ExportAndLabelSafetyTests {
  @Test func anExportDestinationThatIsAFileOrADanglingLinkIsRefusedAsUsage() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try ShardVerifierTests.slimmed(in: directory)
      try Data("mine".utf8).write(to: URL(fileURLWithPath: directory + "/file.png"))
      try FileManager.default.createSymbolicLink(atPath: directory + "/dangling", withDestinationPath: directory + "/nothing")
      for destination in ["file.png", "dangling"] {
        for export in [{ () throws in _ = try FolderExport.run(output: slimmed.output, layout: nil, to: directory + "/" + destination) },
                       { () throws in _ = try MDSExport.run(output: slimmed.output, to: directory + "/" + destination) }] {
          #expect(throws: OutputStoreError.self) { try export() }
          do { try export() } catch let error as OutputStoreError { #expect(error.isUsageError, "\(error)") }
        }
      }
      #expect(try String(contentsOfFile: directory + "/file.png", encoding: .utf8) == "mine")
      #expect(!FileManager.default.fileExists(atPath: directory + "/nothing"))
    }
  }

  /// C15: a finished folder export is marked complete; one left unfinished is refused by scan and
  /// replaced by a rerun, while a destination with a file Dance did not write is refused.
  @Test func aFolderExportIsMarkedCompleteAndAnUnfinishedOneRedone() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try ShardVerifierTests.slimmed(in: directory)
      let destination = directory + "/export"
      _ = try FolderExport.run(output: slimmed.output, layout: nil, to: destination)
      #expect(DatasetLayout.exportIsComplete(root: destination) == true)
      #expect(throws: OutputStoreError.self) { try FolderExport.run(output: slimmed.output, layout: nil, to: destination) }
      // As a kill leaves it: marked unfinished, weights.csv missing, a temporary file about.
      try Data(DatasetLayout.exportMarkerContents(complete: false)).write(to: URL(fileURLWithPath: destination + "/" + DatasetLayout.exportMarker))
      try FileManager.default.removeItem(atPath: destination + "/weights.csv")
      try Data([1, 2]).write(to: URL(fileURLWithPath: destination + "/train/.0001TP_006690.png.partial"))
      #expect(throws: DatasetError.self) { try DatasetLayout.discover(root: destination) }
      _ = try FolderExport.run(output: slimmed.output, layout: nil, to: destination)
      #expect(DatasetLayout.exportIsComplete(root: destination) == true)
      #expect(FileManager.default.fileExists(atPath: destination + "/weights.csv"))
      #expect(!FileManager.default.fileExists(atPath: destination + "/train/.0001TP_006690.png.partial"))
      #expect(try DatasetLayout.discover(root: destination).samples.count == 12)
      let other = directory + "/other"
      try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
      try Data("mine".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
      #expect(throws: OutputStoreError.self) { try FolderExport.run(output: slimmed.output, layout: nil, to: other) }
      #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["notes.txt"])
    }
  }

  /// D24 and D25: a shard size no sample fits is refused (no empty shard, none over the limit) and
  /// the failed export leaves nothing behind, so the rerun with a fitting size works.
  @Test func aFailedMDSExportLeavesNothingAndTheRerunWorks() throws {
    try withTemporaryDirectory { directory in
      let slimmed = try ShardVerifierTests.slimmed(in: directory)
      let destination = directory + "/mds"
      #expect {
        try MDSExport.run(output: slimmed.output, to: destination, sizeLimit: 1)
      } throws: { error in
        (error as? OutputStoreError)?.isUsageError == true && "\(error)".contains("shard size limit")
      }
      #expect((try? FileManager.default.contentsOfDirectory(atPath: destination)) ?? [] == [])
      let report = try MDSExport.run(output: slimmed.output, to: destination, sizeLimit: 200_000)
      #expect(report.splits.map(\.samples) == [8, 2, 2])
      for split in ["train", "val", "test"] {
        let files = try FileManager.default.contentsOfDirectory(atPath: destination + "/" + split).filter { $0.hasSuffix(".mds") }
        for file in files {
          let size = try #require(try FileManager.default.attributesOfItem(atPath: destination + "/" + split + "/" + file)[.size] as? Int)
          #expect(size <= 200_000 && size > 500, "\(split)/\(file): \(size) bytes")
        }
      }
    }
  }

  /// A6: a `_labelTrainIds.png` that is already there (the user may have edited it) is kept.
  @Test func labelAllKeepsEveryExistingTrainIdFile() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/data"
      _ = try SyntheticDatasetWriter(configuration: SyntheticDatasetConfiguration(
        format: .camvid, outputDirectory: root, trainCount: 2, valCount: 1, testCount: 1, seed: 2)).write()
      let first = try LabelExporter.run(root: root, options: DiscoveryOptions(), workers: 1, progress: .silent)
      #expect(first.written == 4 && first.kept == 0)
      let edited = try #require(try FileManager.default.subpathsOfDirectory(atPath: root).first { $0.hasSuffix("_labelTrainIds.png") })
      try Data("edited by hand".utf8).write(to: URL(fileURLWithPath: root + "/" + edited))
      let second = try LabelExporter.run(root: root, options: DiscoveryOptions(format: .camvid), workers: 1, progress: .silent)
      #expect(second.written == 0 && second.kept == 4, "\(second)")
      #expect(try String(contentsOfFile: root + "/" + edited, encoding: .utf8) == "edited by hand")
    }
  }
}
