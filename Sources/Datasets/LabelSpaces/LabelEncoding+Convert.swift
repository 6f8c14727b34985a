public import ImageCodecs

/// A label file's content in train ids, and what it held that the label space does not define.
public struct TrainIdLabels: Sendable, Equatable {
  /// One 8-bit channel: train ids, ``LabelSpace/ignoreValue`` for ignored and unknown pixels.
  public var image: Image8
  /// Stored values the encoding does not define, with their pixel counts (for colour-coded labels
  /// the value is `0xRRGGBB`).
  public var unknownValues: [Int: Int]
  /// Whether the file held colours, so that ``unknownValues`` are `0xRRGGBB`.
  public var isColorCoded = false
}

/// A label file whose channels or bit depth do not fit its encoding.
public struct LabelFormatMismatch: Error, Equatable, Sendable {
  /// What was expected and what was found.
  public var reason: String
}

extension LabelEncoding {
  /// Converts a decoded label file (read with `ImageDecoder.decodeLabel`) to train ids.
  ///
  /// The label is consumed: an 8-bit gray map that nothing else references is converted in place,
  /// without a second buffer.
  public func trainIds(from label: consuming DecodedImage) -> Result<TrainIdLabels, LabelFormatMismatch> {
    switch storage {
    case .gray8:
      if case .uint8(let image) = label, image.channels == 1 {
        label = .uint8(Image8(width: 1, height: 1, channels: 1))  // `image` now holds the only reference
        return .success(convertGray(consume image))
      }
    case .instance16:
      if case .uint16(let image) = label, image.channels == 1 { return .success(convertInstances(image)) }
    case .colorCoded:
      if case .uint8(let image) = label, image.channels == 3 { return .success(convertColors(image)) }
    case .indexOrColor:
      if case .uint8(let image) = label, image.channels == 1 {
        label = .uint8(Image8(width: 1, height: 1, channels: 1))
        return .success(convertGray(consume image))
      }
      if case .uint8(let image) = label, image.channels == 3 { return .success(convertColors(image)) }
    }
    let expected: String
    switch storage {
    case .gray8: expected = "8-bit single-channel (gray or palette indices)"
    case .instance16: expected = "16-bit single-channel"
    case .colorCoded: expected = "8-bit RGB"
    case .indexOrColor: expected = "8-bit single-channel (class ids) or 8-bit RGB (class colours)"
    }
    return .failure(LabelFormatMismatch(
      reason: "expected \(expected) for \(id), found \(label.bitDepth)-bit with \(label.channels) channel(s)"))
  }

  private func convertGray(_ image: consuming Image8) -> TrainIdLabels {
    // A hot loop (every label pixel of every sample), over raw pointers. Label maps are mostly long
    // runs, so 16 equal pixels at a time take one table lookup and one count; mixed blocks go pixel
    // by pixel with four histogram copies, so neighbouring equal values do not wait on each other.
    var counts = [Int](repeating: 0, count: 4 * 256)
    var output = consume image
    output.samples.withUnsafeMutableBufferPointer { samples in
      lookup.withUnsafeBufferPointer { lookup in
        counts.withUnsafeMutableBufferPointer { counts in
          guard let pixels = samples.baseAddress, let table = lookup.baseAddress, let histogram = counts.baseAddress else {
            return
          }
          let raw = UnsafeMutableRawPointer(pixels)
          let total = samples.count
          var index = 0
          let spread: UInt64 = 0x0101_0101_0101_0101  // a byte times this fills all eight bytes
          while index + 16 <= total {
            let value = Int(pixels[index])
            let uniform = UInt64(truncatingIfNeeded: value) &* spread
            if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) == uniform
              && raw.loadUnaligned(fromByteOffset: index &+ 8, as: UInt64.self) == uniform
            {
              histogram[value] &+= 16
              let converted = UInt64(table[value]) &* spread
              raw.storeBytes(of: converted, toByteOffset: index, as: UInt64.self)
              raw.storeBytes(of: converted, toByteOffset: index &+ 8, as: UInt64.self)
            } else {
              for lane in 0..<16 {
                let value = Int(pixels[index + lane])
                histogram[(lane & 3) &* 256 &+ value] &+= 1
                pixels[index + lane] = table[value]
              }
            }
            index &+= 16
          }
          while index < total {
            let value = Int(pixels[index])
            histogram[value] &+= 1
            pixels[index] = table[value]
            index &+= 1
          }
        }
      }
    }
    for value in 0..<256 { counts[value] += counts[256 + value] + counts[512 + value] + counts[768 + value] }
    var unknown: [Int: Int] = [:]
    for value in 0..<256 where counts[value] > 0 && !known[value] { unknown[value] = counts[value] }
    return TrainIdLabels(image: output, unknownValues: unknown)
  }

  private func convertInstances(_ image: Image16) -> TrainIdLabels {
    var unknown: [Int: Int] = [:]
    let samples = image.samples.map { value -> UInt8 in
      if let trainId = trainId(ofInstanceValue: value) { return trainId }
      unknown[Int(value), default: 0] += 1
      return LabelSpace.ignoreValue
    }
    return TrainIdLabels(
      image: Image8(width: image.width, height: image.height, channels: 1, samples: samples), unknownValues: unknown)
  }

  private func convertColors(_ image: Image8) -> TrainIdLabels {
    var unknown: [Int: Int] = [:]
    var samples = [UInt8](repeating: LabelSpace.ignoreValue, count: image.pixelCount)
    var lastColor = RGB(0, 0, 0)
    var lastTrainId: UInt8? = colorLookup[lastColor]
    image.samples.withUnsafeBufferPointer { rgb in
      for pixel in 0..<image.pixelCount {
        let color = RGB(rgb[pixel * 3], rgb[pixel * 3 + 1], rgb[pixel * 3 + 2])
        if color != lastColor {
          lastColor = color
          lastTrainId = colorLookup[color]
        }
        if let trainId = lastTrainId {
          samples[pixel] = trainId
        } else {
          unknown[Int(color.red) << 16 | Int(color.green) << 8 | Int(color.blue), default: 0] += 1
        }
      }
    }
    return TrainIdLabels(
      image: Image8(width: image.width, height: image.height, channels: 1, samples: samples), unknownValues: unknown,
      isColorCoded: true)
  }
}

extension LabelEncoding {
  /// The inverse of a gray encoding: for each train id (and the ignore value) the smallest stored
  /// value that maps to it, or `nil` where none does.
  public var storedValueOfTrainId: [UInt8?] {
    var inverse = [UInt8?](repeating: nil, count: 256)
    guard storage == .gray8 || storage == .indexOrColor else { return inverse }
    for value in (0..<256).reversed() where known[value] { inverse[Int(lookup[value])] = UInt8(value) }
    return inverse
  }

  /// Train-id labels written back in this gray encoding (SegNet's 11 for void, ADE20K's 0 for
  /// "other", a generic dataset's class ids, …), so that reading the result with this encoding
  /// gives `labels` again.
  /// - Returns: `nil` when the encoding stores no values or a train id in `labels` has no stored value.
  public func storing(_ labels: Image8) -> Image8? {
    let inverse = storedValueOfTrainId
    var stored = labels
    for index in stored.samples.indices {
      guard let value = inverse[Int(stored.samples[index])] else { return nil }
      stored.samples[index] = value
    }
    return stored
  }
}
