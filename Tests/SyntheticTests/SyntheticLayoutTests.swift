import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Synthetic
import TestSupport
import Testing

@Suite("Synthetic dataset layouts")
struct SyntheticLayoutTests {
  /// Every synthetic format is discovered by `DatasetLayout` as complete, with valid samples.
  @Test(arguments: DatasetFormat.allCases)
  func syntheticDatasetsAreDiscoveredCompleteAndValid(format: DatasetFormat) throws {
    try withTemporaryDirectory { directory in
      try SyntheticFixtures.write(format, to: directory, train: 3, val: 2)
      let discovery = try DatasetLayout.discover(root: directory)
      #expect(discovery.format == format)
      #expect(discovery.problems.isEmpty)
      let expected = format == .camvid ? 3 + 2 + 2 : 5
      #expect(discovery.samples.count == expected)
      #expect(discovery.samples.filter { $0.split == .train }.count == 3)
      for sample in discovery.samples {
        #expect(!sample.key.rawValue.contains("."))
        #expect(sample.key.rawValue.utf8.count <= SampleKey.maxLength)
        #expect(sample.key.rawValue.hasPrefix(discovery.name + "/"))
        #expect(sample.labelPath != nil)
      }
      #expect(discovery.samples.allSatisfy { SampleValidator().validate($0, root: discovery.root).isValid })
    }
  }

  /// The exact files `SyntheticFixtures.write(format, train: 3, val: 2)` (CamVid: test 2) must produce.
  static func expectedFiles(_ format: DatasetFormat) -> [String] {
    switch format {
    case .cityscapes:
      let stems = [
        ("train", "aachen"), ("train", "bochum"), ("train", "bremen"), ("val", "frankfurt"), ("val", "lindau"),
      ].map { ("\($0.0)/\($0.1)", "\($0.1)_000000_000019") }
      return stems.flatMap { folder, stem in
        ["leftImg8bit/\(folder)/\(stem)_leftImg8bit.png"]
          + ["color", "instanceIds", "labelIds"].map { "gtFine/\(folder)/\(stem)_gtFine_\($0).png" }
      }.sorted()
    case .camvid:
      let names = [
        ("train", "0001TP_006690"), ("train", "0006R0_f00930"), ("train", "0016E5_00390"),
        ("val", "0016E5_07959"), ("val", "0016E5_07989"), ("test", "Seq05VD_f00000"), ("test", "Seq05VD_f00030"),
      ]
      return (names.flatMap { ["\($0.0)/\($0.1).png", "\($0.0)annot/\($0.1).png"] }
        + ["train.txt", "val.txt", "test.txt"]).sorted()
    case .ade20k:
      let stems = [("training", "ADE_train_0000000"), ("validation", "ADE_val_0000000")]
      return [(stems[0], 1...3), (stems[1], 1...2)].flatMap { stem, range in
        range.flatMap { index in
          ["ADEChallengeData2016/images/\(stem.0)/\(stem.1)\(index).jpg",
           "ADEChallengeData2016/annotations/\(stem.0)/\(stem.1)\(index).png"]
        }
      }.sorted()
    }
  }

  /// The (image, label) pairs of the layout, relative to the root.
  static func pairs(_ files: [String], _ format: DatasetFormat) -> [(image: String, label: String)] {
    switch format {
    case .cityscapes:
      files.filter { $0.hasSuffix("_leftImg8bit.png") }.map {
        ($0, $0.replacingOccurrences(of: "leftImg8bit/", with: "gtFine/")
          .replacingOccurrences(of: "_leftImg8bit.png", with: "_gtFine_labelIds.png"))
      }
    case .camvid:
      files.filter { $0.hasSuffix(".png") && !$0.contains("annot/") }.map {
        let parts = $0.split(separator: "/")
        return ($0, "\(parts[0])annot/\(parts[1])")
      }
    case .ade20k:
      files.filter { $0.hasSuffix(".jpg") }.map {
        ($0, $0.replacingOccurrences(of: "/images/", with: "/annotations/")
          .replacingOccurrences(of: ".jpg", with: ".png"))
      }
    }
  }

  static func labelRange(_ format: DatasetFormat) -> Set<Int> {
    switch format {
    case .cityscapes: SyntheticFixtures.cityscapesIDs
    case .camvid: Set(0...11)
    case .ade20k: Set(0...150)
    }
  }

  @Test("writes exactly the files of the real layout", arguments: DatasetFormat.allCases)
  func exactLayout(format: DatasetFormat) throws {
    try withTemporaryDirectory { root in
      let summary = try SyntheticFixtures.write(format, to: root, test: format == .camvid ? 2 : nil)
      let files = SyntheticFixtures.files(under: root)
      #expect(files == Self.expectedFiles(format))
      #expect(summary.fileCount == files.count)
      #expect(try WrittenFiles(directory: root).files == Set(files), "the record lists every file written")
      let sizes = try files.map {
        try FileManager.default.attributesOfItem(atPath: root + "/" + $0)[.size] as? Int ?? 0
      }
      #expect(summary.bytesWritten == sizes.reduce(0, +))
      #expect(summary.splits.map(\.samples) == (format == .camvid ? [3, 2, 2] : [3, 2]))
    }
  }

