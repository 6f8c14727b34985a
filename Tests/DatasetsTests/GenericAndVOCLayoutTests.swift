import DanceCore
import Datasets
import Foundation
import ImageCodecs
import TestSupport
import Testing

/// Discovery and validation of the generic layout (`images/` + `masks/` + `classes.yaml`) and of
/// Pascal VOC 2012, on hand-made trees, well-formed and broken.
@Suite struct GenericAndVOCLayoutTests {
  static let classes = """
    classes:
      - {id: 0, name: ground, color: [0, 255, 0]}
      - {id: 1, name: thing, color: [255, 0, 0]}
    """

  static func writeGeneric(_ root: String) throws {
    try writeFile(Array(classes.utf8), to: root + "/classes.yaml")
    try LayoutTests.writeRGB(to: root + "/images/train/city/a.png")
    try LayoutTests.writeRGB(to: root + "/images/train/b.png")
    try LayoutTests.writeRGB(to: root + "/images/val/c.png")
    try LayoutTests.writeGray(1, to: root + "/masks/train/city/a.png")
    let green = Image8(width: 8, height: 6, channels: 3, samples: Array(repeating: [0, 255, 0], count: 48).flatMap { $0 })
    try writeFile(try PNGEncoder().encode(green), to: root + "/masks/train/b.png")
  }

  @Test func genericSamplesAreMatchedByPathAndKeepTheirFolders() throws {
    try withTemporaryDirectory { root in
      try Self.writeGeneric(root)
      try LayoutTests.writeGray(0, to: root + "/masks/val/orphan.png")
      try writeFile(Array("x".utf8), to: root + "/notes.txt")
      let discovery = try DatasetLayout.discover(root: root, options: DiscoveryOptions(name: DatasetName("mine")))
      #expect(discovery.format == .generic)
      #expect(discovery.samples.map(\.key.rawValue) == ["mine/train/b", "mine/train/city/a", "mine/val/c"])
      #expect(discovery.samples.map(\.labelPath) == ["masks/train/b.png", "masks/train/city/a.png", nil])
      #expect(discovery.labels.space.classNames == ["ground", "thing"])
      #expect(discovery.problems.map(\.path).sorted() == ["masks/val/orphan.png", "notes.txt"])
      #expect(discovery.problems.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.missingImage, .strayFile])
      let validations = LayoutTests.validate(discovery)
      let train = validations.filter { $0.key.rawValue.hasPrefix("mine/train/") }
      #expect(train.values.allSatisfy { $0.isValid }, "an index mask and a colour mask are both read")
      #expect(validations.filter { $0.key.rawValue.hasPrefix("mine/val/") }.values.map { $0.problems.map(\.kind) } == [[.missingLabel]])
    }
  }

  @Test func genericMaskValuesOutsideTheTableAreReportedAsValuesOrColours() throws {
    try withTemporaryDirectory { root in
      try Self.writeGeneric(root)
      try LayoutTests.writeGray(7, to: root + "/masks/train/city/a.png")
      try writeFile(try PNGEncoder().encode(Image8(width: 8, height: 6, channels: 3, repeating: 9)), to: root + "/masks/train/b.png")
      let problems = LayoutTests.validate(try DatasetLayout.discover(root: root)).values.flatMap(\.problems)
        .filter { $0.kind == .unknownLabelValues }.map(\.detail).sorted()
      #expect(problems.count == 2)
      #expect(problems.contains { $0.contains("RGB(9,9,9) (48 px)") })
      #expect(problems.contains { $0.hasSuffix(": 7 (48 px)") })
    }
  }

