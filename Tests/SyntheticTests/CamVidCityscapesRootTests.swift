import Foundation
import ImageCodecs
import Synthetic
import TestSupport
import Testing

/// Issue 29: the Cityscapes-format roots `dance-bench slim --photos` builds from CamVid map every
/// SegNet class to its Cityscapes label id and keep the image bytes as stored.
@Suite struct CamVidCityscapesRootTests {
  /// SegNet's CamVid classes 0…10 and void (11) → the Cityscapes label ids the bench uses.
  static let expected: [UInt8] = [23, 11, 17, 7, 8, 21, 20, 13, 26, 24, 33, 0]

  /// A tiny CamVid tree: frames in train (2), val (1) and test (1), 6×4 RGB images of noise and
  /// labels holding every class 0…11 (in a different order per frame); returns the root.
  static func makeCamVid(in directory: String) throws -> String {
    let root = directory + "/CamVid"
    let frames = [("train", "0001TP_000010"), ("train", "0001TP_000020"), ("val", "0016E5_000030"), ("test", "Seq05VD_f00040")]
    var generator = SystemRandomNumberGenerator()
    for (index, (split, name)) in frames.enumerated() {
      let image = Image8(width: 6, height: 4, channels: 3, samples: (0..<72).map { _ in UInt8.random(in: 0...255, using: &generator) })
      let classes = (0..<24).map { UInt8(($0 + index) % 12) }
      try writeFile(try PNGEncoder(filter: .sub).encode(image), to: "\(root)/\(split)/\(name).png")
      try writeFile(try PNGEncoder().encode(Image8(width: 6, height: 4, channels: 1, samples: classes)), to: "\(root)/\(split)annot/\(name).png")
    }
    return root
  }

  @Test func everyClassMapsToItsCityscapesLabelID() {
    for camVidClass in 0...255 {
      let id = CamVidCityscapesRoot.cityscapesLabelID(camVidClass: UInt8(camVidClass))
      #expect(id == (camVidClass < 12 ? Self.expected[camVidClass] : 0), "class \(camVidClass)")
    }
  }

  @Test func framesAsStoredKeepImageBytesAndMapLabels() throws {
    try withTemporaryDirectory { directory in
      let camvid = try Self.makeCamVid(in: directory)
      let frames = try CamVidCityscapesRoot.frames(in: camvid)
      #expect(frames.map(\.name) == ["0001TP_000010", "0001TP_000020", "0016E5_000030", "Seq05VD_f00040"])
      let root = directory + "/root"
      try CamVidCityscapesRoot.writeAsStored(frames, into: root, workers: 2)
      for frame in frames {
        let image = "\(root)/leftImg8bit/train/\(frame.sequence)/\(frame.name)_leftImg8bit.png"
        #expect(try Data(contentsOf: URL(fileURLWithPath: image)) == Data(contentsOf: URL(fileURLWithPath: frame.image)))
        let label = "\(root)/gtFine/train/\(frame.sequence)/\(frame.name)_gtFine_labelIds.png"
        guard case .uint8(let ids) = try ImageDecoder().decodeLabel(contentsOf: label).image,
          case .uint8(let classes) = try ImageDecoder().decodeLabel(contentsOf: frame.label).image
        else { Issue.record("labels are not 8-bit"); return }
        #expect(ids.width == 6 && ids.height == 4 && ids.channels == 1)
        #expect(ids.samples == classes.samples.map { Self.expected[Int($0)] })
      }
    }
  }

  @Test func tiledFramesAre2048x1024FromFourFrames() throws {
    try withTemporaryDirectory { directory in
      let frames = try CamVidCityscapesRoot.frames(in: try Self.makeCamVid(in: directory))
      let root = directory + "/tiled"
      try CamVidCityscapesRoot.writeTiled(frames, count: 1, imageEncoder: PNGEncoder(compressionLevel: 1), into: root, workers: 1)
      func path(_ folder: String, _ suffix: String) -> String { "\(root)/\(folder)/train/camvid/camvid_000000_000019_\(suffix).png" }
      let image = try ImageDecoder().decode(contentsOf: path("leftImg8bit", "leftImg8bit")).header
      #expect(image.width == 2048 && image.height == 1024 && image.channels == 3)
      guard case .uint8(let ids) = try ImageDecoder().decodeLabel(contentsOf: path("gtFine", "gtFine_labelIds")).image else {
        Issue.record("the tiled label is not 8-bit"); return
      }
      // Each quadrant's top-left pixel is its frame's top-left class (index % 12), mapped.
      for quadrant in 0..<4 {
        let x = (quadrant % 2) * 1024, y = (quadrant / 2) * 512
        #expect(ids.samples[y * 2048 + x] == Self.expected[quadrant], "quadrant \(quadrant)")
      }
    }
  }

  @Test func tile2x2PlacesEachImageInItsQuadrant() {
    let parts = (0..<4).map { Image8(width: 2, height: 1, channels: 1, samples: [UInt8(10 * $0), UInt8(10 * $0 + 1)]) }
    #expect(CamVidCityscapesRoot.tile2x2(parts).samples == [0, 1, 10, 11, 20, 21, 30, 31])
  }
}
