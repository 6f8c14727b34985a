import DanceCore
import Datasets
import ImageCodecs

/// Turns a rasterised scene into RGB pixels: a per-class colour, modulated by the tone map, a
/// vertical gradient, low-frequency blotches and per-pixel noise.
///
/// The pixels depend only on the class, instance tone and position of each pixel, so a pixel's
/// colour never leaks across a label boundary. Class colours are distinct, but textured, so a small
/// network has to learn them rather than look them up.
struct SceneRenderer: Sendable {
  /// Base colour per ``SceneClass`` raw value.
  private static let palette: [(Int32, Int32, Int32)] = SceneClass.allCases.map { sceneClass in
    switch sceneClass {
    case .unlabeled: (112, 92, 72)
    case .egoVehicle: (44, 46, 54)
    case .sky: (140, 182, 232)
    case .building: (132, 114, 98)
    case .wall: (178, 166, 138)
    case .fence: (150, 118, 76)
    case .road: (82, 82, 90)
    case .sidewalk: (186, 172, 166)
    case .vegetation: (58, 118, 38)
    case .terrain: (134, 172, 72)
    case .pole: (112, 118, 130)
    case .streetlight: (92, 96, 78)
    case .trafficSign: (228, 196, 34)
    case .trafficLight: (64, 58, 34)
    case .person: (182, 52, 74)
    case .rider: (222, 112, 42)
    case .car: (42, 62, 152)
    case .bicycle: (122, 34, 124)
    }
  }

  /// Texture strength per class, in quarters of the scene's noise amplitude.
  private static let texture: [Int32] = SceneClass.allCases.map { sceneClass in
    switch sceneClass {
    case .sky: 1
    case .egoVehicle: 2
    case .road, .wall, .pole, .streetlight, .car, .person, .rider, .bicycle, .trafficSign, .trafficLight: 3
    case .building, .sidewalk, .unlabeled: 4
    case .fence: 5
    case .terrain: 7
    case .vegetation: 10
    }
  }

  /// Brightness gain from the top to the bottom of the image, in 1/256, per class.
  private static let gradient: [Int32] = SceneClass.allCases.map { sceneClass in
    switch sceneClass {
    case .sky: 96
    case .road, .sidewalk: -40
    default: 0
    }
  }

  /// Renders the pixels of `raster`, which must come from `scene`.
  func render(_ scene: SyntheticScene, raster: SceneRaster) -> Image8 {
    let width = raster.width
    let height = raster.height
    let blotches = BlotchGrid(scene, width: width, height: height)
    let cell = blotches.cell
    let gridWidth = blotches.gridWidth
    let noise = Int32(scene.noiseAmplitude)
    let blotch = Int32(scene.blotchAmplitude)
    let illumination = Int32(scene.illumination)
    let seed = scene.textureSeed
    let samples = [UInt8](unsafeUninitializedCapacity: width * height * 3) { output, count in
      raster.classes.withUnsafeBufferPointer { classes in
        raster.tones.withUnsafeBufferPointer { tones in
          blotches.values.withUnsafeBufferPointer { grid in
            blotches.columnCell.withUnsafeBufferPointer { columnCell in
              blotches.columnFraction.withUnsafeBufferPointer { columnFraction in
                Self.palette.withUnsafeBufferPointer { palette in
                  Self.texture.withUnsafeBufferPointer { texture in
                    Self.gradient.withUnsafeBufferPointer { gradient in
                      for y in 0..<height {
                        let rowFraction = Int32(y * 256 / height)
                        let rowA = (y / cell) * gridWidth
                        let rowB = rowA + gridWidth
                        let fy = Int32((y % cell) * 256 / cell)
                        var index = y * width
                        var out = index * 3
                        for x in 0..<width {
                          let sceneClass = Int(classes[index])
                          let strength = texture[sceneClass]
                          let cx = columnCell[x]
                          let low = Self.interpolate(
                            grid[rowA + cx], grid[rowA + cx + 1], grid[rowB + cx], grid[rowB + cx + 1], fx: columnFraction[x], fy: fy)
                          var bright = illumination &+ Int32(tones[index]) &* 2
                          bright &+= (low &* blotch &* strength) >> 10
                          bright &+= (gradient[sceneClass] &* rowFraction) >> 8
                          bright = max(bright, 16)
                          Self.writePixel(
                            palette[sceneClass], bright: bright, hash: pixelHash(x, y, seed), amplitude: noise &* strength,
                            to: output, at: out)
                          index += 1
                          out += 3
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
      count = width * height * 3
    }
    return Image8(width: width, height: height, channels: 3, samples: samples)
  }

  /// Bilinear interpolation between grid values `a` (top left), `b` (top right), `c` (bottom left)
  /// and `d` (bottom right) at `fx`, `fy` (in 256ths of a cell).
  @inline(__always)
  private static func interpolate(_ a: Int32, _ b: Int32, _ c: Int32, _ d: Int32, fx: Int32, fy: Int32) -> Int32 {
    let top = a &* 256 &+ (b &- a) &* fx
    let bottom = c &* 256 &+ (d &- c) &* fx
    return (top &* (256 &- fy) &+ bottom &* fy) >> 16
  }

  /// Writes one RGB pixel at `out`: `color` at brightness `bright` (in 256ths), plus luma and
  /// red and blue chroma noise of `amplitude` drawn from the three low bytes of `hash`.
  @inline(__always)
  private static func writePixel(
    _ color: (Int32, Int32, Int32), bright: Int32, hash: UInt32, amplitude: Int32, to output: UnsafeMutableBufferPointer<UInt8>,
    at out: Int
  ) {
    let (red, green, blue) = color
    let luma = ((Int32(hash & 0xFF) &- 128) &* amplitude) >> 9
    let chromaR = ((Int32((hash >> 8) & 0xFF) &- 128) &* amplitude) >> 11
    let chromaB = ((Int32((hash >> 16) & 0xFF) &- 128) &* amplitude) >> 11
    output[out] = clamp(((red &* bright) >> 8) &+ luma &+ chromaR)
    output[out + 1] = clamp(((green &* bright) >> 8) &+ luma)
    output[out + 2] = clamp(((blue &* bright) >> 8) &+ luma &+ chromaB)
  }

  @inline(__always)
  private static func clamp(_ value: Int32) -> UInt8 {
    UInt8(truncatingIfNeeded: min(max(value, 0), 255))
  }
}

/// A scene's low-frequency blotches: a coarse grid of random values (−128…127), interpolated
/// bilinearly between grid points, with each column's cell and position in it worked out once.
private struct BlotchGrid {
  /// Pixels per grid cell.
  let cell: Int
  /// Grid values per row.
  let gridWidth: Int
  /// The grid's values, row by row.
  let values: [Int32]
  /// Per image column, the grid cell it lies in.
  let columnCell: [Int]
  /// Per image column, its position within its cell, in 256ths.
  let columnFraction: [Int32]

  init(_ scene: SyntheticScene, width: Int, height: Int) {
    let cell = max(4, width / 16)
    let gridWidth = width / cell + 2
    let gridHeight = height / cell + 2
    var generator = SplitMix(seed: UInt64(scene.textureSeed) | 0xB10C_0000_0000)
    self.cell = cell
    self.gridWidth = gridWidth
    values = (0..<(gridWidth * gridHeight)).map { _ in
      Int32(truncatingIfNeeded: generator.next() & 0xFF) - 128
    }
    columnCell = (0..<width).map { $0 / cell }
    columnFraction = (0..<width).map { Int32(($0 % cell) * 256 / cell) }
  }
}
