import Foundation
import ImageCodecs
import Synthetic

/// The Cityscapes-format roots built from CamVid's real photographs that `dance-bench slim
/// --photos` measures on (not timed; reused when the bench's directory already holds them).
enum PhotoRoots {
  /// How the tiled frames' images are stored: libpng's own defaults (adaptive row filters, zlib
  /// level 6, the standard strategy), as most writers of real datasets leave them.
  static let tiledEncoder = PNGEncoder(compressionLevel: 6, filter: .adaptive)

  /// The two roots under `directory`: every CamVid frame as it is (image bytes as stored), and
  /// `tiled` 2048×1024 frames each tiled from four CamVid frames; with a title for each.
  static func build(camvid: String, tiled: Int, into directory: String, threads: Int) throws -> [(root: String, title: String)] {
    let frames = try CamVidCityscapesRoot.frames(in: camvid)
    let first = frames.first.map { (try? ImageDecoder().decode(contentsOf: $0.image).header).map { "\($0.width)x\($0.height)" } ?? "" } ?? ""
    let asStored = directory + "/camvid-as-stored-\(frames.count)"
    try prepare(asStored, what: "\(frames.count) CamVid frames as stored") {
      try CamVidCityscapesRoot.writeAsStored(frames, into: asStored, workers: threads)
    }
    let tiledRoot = directory + "/camvid-tiled-\(tiled)"
    try prepare(tiledRoot, what: "\(tiled) 2048x1024 frames tiled 2x2 from CamVid frames") {
      try CamVidCityscapesRoot.writeTiled(frames, count: tiled, imageEncoder: tiledEncoder, into: tiledRoot, workers: threads)
    }
    return [
      (asStored, "CamVid's \(frames.count) real frames as they are (\(first), image PNGs copied as stored)"),
      (tiledRoot, "\(tiled) 2048x1024 frames, each 4 CamVid frames area-resized to 1024x512 and tiled 2x2 (libpng adaptive filters, zlib 6)"),
    ]
  }

  /// Runs `make` into an empty `root` unless a previous run completed it; not timed.
  static func prepare(_ root: String, what: String, make: () throws -> Void) throws {
    let marker = root + "/.complete"
    if FileManager.default.fileExists(atPath: marker) {
      print("reusing \(what) in \(root)")
      return
    }
    try? FileManager.default.removeItem(atPath: root)
    let start = Date()
    try make()
    _ = FileManager.default.createFile(atPath: marker, contents: nil)
    print("built \(what) in \(root) (" + String(format: "%.0f s, not timed)", Date().timeIntervalSince(start)))
  }
}
