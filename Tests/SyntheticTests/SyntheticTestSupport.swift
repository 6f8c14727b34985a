import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Synthetic
import TestSupport

/// Helpers shared by the synthetic-dataset tests.
enum SyntheticFixtures {
  /// The relative paths of all regular files below `root`, sorted.
  static func files(under root: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
    var paths: [String] = []
    while let path = enumerator.nextObject() as? String {
      var isDirectory: ObjCBool = false
      // The record of what synth wrote (`.dance-written`) is not one of the dataset's files.
      if path != WrittenFiles.fileName, FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        paths.append(path)
      }
    }
    return paths.sorted()
  }

  /// SHA-256 of every file below `root`, by relative path.
  static func digests(under root: String) throws -> [String: String] {
    var digests: [String: String] = [:]
    for path in files(under: root) {
      digests[path] = sha256Hex(try Data(contentsOf: URL(fileURLWithPath: root + "/" + path)))
    }
    return digests
  }

  /// Writes a small dataset of `format` into `directory` and returns its summary.
  @discardableResult
  static func write(
    _ format: DatasetFormat, to directory: String, train: Int = 3, val: Int = 2, test: Int? = nil,
    seed: UInt64 = 7, size: SyntheticDatasetConfiguration.ImageSize? = nil,
    style: SyntheticDatasetConfiguration.Style = .classic
  ) throws -> SyntheticDatasetSummary {
    let configuration = SyntheticDatasetConfiguration(
      format: format, outputDirectory: directory, trainCount: train, valCount: val, testCount: test,
      imageSize: size, seed: seed, style: style)
    return try SyntheticDatasetWriter(configuration: configuration).write()
  }

  /// Mean unnormalised Sobel magnitude of the BT.601 luma over the interior pixels (design.md `si-mean`).
  static func sobelMean(_ image: Image8) -> Double {
    let width = image.width
    let height = image.height
    var luma = [Double](repeating: 0, count: width * height)
    for index in 0..<(width * height) {
      if image.channels == 1 {
        luma[index] = Double(image.samples[index])
      } else {
        let base = index * image.channels
        luma[index] = 0.299 * Double(image.samples[base]) + 0.587 * Double(image.samples[base + 1])
          + 0.114 * Double(image.samples[base + 2])
      }
    }
    var sum = 0.0
    for y in 1..<(height - 1) {
      for x in 1..<(width - 1) {
        func l(_ dx: Int, _ dy: Int) -> Double { luma[(y + dy) * width + x + dx] }
        let gx = (l(1, -1) + 2 * l(1, 0) + l(1, 1)) - (l(-1, -1) + 2 * l(-1, 0) + l(-1, 1))
        let gy = (l(-1, 1) + 2 * l(0, 1) + l(1, 1)) - (l(-1, -1) + 2 * l(0, -1) + l(1, -1))
        sum += (gx * gx + gy * gy).squareRoot()
      }
    }
    return sum / Double((width - 2) * (height - 2))
  }

  /// The valid Cityscapes label ids (`id` column of the label table, without -1).
  static let cityscapesIDs = Set(0...33)
  /// Cityscapes ids with `hasInstances`: person, rider, car, truck, bus, caravan, trailer, train,
  /// motorcycle, bicycle.
  static let cityscapesInstanceIDs: Set<Int> = [24, 25, 26, 27, 28, 29, 30, 31, 32, 33]
}
