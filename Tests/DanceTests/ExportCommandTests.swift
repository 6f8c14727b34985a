import DanceCore
import Datasets
import Foundation
import ImageCodecs
import OutputStore
import Shards
import TestSupport
import Testing

/// `dance export` writes what the slimmed shards hold, in other trainers' formats.
@Suite struct ExportCommandTests {
  /// One decoded MDS sample: column name → payload bytes.
  typealias MDSRow = [String: [UInt8]]

  /// Reads an MDS split directory back, following index.json and the shard layout of formats.md §B2.
  static func readMDS(_ directory: String) throws -> [MDSRow] {
    let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/index.json"))) as! [String: Any]
    #expect(index["version"] as? Int == 2)
    var rows: [MDSRow] = []
    for case let shard as [String: Any] in index["shards"] as! [Any] {
      let names = shard["column_names"] as! [String]
      let sizes = (shard["column_sizes"] as! [Any]).map { $0 as? Int }
      let raw = shard["raw_data"] as! [String: Any]
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + (raw["basename"] as! String))))
      #expect(bytes.count == raw["bytes"] as? Int)
      func uint32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
      let count = uint32(0)
      #expect(count == shard["samples"] as? Int)
      for sample in 0..<count {
        var position = uint32(4 + 4 * sample)
        var lengths: [Int] = []
        for size in sizes {
          if let size { lengths.append(size) } else { lengths.append(uint32(position)); position += 4 }
        }
        var row: MDSRow = [:]
        for (name, length) in zip(names, lengths) {
          row[name] = Array(bytes[position..<position + length])
          position += length
        }
        #expect(position == uint32(8 + 4 * sample))
        rows.append(row)
      }
    }
    return rows
  }

  @Test func mdsHoldsEverySampleOfEverySplitAsTheShardsDo() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "6", "--val", "2", "--test", "0", "--size", "64x48"]).status == 0)
      let slim = try runDance(["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite", "--shard-samples", "2"])
      #expect(slim.status == 0, "\(slim.standardError)")
      let export = try runDance(["export", "mds", directory + "/out", "--to", directory + "/mds", "--shard-size", "20000"])
      #expect(export.status == 0, "\(export.standardError)")
      for split in ["train", "val"] {
        var expected: [ShardSample] = []
        for shard in try FileManager.default.contentsOfDirectory(atPath: directory + "/out/" + split).filter({ $0.hasSuffix(".tar") }).sorted() {
          expected += try TarReader(path: directory + "/out/\(split)/" + shard).samples()
        }
        let rows = try Self.readMDS(directory + "/mds/" + split)
        #expect(rows.count == expected.count && !rows.isEmpty)
        for (row, sample) in zip(rows, expected) {
          let metadata = try JSONDecoder().decode(SampleMetadata.self, from: Data(sample[.metadata]!))
          #expect(row["key"] == Array(sample.key.utf8))
          #expect(row["image"] == sample[.png] && row["mask"] == sample[.label])
          #expect(row["scale"] == withUnsafeBytes(of: Float(metadata.scale).bitPattern.littleEndian, Array.init))
          #expect(row["weight"] == withUnsafeBytes(of: Float(metadata.weight).bitPattern.littleEndian, Array.init))
        }
      }
      let shards = try FileManager.default.contentsOfDirectory(atPath: directory + "/mds/train").filter { $0.hasSuffix(".mds") }
      #expect(shards.count > 1)  // the 20000-byte limit rolled over

      // The same export again is byte-identical; a non-empty destination is refused.
      #expect(try runDance(["export", "mds", directory + "/out", "--to", directory + "/mds2", "--shard-size", "20000"]).status == 0)
      #expect(try regularFileContents(under: directory + "/mds") == regularFileContents(under: directory + "/mds2"))
      let again = try runDance(["export", "mds", directory + "/out", "--to", directory + "/mds"])
      #expect(again.status == 2 && again.standardError.contains("already holds files"), "\(again.standardError)")
    }
  }

  @Test func aChangedShardIsNotExported() throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/camvid"
      #expect(try runDance(["synth", "--format", "camvid", "--out", root, "--train", "3", "--val", "1", "--test", "0", "--size", "64x48"]).status == 0)
      #expect(try runDance(["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite"]).status == 0)
      let shard = directory + "/out/train/train-000000.tar"
      var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: shard)))
      bytes[800] ^= 4
      try FileManager.default.removeItem(atPath: shard)
      try Data(bytes).write(to: URL(fileURLWithPath: shard))
      let export = try runDance(["export", "mds", directory + "/out", "--to", directory + "/mds"])
      #expect(export.status == 1 && export.standardError.contains("differs from the manifest"), "\(export.standardError)")
    }
  }

  @Test(arguments: DatasetFormat.allCases)
  func folderExportIsReadBackByScanWithTheSameTrainIds(format: DatasetFormat) throws {
    try withTemporaryDirectory { directory in
      let root = directory + "/source"
      #expect(try runDance(["synth", "--format", format.rawValue, "--out", root, "--train", "6", "--val", "2", "--test", "0", "--size", "96x64"]).status == 0)
      #expect(try runDance(["slim", root, "--out", directory + "/out", "--catalog", directory + "/c.sqlite", "--drop", "0.2"]).status == 0)
      let export = try runDance(["export", "folder", directory + "/out", "--to", directory + "/folder"])
      #expect(export.status == 0, "\(export.standardError)")

      let rows = try String(contentsOfFile: directory + "/folder/weights.csv", encoding: .utf8).split(separator: "\n").map {
        $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      }
      #expect(rows.first == ["key", "split", "image", "label", "scale", "weight"])
      var shardSamples: [String: ShardSample] = [:]
      for split in ["train", "val"] {
        for shard in try FileManager.default.contentsOfDirectory(atPath: directory + "/out/" + split).filter({ $0.hasSuffix(".tar") }) {
          for sample in try TarReader(path: directory + "/out/\(split)/" + shard).samples() { shardSamples[sample.key] = sample }
        }
      }
      #expect(rows.count - 1 == shardSamples.count && shardSamples.count == 7)  // 6 − 20 % dropped + 2 val
      #expect(rows.dropFirst().contains { Double($0[4]) == 0.5 })  // slimmed sizes are kept

      let decoder = ImageDecoder()
      for row in rows.dropFirst() {
        let sample = try #require(shardSamples[row[0]])
        let labelFile = directory + "/folder/" + row[3]
        let labels = try DatasetLabels.forLabelFile(at: labelFile, format: format)
        let exported = try LabelFiles.convert(contentsOf: labelFile, labels: labels, decoder: decoder).labels.image
        guard case .uint8(let stored) = try decoder.decode(sample[.label]!, source: row[0]).image else {
          Issue.record("seg.png is not 8-bit")
          continue
        }
        #expect(exported.samples == stored.samples && exported.width == stored.width, "\(row[3])")
        let image = try decoder.decode(contentsOf: directory + "/folder/" + row[2])
        #expect(image.header.width == exported.width && image.header.height == exported.height)
      }

      let scan = try runDance(["scan", directory + "/folder", "--catalog", directory + "/back.sqlite", "--json"])
      #expect(scan.status == 0, "\(scan.standardOutput)")
      let report = try JSONSerialization.jsonObject(with: Data(scan.standardOutput.utf8)) as? [String: Any]
      #expect(report?["format"] as? String == format.rawValue)
      #expect((report?["problems"] as? [Any])?.count == 0, "\(scan.standardOutput)")
      let counts = (report?["splits"] as? [[String: Any]] ?? []).map { ($0["ok"] as? Int ?? 0) + ($0["bad"] as? Int ?? 0) * 1000 }
      #expect(counts.reduce(0, +) == 7)
    }
  }
}
