public import Datasets
public import ImageCodecs
public import NN
public import Tensors

/// Per-pixel class predictions of a network: logits resized bilinearly to the wanted size, then argmax.
public enum Inference {
  /// The train-id map of an RGB image, `width × height` (default: the image's size), run as
  /// `augmentation` says.
  public static func predict(_ model: DeepLab, image: Image8, normalization: InputNormalization = .imagenet,
                             width: Int? = nil, height: Int? = nil, augmentation: TestTimeAugmentation = .none) -> Image8 {
    argmax(scores(model, image: image, normalization: normalization, width: width, height: height, augmentation: augmentation))[0]
  }

  /// The class scores `[1, K, height, width]` of an RGB image (default: the image's size): the
  /// logits, or with `augmentation` the mean class probabilities (``scores(_:input:height:width:augmentation:)``).
  public static func scores(_ model: DeepLab, image: Image8, normalization: InputNormalization = .imagenet,
                            width: Int? = nil, height: Int? = nil, augmentation: TestTimeAugmentation = .none) -> Tensor {
    let rgb = image.rgb()
    let size = (height: height ?? rgb.height, width: width ?? rgb.width)
    return scores(model, input: normalized(rgb, normalization), height: size.height, width: size.width, augmentation: augmentation).scores
  }

  /// An RGB image as the network's input `[1, 3, H, W]`: each channel through its normalization table.
  static func normalized(_ rgb: Image8, _ normalization: InputNormalization) -> Tensor {
    let tables = (0..<3).map(normalization.table(channel:))
    let plane = rgb.pixelCount
    return Tensor(shape: [1, 3, rgb.height, rgb.width]) { pixels in
      for pixel in 0..<plane {
        for c in 0..<3 { pixels[c * plane + pixel] = tables[c][Int(rgb.samples[pixel * 3 + c])] }
      }
    }
  }

  /// Evaluation-mode logits `[N, K, height, width]` of a normalized input.
  public static func logits(_ model: DeepLab, input: Tensor, height: Int, width: Int) -> Tensor {
    let wasTraining = model.isTraining
    model.isTraining = false
    defer { model.isTraining = wasTraining }
    let output = model.forward(input)
    if output.shape[2] == height && output.shape[3] == width { return output }
    return BilinearUpsample().forward(output, height: height, width: width)
  }

  /// The class of the largest logit per pixel (the first on ties), one 8-bit map per image.
  public static func argmax(_ logits: Tensor) -> [Image8] {
    let n = logits.shape[0], k = logits.shape[1], h = logits.shape[2], w = logits.shape[3], plane = h * w
    precondition(k <= 255, "at most 255 classes fit an 8-bit train-id map")
    return (0..<n).map { image in
      var best = [Float](repeating: -.infinity, count: plane)
      var classes = [UInt8](repeating: 0, count: plane)
      logits.withUnsafeBufferPointer { x in
        for c in 0..<k {
          let row = x.baseAddress! + (image * k + c) * plane
          for p in 0..<plane where row[p] > best[p] {
            best[p] = row[p]
            classes[p] = UInt8(c)
          }
        }
      }
      return Image8(width: w, height: h, channels: 1, samples: classes)
    }
  }
}

/// Colour renderings of train-id maps in a label space's palette.
public enum LabelColors {
  /// The palette colour of every pixel (black for ignore and unknown ids).
  public static func colorize(_ labels: Image8, space: LabelSpace) -> Image8 {
    RGB.paint(labels, palette: (0...255).map { space.color(of: UInt8($0)) })
  }

  /// The image blended with the palette colours: `(1 − opacity) · image + opacity · colour`;
  /// ignored pixels keep the image. The labels are resized (nearest) to the image when they differ.
  public static func overlay(_ image: Image8, labels: Image8, space: LabelSpace, opacity: Double = 0.5) -> Image8 {
    let rgb = image.rgb()
    let sized = labels.width == rgb.width && labels.height == rgb.height
      ? labels : NearestResampler.resize(labels, width: rgb.width, height: rgb.height)
    let colors = colorize(sized, space: space)
    var output = rgb
    for pixel in 0..<rgb.pixelCount where sized.samples[pixel] != LabelSpace.ignoreValue {
      for c in 0..<3 {
        let blended = (1 - opacity) * Double(rgb.samples[pixel * 3 + c]) + opacity * Double(colors.samples[pixel * 3 + c])
        output.samples[pixel * 3 + c] = UInt8(min(255, max(0, blended.rounded())))
      }
    }
    return output
  }
}
