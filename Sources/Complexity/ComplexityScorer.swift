public import DanceCore
public import ImageCodecs

/// Computes a chosen set of complexity indicators for one sample, sharing work between them.
///
/// A scorer is a plain `Sendable` value: build it once with the indicators you want and call
/// ``score(image:trainIds:)`` from any number of tasks. Each requested indicator is computed once
/// per call, and indicators share their intermediate results: one streaming pass over the image
/// (luma rows computed on the fly) for ``Indicator/si`` and ``Indicator/siMean``, one luma plane
/// for ``Indicator/edgeDensity`` and ``Indicator/jpegBitsPerPixel``, and one pass over the label
/// map for the histogram, the boundary and the round trips of every requested fidelity scale, each
/// serving both ``Indicator/fidelity50`` and ``Indicator/worstClass50`` (and likewise at 0.75 and
/// 0.25).
///
/// ```swift
/// let scorer = ComplexityScorer(indicators: Indicator.defaultSet)
/// let scores = scorer.score(image: rgb, trainIds: labels)
/// let spatialComplexity = scores[.siMean]
/// ```
public struct ComplexityScorer: Sendable {
  /// The train-id value of ignored pixels: they are excluded from every label indicator.
  public static let ignoreLabel: UInt8 = 255

  /// The indicators ``score(image:trainIds:)`` computes, in request order.
  public var indicators: [Indicator]

  /// Creates a scorer for `indicators`; duplicates are computed once.
  public init(indicators: [Indicator] = Indicator.defaultSet) {
    self.indicators = indicators
  }

  /// Scores one sample.
  ///
  /// Image indicators read `image` (8-bit, 1 to 4 channels; its luma), label indicators read
  /// `trainIds` (one channel, 255 = ignore). An indicator whose input is `nil` is absent from the
  /// result, and so is ``Indicator/jpegBitsPerPixel`` in the unexpected case that libjpeg fails.
  ///
  /// - Parameters:
  ///   - image: The sample's image at its stored resolution, or `nil` to skip image indicators.
  ///   - trainIds: The sample's train-id map, or `nil` to skip label indicators.
  /// - Returns: One value per requested indicator that could be computed.
  /// - Precondition: `trainIds` has one channel, and when both are given they have the same size.
  public func score(image: Image8?, trainIds: Image8?) -> [Indicator: Double] {
    let wanted = Set(indicators)
    var scores: [Indicator: Double] = [:]
    if let image, let trainIds {
      precondition(
        image.width == trainIds.width && image.height == trainIds.height,
        "image \(image.width)×\(image.height) and label \(trainIds.width)×\(trainIds.height) differ in size")
    }
    if let image, wanted.contains(where: \.needsImage) {
      scoreImage(image, wanted, into: &scores)
    }
    if let trainIds, wanted.contains(where: \.needsLabel) {
      precondition(trainIds.channels == 1, "a train-id map has one channel, not \(trainIds.channels)")
      scoreLabel(trainIds, wanted, into: &scores)
    }
    return scores
  }

  /// Scores the image indicators of the image file at `path`, decoding it once.
  ///
  /// When ``Indicator/si`` and ``Indicator/siMean`` are the only image indicators requested, the
  /// image is never held whole: its rows go from the decoder straight into the Sobel pass while they
  /// are in cache (``ImageDecoder/decodeRows(contentsOf:into:)``). Other image indicators need the
  /// whole luma plane, and then the image is decoded whole. Label indicators are not computed here.
  ///
  /// - Returns: One value per requested image indicator, and the size of the decoded image (to
  ///   check the label's size against).
  /// - Throws: ``ImageCodecError`` when the file cannot be read or decoded, or holds 16-bit samples.
  public func scoreImage(contentsOf path: String, decoder: ImageDecoder) throws(ImageCodecError)
    -> (scores: [Indicator: Double], width: Int, height: Int)
  {
    let wanted = Set(indicators.filter(\.needsImage))
    var scores: [Indicator: Double] = [:]
    if wanted.isSubset(of: [.si, .siMean]) {
      var sobel = SobelStatistics.Accumulator()
      _ = try decoder.decodeRows(contentsOf: path, into: &sobel)
      let statistics = sobel.statistics
      if wanted.contains(.si) { scores[.si] = statistics.standardDeviation }
      if wanted.contains(.siMean) { scores[.siMean] = statistics.mean }
      return (scores, sobel.width, sobel.height)
    }
    let decoded = try decoder.decode(contentsOf: path)
    guard case .uint8(let image) = decoded.image else {
      throw .unsupported(
        source: path, codec: decoded.header.codec, reason: "16-bit images are not supported here (convert to 8-bit)")
    }
    scoreImage(image, wanted, into: &scores)
    return (scores, image.width, image.height)
  }

  private func scoreImage(_ image: Image8, _ wanted: Set<Indicator>, into scores: inout [Indicator: Double]) {
    if wanted.contains(.si) || wanted.contains(.siMean) {
      let sobel = SobelStatistics(image)
      if wanted.contains(.si) { scores[.si] = sobel.standardDeviation }
      if wanted.contains(.siMean) { scores[.siMean] = sobel.mean }
    }
    guard wanted.contains(.edgeDensity) || wanted.contains(.jpegBitsPerPixel) else { return }
    let luma = LumaPlane(image)
    if wanted.contains(.edgeDensity) {
      scores[.edgeDensity] = Double(CannyEdgeDetector.edgeCount(luma)) / Double(image.pixelCount)
    }
    if wanted.contains(.jpegBitsPerPixel),
      let bytes = try? JPEGEncoder(quality: 75, progressive: false).encode(luma.roundedImage())
    {
      scores[.jpegBitsPerPixel] = 8 * Double(bytes.count) / Double(image.pixelCount)
    }
  }

  private func scoreLabel(_ trainIds: Image8, _ wanted: Set<Indicator>, into scores: inout [Indicator: Double]) {
    let pairs: [(fidelity: Indicator, worst: Indicator)] = [
      (.fidelity75, .worstClass75), (.fidelity50, .worstClass50), (.fidelity25, .worstClass25),
    ]
    let measured = pairs.filter { wanted.contains($0.fidelity) || wanted.contains($0.worst) }
    let statistics = LabelStatistics(trainIds, fidelityScales: measured.compactMap(\.fidelity.scale))
    if wanted.contains(.labelBoundary) { scores[.labelBoundary] = statistics.boundaryFraction }
    if wanted.contains(.labelEntropy) { scores[.labelEntropy] = statistics.entropy }
    if wanted.contains(.classCount) { scores[.classCount] = Double(statistics.classCount) }
    for ((fidelity, worst), lost) in zip(measured, statistics.lost) {
      let result = LabelFidelity(counts: statistics.counts, lost: lost)
      if wanted.contains(fidelity) { scores[fidelity] = result.overall }
      if wanted.contains(worst) { scores[worst] = result.worstClass }
    }
  }
}
