/// The unsigned integer types an ``Image`` can hold: `UInt8` for ordinary images and 8-bit
/// labels, `UInt16` for 16-bit PNGs such as Cityscapes `instanceIds`.
public protocol ImageSample: FixedWidthInteger, UnsignedInteger, Sendable {}
extension UInt8: ImageSample {}
extension UInt16: ImageSample {}

/// An image as rows of interleaved samples, top row first, with no row padding.
///
/// The sample at column `x`, row `y`, channel `c` is `samples[(y * width + x) * channels + c]`.
/// One channel is grayscale or a label map, two gray + alpha, three RGB, four RGBA.
public struct Image<Sample: ImageSample>: Sendable, Equatable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// Interleaved channels per pixel (1 to 4).
  public let channels: Int
  /// The samples, `width * height * channels` of them.
  public var samples: [Sample]

  /// Wraps existing samples; their count must be `width * height * channels`.
  public init(width: Int, height: Int, channels: Int, samples: [Sample]) {
    precondition(width > 0 && height > 0, "image dimensions must be positive")
    precondition((1...4).contains(channels), "an image has 1 to 4 channels")
    precondition(samples.count == width * height * channels, "sample count does not match the dimensions")
    self.width = width
    self.height = height
    self.channels = channels
    self.samples = samples
  }

  /// Creates an image with every sample set to `value`.
  public init(width: Int, height: Int, channels: Int, repeating value: Sample = 0) {
    self.init(
      width: width, height: height, channels: channels,
      samples: [Sample](repeating: value, count: width * height * channels))
  }

  /// Number of pixels (`width * height`).
  public var pixelCount: Int { width * height }

  /// Bits per sample: 8 or 16.
  public var bitDepth: Int { Sample.bitWidth }

  /// The sample at column `x`, row `y`, channel `c`.
  public subscript(x: Int, y: Int, c: Int = 0) -> Sample {
    get { samples[(y * width + x) * channels + c] }
    set { samples[(y * width + x) * channels + c] = newValue }
  }
}

/// An 8-bit image.
public typealias Image8 = Image<UInt8>
/// A 16-bit image.
public typealias Image16 = Image<UInt16>

/// A decoded image of either sample width, as a file stores it.
public enum DecodedImage: Sendable, Equatable {
  /// Samples of 8 bits (or fewer, expanded to 8).
  case uint8(Image8)
  /// Samples of 16 bits.
  case uint16(Image16)

  /// Width in pixels.
  public var width: Int {
    switch self {
    case .uint8(let image): image.width
    case .uint16(let image): image.width
    }
  }

  /// Height in pixels.
  public var height: Int {
    switch self {
    case .uint8(let image): image.height
    case .uint16(let image): image.height
    }
  }

  /// Interleaved channels per pixel.
  public var channels: Int {
    switch self {
    case .uint8(let image): image.channels
    case .uint16(let image): image.channels
    }
  }

  /// Bits per sample of the decoded samples: 8 or 16.
  public var bitDepth: Int {
    switch self {
    case .uint8: 8
    case .uint16: 16
    }
  }

  /// The samples as bytes, 16-bit samples big-endian as PNG stores them.
  public var bigEndianBytes: [UInt8] {
    switch self {
    case .uint8(let image):
      return image.samples
    case .uint16(let image):
      var bytes = [UInt8]()
      bytes.reserveCapacity(image.samples.count * 2)
      for sample in image.samples {
        bytes.append(UInt8(sample >> 8))
        bytes.append(UInt8(sample & 0xFF))
      }
      return bytes
    }
  }
}

extension Image8 {
  /// This image as 3-channel RGB: gray is replicated, alpha dropped (RGB is returned as it is).
  public func rgb() -> Image8 {
    if channels == 3 { return self }
    var output = Image8(width: width, height: height, channels: 3)
    let source = channels
    output.samples.withUnsafeMutableBufferPointer { target in
      samples.withUnsafeBufferPointer { input in
        for pixel in 0..<pixelCount {
          let base = pixel * source
          if source <= 2 {
            let value = input[base]
            target[pixel * 3] = value
            target[pixel * 3 + 1] = value
            target[pixel * 3 + 2] = value
          } else {
            target[pixel * 3] = input[base]
            target[pixel * 3 + 1] = input[base + 1]
            target[pixel * 3 + 2] = input[base + 2]
          }
        }
      }
    }
    return output
  }
}