  @Test func aSplitWithoutMasksIsReportedOnceAndNotCataloged() throws {
    try withTemporaryDirectory { root in
      try Self.writeGeneric(root)
      try LayoutTests.writeRGB(to: root + "/images/test/t1.png")
      try LayoutTests.writeRGB(to: root + "/images/test/t2.jpg")
      try LayoutTests.writeRGB(to: root + "/images/extra/e.png")
      let discovery = try DatasetLayout.discover(root: root)
      #expect(!discovery.samples.contains { $0.split == .test })
      #expect(discovery.problems.contains(LayoutProblem(
        .noAnnotations, path: "images/test", detail: "2 images without a masks/test/ folder; not cataloged")))
      #expect(discovery.problems.contains { $0.path == "images/extra/e.png" && $0.kind == .strayFile })
    }
  }

  @Test func aGenericRootIsDetectedByItsClassTableAndABrokenTableNamesItsFile() throws {
    try withTemporaryDirectory { root in
      try Self.writeGeneric(root)
      #expect(try DatasetLayout.detectFormat(root: root) == .generic)
      try writeFile(Array("classes:\n  - {id: 0, name: a}\n".utf8), to: root + "/classes.yaml")
      #expect(throws: DatasetError.invalidConfiguration(
        path: root + "/classes.yaml", reason: "line 2: a class needs id, name and color, e.g. {id: 1, name: cat, color: [255, 128, 0]}")
      ) { _ = try DatasetLayout.discover(root: root) }
      try FileManager.default.removeItem(atPath: root + "/classes.yaml")
      #expect(throws: DatasetError.self) { _ = try DatasetLayout.discover(root: root, options: DiscoveryOptions(format: .generic)) }
    }
  }

  @Test func aSingleMaskFindsTheClassTableAboveIt() throws {
    try withTemporaryDirectory { root in
      try Self.writeGeneric(root)
      let mask = root + "/masks/train/city/a.png"
      let labels = try DatasetLabels.forLabelFile(at: mask, format: .generic)
      #expect(try LabelFiles.convert(contentsOf: mask, labels: labels).labels.image.samples.allSatisfy { $0 == 1 })
      #expect(throws: DatasetError.self) { _ = try DatasetLabels.forLabelFile(at: "/tmp/no-table-here/x.png", format: .generic) }
    }
  }

  /// A VOC tree as the devkit unpacks it: `VOCdevkit/VOC2012/…`, palette label PNGs with a void border.
  static func writeVOC(_ root: String) throws {
    let base = root + "/VOCdevkit/VOC2012"
    let palette = (0...255).flatMap { index -> [UInt8] in
      let color = vocPaletteColor(UInt8(index))
      return [color.red, color.green, color.blue]
    }
    var label = Image8(width: 8, height: 6, channels: 1, repeating: 0)
    for x in 2..<5 { label[x, 2] = 15 }
    label[1, 2] = 255
    for id in ["2007_000001", "2007_000002", "2008_000003"] {
      try writeFile(try JPEGEncoder(quality: 90).encode(Image8(width: 8, height: 6, channels: 3, repeating: 80)),
                    to: base + "/JPEGImages/\(id).jpg")
      try writeFile(try PNGEncoder().encode(indices: label, palette: palette), to: base + "/SegmentationClass/\(id).png")
    }
    try LayoutTests.writeRGB(to: base + "/JPEGImages/2009_000009.jpg")  // detection only: not a sample
    try writeFile(Array("x".utf8), to: base + "/Annotations/2007_000001.xml")
    try writeFile(Array("2007_000001\n2007_000002\n".utf8), to: base + "/ImageSets/Segmentation/train.txt")
    try writeFile(Array("2008_000003\n".utf8), to: base + "/ImageSets/Segmentation/val.txt")
    try writeFile(Array("2010_000010\n".utf8), to: base + "/ImageSets/Segmentation/test.txt")
  }

  @Test func vocSamplesComeFromTheSplitListsAndItsPaletteLabelsAreIndices() throws {
    try withTemporaryDirectory { root in
      try Self.writeVOC(root)
      #expect(try DatasetLayout.detectFormat(root: root) == .voc)
      let discovery = try DatasetLayout.discover(root: root, options: DiscoveryOptions(name: DatasetName("voc")))
      #expect(discovery.root.hasSuffix("/VOCdevkit/VOC2012"))
      #expect(discovery.samples.map(\.key.rawValue) == ["voc/train/2007_000001", "voc/train/2007_000002", "voc/val/2008_000003"])
      #expect(discovery.samples.map(\.imagePath).first == "JPEGImages/2007_000001.jpg")
      #expect(discovery.problems.map(\.kind) == [.noAnnotations])
      #expect(LayoutTests.validate(discovery).values.allSatisfy { $0.isValid })
      let labels = try LabelFiles.convert(contentsOf: discovery.root + "/SegmentationClass/2007_000001.png", labels: discovery.labels)
      #expect(labels.labels.image[3, 2] == 15 && labels.labels.image[1, 2] == 255 && labels.labels.image[0, 0] == 0)
      #expect(labels.encoding.space == .voc && LabelSpace.voc.classes[15].name == "person")
      #expect(LabelSpace.voc.classes[15].color == RGB(192, 128, 128))
    }
  }

  @Test func vocListedIdsWithoutImagesAndUnlistedLabelsAreReported() throws {
    try withTemporaryDirectory { root in
      try Self.writeVOC(root)
      let base = root + "/VOCdevkit/VOC2012"
      try FileManager.default.removeItem(atPath: base + "/JPEGImages/2007_000002.jpg")
      try LayoutTests.writeGray(0, to: base + "/SegmentationClass/2011_000011.png")
      let discovery = try DatasetLayout.discover(root: base)
      #expect(discovery.samples.count == 2)
      #expect(discovery.problems.contains(LayoutProblem(
        .missingImage, path: "ImageSets/Segmentation/train.txt", detail: "lists '2007_000002', but JPEGImages/2007_000002.jpg is missing")))
      #expect(discovery.problems.contains { $0.path == "SegmentationClass/2011_000011.png" && $0.kind == .strayFile })
      try FileManager.default.removeItem(atPath: base + "/ImageSets/Segmentation/train.txt")
      try FileManager.default.removeItem(atPath: base + "/ImageSets/Segmentation/val.txt")
      #expect(throws: DatasetError.invalidConfiguration(
        path: base + "/ImageSets/Segmentation", reason: "expected the split lists train.txt and val.txt (one image id per line)")
      ) { _ = try DatasetLayout.discover(root: root) }
    }
  }
}
