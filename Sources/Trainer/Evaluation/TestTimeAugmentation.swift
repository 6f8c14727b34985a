import Foundation
public import NN
public import Tensors

/// How a network is run over an image at test time, as benchmark tooling runs it: the whole image
/// at once or MMSegmentation's sliding windows (its `slide` mode), at one or more scales, with or
/// without horizontal flips (its test-time augmentation).
///
/// Without augmentation (``isPlain``) the network's logits decide. Otherwise, as MMSegmentation's
/// `SegTTAModel` does, each pass's logits are resized bilinearly to the image's size (and flipped
/// back), turned into class probabilities by a softmax, and the probabilities are averaged; within
/// one pass, overlapping windows average their logits.
public struct TestTimeAugmentation: Codable, Sendable, Equatable, CustomStringConvertible {
  /// The sliding window: the network sees windows of this size (a side larger than the image is
  /// the image's side); nil runs it on the whole image.
  public var window: PixelSize?
  /// The step between windows; nil for two thirds of the window, rounded down (MMSegmentation's
  /// Cityscapes configurations: windows of 1024×512 every 682×341).
  public var stride: PixelSize?
  /// The image scales, 1 being the image as stored.
  public var scales: [Double]
  /// Whether every scale is also run on the horizontally mirrored image.
  public var flip: Bool

  /// Creates a setting; the default runs the network once on the whole image.
  public init(window: PixelSize? = nil, stride: PixelSize? = nil, scales: [Double] = [1], flip: Bool = false) {
    self.window = window
    self.stride = stride
    self.scales = scales
    self.flip = flip
  }

  /// One pass over the whole image as it is.
  public static let none = TestTimeAugmentation()

  /// The largest scale accepted: an image is never run at more than 4 times its size.
  public static let maximumScale = 4.0

  /// Whether the network runs once on the whole image as it is.
  public var isPlain: Bool { window == nil && scales == [1] && !flip }

  /// The stride in effect (nil without windows).
  public var effectiveStride: PixelSize? {
    window.map { window in stride ?? PixelSize(width: max(1, 2 * window.width / 3), height: max(1, 2 * window.height / 3)) }
  }

  /// Why the setting cannot run, or nil.
  public var problem: String? {
    if scales.isEmpty { return "--scales needs at least one scale" }
    if let bad = scales.first(where: { !($0 > 0 && $0 <= Self.maximumScale) }) {
      return "--scales must be in (0, \(Self.maximumScale)], got \(bad)"
    }
    if stride != nil && window == nil { return "--stride needs --slide" }
    if let stride, let window, stride.width > window.width || stride.height > window.height {
      return "--stride \(stride) is larger than the window \(window): pixels between windows would get no prediction"
    }
    return nil
  }

  /// `whole`, or `slide 512x256 every 342x171`, with the scales and flips.
  public var description: String {
    var text = window.map { "slide \($0) every \(effectiveStride ?? $0)" } ?? "whole"
    if scales != [1] { text += ", scales " + scales.map { String($0) }.joined(separator: ",") }
    if flip { text += ", flip" }
    return text
  }
}

extension Inference {
  /// The class scores of a normalized input `[1, C, H, W]` at `height × width`: the logits when
  /// `augmentation` is plain, else the mean class probabilities of its passes; also the input
  /// shape of every forward pass (for FLOP counts).
  public static func scores(
    _ model: DeepLab, input: Tensor, height: Int, width: Int, augmentation: TestTimeAugmentation
  ) -> (scores: Tensor, passes: [[Int]]) {
    if augmentation.isPlain { return (logits(model, input: input, height: height, width: width), [input.shape]) }
    let inputHeight = input.shape[2], inputWidth = input.shape[3]
    var sum = Tensor(shape: [1, model.configuration.classes, height, width])
    var passes: [[Int]] = [], count = 0
    for scale in augmentation.scales {
      let scaledHeight = max(1, Int((Double(inputHeight) * scale).rounded()))
      let scaledWidth = max(1, Int((Double(inputWidth) * scale).rounded()))
      let scaled = scaledHeight == inputHeight && scaledWidth == inputWidth
        ? input : BilinearUpsample().forward(input, height: scaledHeight, width: scaledWidth)
      for mirrored in augmentation.flip ? [false, true] : [false] {
        var output = windowedLogits(model, input: mirrored ? mirroredHorizontally(scaled) : scaled, augmentation, passes: &passes)
        if output.shape[2] != height || output.shape[3] != width {
          output = BilinearUpsample().forward(output, height: height, width: width)
        }
        sum.add(softmaxOverClasses(mirrored ? mirroredHorizontally(output) : output))
        count += 1
      }
    }
    let scale = 1 / Float(count)
    sum.withUnsafeMutableBufferPointer { values in for index in values.indices { values[index] *= scale } }
    return (sum, passes)
  }