  @Test("images and labels decode with the right sizes, channels and value ranges", arguments: DatasetFormat.allCases)
  func imagesAndLabels(format: DatasetFormat) throws {
    try withTemporaryDirectory { root in
      let summary = try SyntheticFixtures.write(format, to: root)
      let decoder = ImageDecoder()
      var values = Set<Int>()
      var sizes = Set<[Int]>()
      let base = SyntheticDatasetConfiguration.defaultImageSize(for: format)
      for (imagePath, labelPath) in Self.pairs(SyntheticFixtures.files(under: root), format) {
        let image = try decoder.decode(contentsOf: root + "/" + imagePath)
        #expect(image.header.codec == (format == .ade20k ? .jpeg : .png))
        #expect(image.image.channels == 3 && image.image.bitDepth == 8)
        let label = try decoder.decodeLabel(contentsOf: root + "/" + labelPath)
        #expect(label.header.codec == .png)
        guard case .uint8(let labelImage) = label.image else {
          Issue.record("\(labelPath) is not 8-bit")
          continue
        }
        #expect(labelImage.channels == 1)
        #expect(labelImage.width == image.image.width && labelImage.height == image.image.height)
        values.formUnion(labelImage.samples.map(Int.init))
        sizes.insert([labelImage.width, labelImage.height])
        if format == .ade20k {
          #expect(Double(labelImage.width) >= Double(base.width) * 0.75 - 1)
          #expect(Double(labelImage.width) <= Double(base.width) * 1.25 + 1)
          #expect(Double(labelImage.height) >= Double(base.height) * 0.75 - 1)
          #expect(Double(labelImage.height) <= Double(base.height) * 1.25 + 1)
        } else {
          #expect(labelImage.width == base.width && labelImage.height == base.height)
        }
      }
      #expect(values.isSubset(of: Self.labelRange(format)))
      #expect(values.count >= 5)
      #expect(Set(summary.labelValues) == values)
      if format == .ade20k { #expect(sizes.count > 1, "ADE20K image sizes vary") }
    }
  }

  @Test("Cityscapes instanceIds and color agree with labelIds")
  func cityscapesInstancesAndColors() throws {
    try withTemporaryDirectory { root in
      try SyntheticFixtures.write(.cityscapes, to: root, train: 4, val: 0, seed: 11)
      let decoder = ImageDecoder()
      let colors = Dictionary(
        SceneClass.allCases.map { (Int($0.labelValue(in: .cityscapes)), $0.cityscapesColor) },
        uniquingKeysWith: { first, _ in first })
      var sawInstance = false
      for labelPath in SyntheticFixtures.files(under: root).filter({ $0.hasSuffix("_labelIds.png") }) {
        let stem = root + "/" + labelPath.dropLast("labelIds.png".count)
        guard case .uint8(let labels) = try decoder.decodeLabel(contentsOf: root + "/" + labelPath).image,
          case .uint16(let instances) = try decoder.decodeLabel(contentsOf: stem + "instanceIds.png").image,
          case .uint8(let color) = try decoder.decode(contentsOf: stem + "color.png").image
        else {
          Issue.record("\(labelPath): unexpected sample widths")
          continue
        }
        #expect(instances.channels == 1 && color.channels == 4)
        #expect(instances.width == labels.width && color.height == labels.height)
        var mismatches = 0
        for index in 0..<labels.samples.count {
          let id = Int(labels.samples[index])
          let instance = Int(instances.samples[index])
          if instance >= 1000 {
            sawInstance = true
            if instance / 1000 != id || !SyntheticFixtures.cityscapesInstanceIDs.contains(id) { mismatches += 1 }
          } else if instance != id {
            mismatches += 1
          }
          let expected = colors[id] ?? (0, 0, 0)
          let pixel = color.samples[(index * 4)..<(index * 4 + 4)]
          if Array(pixel) != [expected.red, expected.green, expected.blue, 255] { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(labelPath)")
      }
      #expect(sawInstance)
    }
  }

  @Test("CamVid list files name every pair with the SegNet prefix")
  func camvidListFiles() throws {
    try withTemporaryDirectory { root in
      try SyntheticFixtures.write(.camvid, to: root, train: 4, val: 1, test: 2)
      let train = try String(contentsOfFile: root + "/train.txt", encoding: .utf8)
      #expect(train == """
        /SegNet/CamVid/train/0001TP_006690.png /SegNet/CamVid/trainannot/0001TP_006690.png
        /SegNet/CamVid/train/0006R0_f00930.png /SegNet/CamVid/trainannot/0006R0_f00930.png
        /SegNet/CamVid/train/0016E5_00390.png /SegNet/CamVid/trainannot/0016E5_00390.png
        /SegNet/CamVid/train/0001TP_006720.png /SegNet/CamVid/trainannot/0001TP_006720.png

        """)
      let test = try String(contentsOfFile: root + "/test.txt", encoding: .utf8)
      #expect(test.split(separator: "\n").count == 2)
      for line in (train + test).split(separator: "\n") {
        let parts = line.split(separator: " ")
        #expect(parts.count == 2)
        for path in parts {
          #expect(FileManager.default.fileExists(atPath: root + "/" + path.dropFirst("/SegNet/CamVid/".count)))
        }
      }
    }
  }

  @Test("Cityscapes names continue the sequence number after all cities are used")
  func cityscapesSequenceNumbers() throws {
    try withTemporaryDirectory { root in
      try SyntheticFixtures.write(.cityscapes, to: root, train: 19, val: 4, size: .init(width: 32, height: 32))
      let files = Set(SyntheticFixtures.files(under: root))
      #expect(files.contains("leftImg8bit/train/zurich/zurich_000000_000019_leftImg8bit.png"))
      #expect(files.contains("leftImg8bit/train/aachen/aachen_000001_000019_leftImg8bit.png"))
      #expect(files.contains("gtFine/val/frankfurt/frankfurt_000001_000019_gtFine_labelIds.png"))
    }
  }
}
