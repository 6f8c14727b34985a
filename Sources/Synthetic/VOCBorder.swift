import ImageCodecs

/// Pascal VOC's void border: VOC's annotators left a band of 255 ("void") around every object's
/// outline, so that the uncertain pixels at its edge count for no class.
enum VOCBorder {
  /// `label` with every pixel within `radius` (Chebyshev distance) of a boundary between two
  /// classes set to 255, where at least one of the two is an object (not background 0).
  static func voided(_ label: Image8, radius: Int = 1) -> Image8 {
    let width = label.width, height = label.height
    var output = label
    label.samples.withUnsafeBufferPointer { source in
      output.samples.withUnsafeMutableBufferPointer { target in
        for y in 0..<height {
          for x in 0..<width {
            let center = source[y * width + x]
            guard center != 255 else { continue }
            search: for dy in -radius...radius where (0..<height).contains(y + dy) {
              for dx in -radius...radius where (0..<width).contains(x + dx) {
                let neighbour = source[(y + dy) * width + x + dx]
                if neighbour != center && neighbour != 255 && (neighbour != 0 || center != 0) {
                  target[y * width + x] = 255
                  break search
                }
              }
            }
          }
        }
      }
    }
    return output
  }
}
