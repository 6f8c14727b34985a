public import DanceCore
import Datasets
public import ImageCodecs

/// One rendered synthetic sample: its scene's label maps and pixels, before encoding.
public struct SyntheticSample: Sendable {
  /// The split the sample belongs to.
  public var split: DatasetSplit
  /// Its index within the split (0-based).
  public var index: Int
  /// The scene's complexity level in `[0, 1]`.
  public var complexity: Double
  /// The RGB image.
  public var image: Image8
  /// The label map in the format's label values, 8-bit, one channel.
  public var label: Image8
  /// Cityscapes only: `id * 1000 + instance index` for instance classes, else the plain id.
  public var instanceIDs: Image16?
  /// Cityscapes only: the label colours (RGBA, alpha 255) like `_gtFine_color.png`.
  public var color: Image8?
}

/// An encoded file of a synthetic dataset, relative to the output directory.
public struct SyntheticFile: Sendable, Equatable {
  /// Path relative to the output directory, `/`-separated.
  public var relativePath: String
  /// The file's bytes.
  public var bytes: [UInt8]
}

extension SceneRaster {
  /// The label map: each class mapped through `table` (indexed by ``SceneClass`` raw value).
  func labelMap(_ table: [UInt8]) -> Image8 {
    let samples = [UInt8](unsafeUninitializedCapacity: width * height) { output, count in
      classes.withUnsafeBufferPointer { classes in
        table.withUnsafeBufferPointer { table in
          for index in 0..<classes.count { output[index] = table[Int(classes[index])] }
        }
      }
      count = width * height
    }
    return Image8(width: width, height: height, channels: 1, samples: samples)
  }

  /// The Cityscapes instance-id map: `id * 1000 + (instance - 1)` on pixels of classes with
  /// instances, the plain id elsewhere.
  func cityscapesInstanceIDs() -> Image16 {
    let ids = SceneClass.allCases.map { UInt16($0.labelValue(in: .cityscapes)) }
    let instanced = SceneClass.allCases.map(\.hasInstances)
    let samples = [UInt16](unsafeUninitializedCapacity: width * height) { output, count in
      classes.withUnsafeBufferPointer { classes in
        instances.withUnsafeBufferPointer { instances in
          for index in 0..<classes.count {
            let sceneClass = Int(classes[index])
            let instance = instances[index]
            output[index] = instanced[sceneClass] && instance > 0
              ? ids[sceneClass] &* 1000 &+ (instance &- 1) : ids[sceneClass]
          }
        }
      }
      count = width * height
    }
    return Image16(width: width, height: height, channels: 1, samples: samples)
  }

  /// The Cityscapes colour rendering (RGBA, alpha 255).
  func cityscapesColor() -> Image8 {
    let colors = SceneClass.allCases.map(\.cityscapesColor)
    let samples = [UInt8](unsafeUninitializedCapacity: width * height * 4) { output, count in
      classes.withUnsafeBufferPointer { classes in
        colors.withUnsafeBufferPointer { colors in
          for index in 0..<classes.count {
            let color = colors[Int(classes[index])]
            output[index * 4] = color.red
            output[index * 4 + 1] = color.green
            output[index * 4 + 2] = color.blue
            output[index * 4 + 3] = 255
          }
        }
      }
      count = width * height * 4
    }
    return Image8(width: width, height: height, channels: 4, samples: samples)
  }
}
