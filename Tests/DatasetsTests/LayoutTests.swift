import DanceCore
import Datasets
import Foundation
import ImageCodecs
import TestSupport
import Testing

/// Discovery and validation on hand-made layouts, well-formed and broken (synthetic datasets are
/// checked against discovery in SyntheticTests).
@Suite struct LayoutTests {
  static func writeGray(_ value: UInt8, width: Int = 8, height: Int = 6, to path: String) throws {
    try writeFile(try PNGEncoder().encode(Image8(width: width, height: height, channels: 1, repeating: value)), to: path)
  }

  static func writeRGB(width: Int = 8, height: Int = 6, to path: String) throws {
    try writeFile(try PNGEncoder().encode(Image8(width: width, height: height, channels: 3, repeating: 100)), to: path)
  }

  static func validate(_ discovery: Discovery) -> [SampleKey: SampleValidation] {
    Dictionary(uniqueKeysWithValues: discovery.samples.map { ($0.key, SampleValidator().validate($0, root: discovery.root)) })
  }

  @Test func cityscapesKeysAndLabelChoice() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/leftImg8bit/train/ulm/ulm_000001_000002_leftImg8bit.png")
      try Self.writeGray(7, to: root + "/gtFine/train/ulm/ulm_000001_000002_gtFine_labelTrainIds.png")
      try Self.writeRGB(to: root + "/leftImg8bit/train_extra/ulm/ulm_000003_000004_leftImg8bit.png")
      try Self.writeGray(7, to: root + "/gtCoarse/train_extra/ulm/ulm_000003_000004_gtCoarse_labelIds.png")
      let discovery = try DatasetLayout.discover(root: root, options: DiscoveryOptions(name: DatasetName("cityscapes")))
      #expect(discovery.samples.map(\.key.rawValue) == [
        "cityscapes/train/ulm/ulm_000001_000002", "cityscapes/train_extra/ulm/ulm_000003_000004",
      ])
      #expect(discovery.samples[0].labelEncoding == .cityscapesTrainIds)
      #expect(discovery.samples[1].labelEncoding == .cityscapesLabelIds)
      #expect(discovery.samples[1].split == .train)
      #expect(discovery.problems.isEmpty)
    }
  }

  @Test func missingLabelAndOrphanLabel() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/train/a.png")
      try Self.writeGray(3, to: root + "/trainannot/b.png")
      let discovery = try DatasetLayout.discover(root: root)
      #expect(discovery.samples.map(\.labelPath) == [nil])
      #expect(discovery.problems == [LayoutProblem(.missingImage, path: "trainannot/b.png", detail: "annotation without its image in train/")])
      let validation = try #require(Self.validate(discovery).values.first)
      #expect(validation.problems.map(\.kind) == [.missingLabel])
    }
  }

  @Test func sizeMismatchNamesBothSizes() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(width: 8, height: 6, to: root + "/train/a.png")
      try Self.writeGray(3, width: 4, height: 3, to: root + "/trainannot/a.png")
      let validation = try #require(Self.validate(try DatasetLayout.discover(root: root)).values.first)
      #expect(validation.problems.map(\.detail) == ["label is 4×3, image is 8×6"])
      #expect(validation.problems.map(\.path) == ["trainannot/a.png"])
    }
  }

  @Test func strayFilesAreReported() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/train/a.png")
      try Self.writeGray(3, to: root + "/trainannot/a.png")
      try writeFile(Array("notes".utf8), to: root + "/train/notes.txt")
      try writeFile(Array("x".utf8), to: root + "/extra/thing.bin")
      try writeFile(Array("ok".utf8), to: root + "/train.txt")
      let discovery = try DatasetLayout.discover(root: root)
      #expect(discovery.problems.map(\.path).sorted() == ["extra/thing.bin", "train/notes.txt"])
      #expect(discovery.problems.allSatisfy { $0.kind == .strayFile })
    }
  }

  @Test func unknownLabelValuesAreCountedPerValue() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/train/a.png")
      var label = Image8(width: 8, height: 6, channels: 1, repeating: 3)
      label.samples[0] = 200
      label.samples[1] = 200
      label.samples[2] = 12
      try writeFile(try PNGEncoder().encode(label), to: root + "/trainannot/a.png")
      let validation = try #require(Self.validate(try DatasetLayout.discover(root: root)).values.first)
      #expect(validation.problems.map(\.kind) == [.unknownLabelValues])
      #expect(validation.problems.first?.detail == "values outside camvid-segnet: 12 (1 px), 200 (2 px)")
    }
  }

  @Test func unusualFileNamesGetSafeUniqueKeys() throws {
    try withTemporaryDirectory { root in
      for name in ["with space", "ünïcödé", "with_space", "dots.in.name"] {
        try Self.writeRGB(to: root + "/train/\(name).png")
        try Self.writeGray(1, to: root + "/trainannot/\(name).png")
      }
      let discovery = try DatasetLayout.discover(root: root, options: DiscoveryOptions(name: DatasetName("camvid")))
      let keys = discovery.samples.map(\.key.rawValue)
      #expect(Set(keys).count == 4)
      #expect(keys.contains("camvid/train/with_space"))
      for key in keys {
        #expect(key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-/".contains($0)) })
      }
      #expect(discovery.problems.isEmpty)
      #expect(Self.validate(discovery).values.allSatisfy { $0.isValid })
    }
  }

  @Test func longNamesAreShortenedWithAHash() {
    let long = String(repeating: "a", count: 120)
    let key = SampleKey(prefix: ["ade20k", "training"], relativePath: long)
    #expect(key.rawValue.utf8.count == SampleKey.maxLength)
    #expect(key != SampleKey(prefix: ["ade20k", "training"], relativePath: long + "b"))
  }

  @Test func symlinkLoopIsReportedNotFollowedForever() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/train/a.png")
      try Self.writeGray(1, to: root + "/trainannot/a.png")
      try FileManager.default.createSymbolicLink(atPath: root + "/train/loop", withDestinationPath: root + "/train")
      let discovery = try DatasetLayout.discover(root: root)
      #expect(discovery.samples.count == 1)
      #expect(discovery.problems.map(\.kind) == [.symlinkLoop])
      #expect(discovery.problems.first?.path == "train/loop")
    }
  }

  @Test func unreadableEntriesAreReported() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/train/a.png")
      try Self.writeGray(1, to: root + "/trainannot/a.png")
      try FileManager.default.createSymbolicLink(atPath: root + "/train/gone.png", withDestinationPath: root + "/nowhere.png")
      let discovery = try DatasetLayout.discover(root: root)
      #expect(discovery.problems.map(\.kind) == [.unreadable])
      #expect(discovery.problems.first?.path == "train/gone.png")
    }
  }

  @Test func unreadableLabelMakesTheSampleBad() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/train/a.png")
      try Self.writeGray(1, to: root + "/trainannot/a.png")
      let label = root + "/trainannot/a.png"
      // Root reads files whatever their mode; a file swapped for a directory is unreadable for everyone.
      if getuid() == 0 {
        try FileManager.default.removeItem(atPath: label)
        try FileManager.default.createDirectory(atPath: label + "/x", withIntermediateDirectories: true)
      } else {
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: label)
      }
      let discovery = try DatasetLayout.discover(root: root)
      let validation = Self.validate(discovery).values.first
      let kinds = (validation?.problems.map(\.kind) ?? []) + discovery.problems.map(\.kind)
      #expect(kinds.contains(.undecodableLabel) || kinds.contains(.missingLabel))
      #expect(validation?.isValid == false)
    }
  }

  @Test func duplicateKeysKeepTheFirst() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/ADEChallengeData2016/images/training/ADE_train_1.jpg")
      try Self.writeRGB(to: root + "/ADEChallengeData2016/images/training/ADE_train_1.png")
      try Self.writeGray(1, to: root + "/ADEChallengeData2016/annotations/training/ADE_train_1.png")
      let discovery = try DatasetLayout.discover(root: root, options: DiscoveryOptions(format: .ade20k))
      #expect(discovery.samples.map(\.imagePath) == ["images/training/ADE_train_1.jpg"])
      #expect(discovery.problems.map(\.kind) == [.duplicateKey])
    }
  }

  @Test func camvidOriginalColourRelease() throws {
    try withTemporaryDirectory { root in
      try Self.writeRGB(to: root + "/701_StillsRaw_full/0001TP_006690.png")
      try Self.writeRGB(to: root + "/701_StillsRaw_full/0016E5_00390.png")
      // Road (128,64,128) on the left, Child (192,128,64) on the right.
      var label = Image8(width: 8, height: 6, channels: 3)
      for y in 0..<6 {
        for x in 0..<8 {
          let color: [UInt8] = x < 4 ? [128, 64, 128] : [192, 128, 64]
          for c in 0..<3 { label[x, y, c] = color[c] }
        }
      }
      try writeFile(try PNGEncoder().encode(label), to: root + "/LabeledApproved_full/0001TP_006690_L.png")
      try writeFile(try PNGEncoder().encode(label), to: root + "/LabeledApproved_full/0016E5_00390_L.png")
      try writeFile(Array("128 64 128\tRoad\n192 128 64\tChild\n".utf8), to: root + "/label_colors.txt")
      try writeFile(Array("/SegNet/CamVid/train/0001TP_006690.png /SegNet/CamVid/trainannot/0001TP_006690.png\n".utf8),
        to: root + "/train.txt")
      try writeFile(Array("0016E5_00390.png\n".utf8), to: root + "/test.txt")
      let discovery = try DatasetLayout.discover(root: root)
      #expect(discovery.format == .camvid)
      #expect(discovery.samples.map(\.split) == [.test, .train])  // in key order
      #expect(discovery.problems.isEmpty)
      let validations = Self.validate(discovery)
      #expect(validations.values.allSatisfy { $0.isValid })
      let sample = discovery.samples[0]
      let converted = try sample.labelEncoding.trainIds(
        from: ImageDecoder().decodeLabel(contentsOf: root + "/" + sample.labelPath!).image).get()
      #expect(converted.image[0, 0] == 3 && converted.image[7, 0] == 9)  // Road, Pedestrian
    }
  }

  @Test func anEmptyOrUnknownRootIsAClearError() throws {
    try withTemporaryDirectory { root in
      #expect(throws: DatasetError.self) { try DatasetLayout.discover(root: root) }
      #expect(throws: DatasetError.self) { try DatasetLayout.discover(root: root + "/missing") }
    }
  }

  @Test(arguments: [
    ("a/b_gtFine_labelIds.png", "a/b_gtFine_labelTrainIds.png"), ("trainannot/x.png", "trainannot/x_labelTrainIds.png"),
    ("LabeledApproved_full/x_L.png", "LabeledApproved_full/x_labelTrainIds.png"),
  ])
  func trainIdFileNames(label: String, expected: String) {
    #expect(LabelFiles.trainIdPath(forLabelAt: label) == expected)
  }
}
