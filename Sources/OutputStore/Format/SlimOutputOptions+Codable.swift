public import ImageCodecs

/// The recorded form of ``SlimOutputOptions`` (an output's fingerprint): the PNG filter and deflater
/// are written only when they differ from what every output before them used (sub, zlib), and read
/// as those when absent, so the fingerprints of earlier outputs stay equal and they still resume.
extension SlimOutputOptions {
  enum CodingKeys: String, CodingKey {
    case imageCodec, jpegQuality, pngLevel, pngStrategy, pngFilter, pngDeflater, kernel, labelResampling
  }

  /// Reads recorded options; a missing filter or deflater is sub or zlib.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    self.init()
    imageCodec = try container.decode(Codec.self, forKey: .imageCodec)
    jpegQuality = try container.decode(Int.self, forKey: .jpegQuality)
    pngLevel = try container.decode(Int.self, forKey: .pngLevel)
    pngStrategy = try container.decode(PNGEncoder.Strategy.self, forKey: .pngStrategy)
    pngFilter = try container.decodeIfPresent(PNGFilter.self, forKey: .pngFilter) ?? .sub
    pngDeflater = try container.decodeIfPresent(PNGEncoder.Deflater.self, forKey: .pngDeflater) ?? .zlib
    kernel = try container.decode(ImageResampler.Kernel.self, forKey: .kernel)
    labelResampling = try container.decode(LabelResampling.self, forKey: .labelResampling)
  }

  /// Writes the options; the filter and deflater only when they are not sub and zlib.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(imageCodec, forKey: .imageCodec)
    try container.encode(jpegQuality, forKey: .jpegQuality)
    try container.encode(pngLevel, forKey: .pngLevel)
    try container.encode(pngStrategy, forKey: .pngStrategy)
    if pngFilter != .sub { try container.encode(pngFilter, forKey: .pngFilter) }
    if pngDeflater != .zlib { try container.encode(pngDeflater, forKey: .pngDeflater) }
    try container.encode(kernel, forKey: .kernel)
    try container.encode(labelResampling, forKey: .labelResampling)
  }
}
