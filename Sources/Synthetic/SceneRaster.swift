/// The label-side rendering of a ``SyntheticScene``: per pixel a class, an instance number, a tone,
/// a colour index and a light level (the last two used by the photographic renderer).
///
/// Shapes are rasterised by pixel centres with no antialiasing: a pixel belongs to a shape exactly
/// when its centre `(x + 0.5, y + 0.5)` lies inside, so every pixel has one class.
struct SceneRaster: Sendable {
  /// Width in pixels.
  let width: Int
  /// Height in pixels.
  let height: Int
  /// ``SceneClass`` raw value per pixel, row-major.
  var classes: [UInt8]
  /// Instance number per pixel (1-based per class, 0 = no instance), row-major.
  var instances: [UInt16]
  /// Brightness offset per pixel, row-major.
  var tones: [Int8]
  /// Colour per pixel as an index + 1 into the scene's colours (0 = the class's own), row-major.
  var colors: [UInt16]
  /// Light per pixel in 1/255 (255 = unshadowed), row-major.
  var light: [UInt8]

  /// Rasterises `scene`'s primitives in order.
  init(scene: SyntheticScene) {
    width = scene.width
    height = scene.height
    classes = [UInt8](repeating: SceneClass.unlabeled.rawValue, count: width * height)
    instances = [UInt16](repeating: 0, count: width * height)
    tones = [Int8](repeating: 0, count: width * height)
    colors = [UInt16](repeating: 0, count: width * height)
    light = [UInt8](repeating: 255, count: width * height)
    for primitive in scene.primitives {
      draw(primitive)
    }
  }

  /// The covered column range `[start, end)` of an interval `[left, right)` given in pixels.
  @inline(__always)
  private func columns(_ left: Double, _ right: Double) -> Range<Int> {
    let start = max(0, Int((left - 0.5).rounded(.up)))
    let end = min(width, Int((right - 0.5).rounded(.up)))
    return start..<max(start, end)
  }

  /// The covered row range of `[top, bottom)` given in pixels.
  @inline(__always)
  private func rows(_ top: Double, _ bottom: Double) -> Range<Int> {
    let start = max(0, Int((top - 0.5).rounded(.up)))
    let end = min(height, Int((bottom - 0.5).rounded(.up)))
    return start..<max(start, end)
  }

  /// Paints one primitive, row span by row span.
  private mutating func draw(_ primitive: ScenePrimitive) {
    let w = Double(width)
    let h = Double(height)
    switch primitive.shape {
    case .rectangle(let x0, let y0, let x1, let y1):
      let span = columns(x0 * w, x1 * w)
      for y in rows(y0 * h, y1 * h) {
        fill(row: y, span, primitive)
      }
    case .ellipse(let cx, let cy, let rx, let ry):
      let (px, py, prx, pry) = (cx * w, cy * h, rx * w, ry * h)
      guard prx > 0, pry > 0 else { return }
      for y in rows(py - pry, py + pry) {
        let dy = (Double(y) + 0.5 - py) / pry
        let half = prx * (1 - dy * dy).squareRoot()
        fill(row: y, columns(px - half, px + half), primitive)
      }
    case .ring(let cx, let cy, let rx, let ry, let thickness):
      let (px, py, prx, pry) = (cx * w, cy * h, rx * w, ry * h)
      guard prx > 0, pry > 0 else { return }
      let inner = max(0, 1 - thickness)
      for y in rows(py - pry, py + pry) {
        let dy = (Double(y) + 0.5 - py) / pry
        let outerHalf = prx * (1 - dy * dy).squareRoot()
        let innerDy = inner > 0 ? dy / inner : 2
        if innerDy * innerDy >= 1 {
          fill(row: y, columns(px - outerHalf, px + outerHalf), primitive)
        } else {
          let innerHalf = prx * inner * (1 - innerDy * innerDy).squareRoot()
          fill(row: y, columns(px - outerHalf, px - innerHalf), primitive)
          fill(row: y, columns(px + innerHalf, px + outerHalf), primitive)
        }
      }
    case .trapezoid(let top, let bottom, let topLeft, let topRight, let bottomLeft, let bottomRight):
      let (pt, pb) = (top * h, bottom * h)
      guard pb > pt else { return }
      for y in rows(pt, pb) {
        let t = (Double(y) + 0.5 - pt) / (pb - pt)
        let left = (topLeft + (bottomLeft - topLeft) * t) * w
        let right = (topRight + (bottomRight - topRight) * t) * w
        fill(row: y, columns(left, right), primitive)
      }
    }
  }

  /// Paints the pixels `span` of row `y`.
  @inline(__always)
  private mutating func fill(row y: Int, _ span: Range<Int>, _ primitive: ScenePrimitive) {
    guard !span.isEmpty else { return }
    let base = y * width
    let tone = primitive.tone
    let holes = primitive.holes
    switch primitive.paint {
    case .object(let sceneClass, let instance):
      let value = sceneClass.rawValue
      let color = primitive.color
      classes.withUnsafeMutableBufferPointer { classes in
        instances.withUnsafeMutableBufferPointer { instances in
          tones.withUnsafeMutableBufferPointer { tones in
            for x in span {
              if let holes, Self.isHole(x, y, holes) { continue }
              classes[base + x] = value
              instances[base + x] = instance
              tones[base + x] = tone
              colors[base + x] = color
              light[base + x] = 255
            }
          }
        }
      }
    case .tone(let onClass):
      let value = onClass.rawValue
      let color = primitive.color
      classes.withUnsafeBufferPointer { classes in
        tones.withUnsafeMutableBufferPointer { tones in
          for x in span where classes[base + x] == value {
            if let holes, Self.isHole(x, y, holes) { continue }
            tones[base + x] = tone
            if color != 0 { colors[base + x] = color }
          }
        }
      }
    case .shade(let level, let groundOnly):
      classes.withUnsafeBufferPointer { classes in
        light.withUnsafeMutableBufferPointer { light in
          for x in span {
            if groundOnly && !Self.isGround(classes[base + x]) { continue }
            if let holes, Self.isHole(x, y, holes) { continue }
            light[base + x] = UInt8((Int(light[base + x]) * Int(level) + 127) / 255)
          }
        }
      }
    }
  }

  /// Whether a class raw value is road, sidewalk or terrain (where contact shadows fall).
  @inline(__always)
  private static func isGround(_ value: UInt8) -> Bool {
    value == SceneClass.road.rawValue || value == SceneClass.sidewalk.rawValue || value == SceneClass.terrain.rawValue
  }

  /// Whether the speckle cell holding pixel `(x, y)` is a hole.
  @inline(__always)
  private static func isHole(_ x: Int, _ y: Int, _ holes: Speckle) -> Bool {
    pixelHash(x >> holes.cellShift, y >> holes.cellShift, holes.seed) & 0xFF < holes.density
  }
}