  /// The logits of `input` at its own size: one pass, or MMSegmentation's `slide_inference`
  /// (windows at `y = i · stride` clamped to end inside the image, overlaps averaged).
  static func windowedLogits(
    _ model: DeepLab, input: Tensor, _ augmentation: TestTimeAugmentation, passes: inout [[Int]]
  ) -> Tensor {
    let height = input.shape[2], width = input.shape[3]
    guard let window = augmentation.window, let stride = augmentation.effectiveStride else {
      passes.append(input.shape)
      return logits(model, input: input, height: height, width: width)
    }
    var sum = Tensor(shape: [1, model.configuration.classes, height, width])
    var covered = [Float](repeating: 0, count: height * width)
    for box in windows(height: height, width: width, window: window, stride: stride) {
      let crop = cropped(input, top: box.top, left: box.left, height: box.height, width: box.width)
      passes.append(crop.shape)
      accumulate(logits(model, input: crop, height: box.height, width: box.width), into: &sum, top: box.top, left: box.left)
      for y in box.top..<(box.top + box.height) {
        for x in box.left..<(box.left + box.width) { covered[y * width + x] += 1 }
      }
    }
    let plane = height * width
    sum.withUnsafeMutableBufferPointer { values in
      for index in values.indices { values[index] /= covered[index % plane] }
    }
    return sum
  }

  /// The windows of an image of `height × width`, as MMSegmentation's `slide_inference` places
  /// them: a grid of `⌈(H − h) / stride⌉ + 1` rows (and columns likewise), window `i` at
  /// `i · stride` moved back to end inside the image; a window side larger than the image is the
  /// image's side.
  public static func windows(height: Int, width: Int, window: PixelSize, stride: PixelSize)
    -> [(top: Int, left: Int, height: Int, width: Int)]
  {
    let windowHeight = min(window.height, height), windowWidth = min(window.width, width)
    let rows = max(height - windowHeight + stride.height - 1, 0) / stride.height + 1
    let columns = max(width - windowWidth + stride.width - 1, 0) / stride.width + 1
    return (0..<rows).flatMap { row in
      (0..<columns).map { column in
        let bottom = min(row * stride.height + windowHeight, height), right = min(column * stride.width + windowWidth, width)
        return (max(bottom - windowHeight, 0), max(right - windowWidth, 0), windowHeight, windowWidth)
      }
    }
  }

  /// `[N, C, H, W]` mirrored left to right.
  static func mirroredHorizontally(_ tensor: Tensor) -> Tensor {
    let width = tensor.shape[3], rows = tensor.count / width
    return Tensor(shape: tensor.shape) { output in
      tensor.withUnsafeBufferPointer { input in
        for row in 0..<rows {
          for x in 0..<width { output[row * width + x] = input[row * width + width - 1 - x] }
        }
      }
    }
  }

  /// The window `[top, top + height) × [left, left + width)` of every plane of `[N, C, H, W]`.
  static func cropped(_ tensor: Tensor, top: Int, left: Int, height: Int, width: Int) -> Tensor {
    let planes = tensor.shape[0] * tensor.shape[1], sourceHeight = tensor.shape[2], sourceWidth = tensor.shape[3]
    return Tensor(shape: [tensor.shape[0], tensor.shape[1], height, width]) { output in
      tensor.withUnsafeBufferPointer { input in
        for plane in 0..<planes {
          for y in 0..<height {
            let source = (plane * sourceHeight + top + y) * sourceWidth + left, target = (plane * height + y) * width
            for x in 0..<width { output[target + x] = input[source + x] }
          }
        }
      }
    }
  }

  /// Adds `window` (`[1, K, h, w]`) into `sum` (`[1, K, H, W]`) at `(top, left)`.
  static func accumulate(_ window: Tensor, into sum: inout Tensor, top: Int, left: Int) {
    let classes = window.shape[1], height = window.shape[2], width = window.shape[3]
    let sumHeight = sum.shape[2], sumWidth = sum.shape[3]
    window.withUnsafeBufferPointer { input in
      sum.withUnsafeMutableBufferPointer { output in
        for c in 0..<classes {
          for y in 0..<height {
            let source = (c * height + y) * width, target = (c * sumHeight + top + y) * sumWidth + left
            for x in 0..<width { output[target + x] += input[source + x] }
          }
        }
      }
    }
  }

  /// The softmax over the class axis of `[1, K, H, W]` logits (max-subtracted, in Float).
  static func softmaxOverClasses(_ logits: Tensor) -> Tensor {
    let classes = logits.shape[1], plane = logits.shape[2] * logits.shape[3]
    return Tensor(shape: logits.shape) { output in
      logits.withUnsafeBufferPointer { input in
        for pixel in 0..<plane {
          var largest = -Float.infinity
          for c in 0..<classes { largest = max(largest, input[c * plane + pixel]) }
          var total: Float = 0
          for c in 0..<classes {
            let value = expf(input[c * plane + pixel] - largest)
            output[c * plane + pixel] = value
            total += value
          }
          for c in 0..<classes { output[c * plane + pixel] /= total }
        }
      }
    }
  }
}
