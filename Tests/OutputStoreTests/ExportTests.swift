import DanceCore
import Datasets
import Foundation
import OutputStore
import TestSupport
import Testing

/// `dance export folder` and `dance export mds` over an output the writer made.
@Suite(.serialized) struct ExportTests {
  @Test func aFolderExportWritesTheDatasetsOwnLayout() throws {
    try OutputFixture.written { fixture in
      let destination = fixture.directory + "/voc"
      let report = try FolderExport.run(output: fixture.output, layout: nil, to: destination)
      #expect(report.layout == "voc" && report.splits.map(\.samples) == [5])
      let files = try regularFileContents(under: destination)
      #expect(files["JPEGImages/s0.png"] == Data(try #require(try OutputFixture.sample("s0")[.png])))
      #expect(files["SegmentationClass/s4.png"] == Data(try #require(try OutputFixture.sample("s4")[.label])))
      #expect(files["ImageSets/Segmentation/train.txt"] == Data("s0\ns1\ns2\ns3\ns4\n".utf8))
      let csv = String(decoding: try #require(files[DatasetLayout.exportSidecar]), as: UTF8.self)
      #expect(csv.hasPrefix("key,split,image,label,scale,weight\ns0,train,JPEGImages/s0.png,SegmentationClass/s0.png,0.5,1.0\n"), "\(csv)")
      #expect(DatasetLayout.exportIsComplete(root: destination) == true)
    }
  }

  @Test func aFolderExportRefusesADestinationHoldingOtherFiles() throws {
    try OutputFixture.written { fixture in
      let destination = fixture.directory + "/voc"
      try writeFile(Array("mine".utf8), to: destination + "/notes.txt")
      #expect {
        try FolderExport.run(output: fixture.output, layout: nil, to: destination)
      } throws: { error in
        (error as? OutputStoreError)?.isUsageError == true && "\(error)".contains("notes.txt")
      }
      #expect(try regularFileContents(under: destination).keys.sorted() == ["notes.txt"])
    }
  }

  @Test func anUnfinishedOutputIsNotExported() throws {
    try OutputFixture.written { fixture in
      try fixture.editManifest { $0.complete = false }
      #expect(throws: OutputStoreError.self) { try MDSExport.run(output: fixture.output, to: fixture.directory + "/mds") }
      #expect(!FileManager.default.fileExists(atPath: fixture.directory + "/mds"))
    }
  }

  @Test func anMDSExportWritesOneDatasetPerSplit() throws {
    try OutputFixture.written { fixture in
      let destination = fixture.directory + "/mds"
      let report = try MDSExport.run(output: fixture.output, to: destination)
      #expect(report.splits.count == 1 && report.splits[0].samples == 5 && report.splits[0].imageEncoding == "png")
      #expect(report.splits[0].shards == 1)
      let index = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: destination + "/train/index.json"))) as? [String: Any])
      #expect((index["shards"] as? [Any])?.count == 1)
      #expect(DatasetLayout.exportIsComplete(root: destination) == true)
    }
  }
}
