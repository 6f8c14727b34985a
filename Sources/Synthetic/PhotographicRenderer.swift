import DanceCore
import Datasets
import ImageCodecs

/// Turns a rasterised scene into pixels that look, to a codec and to a complexity indicator, like a
/// photograph: material textures, shading, optical blur and sensor noise.
///
/// Per pixel, the object's colour (or its class's base colour) is modulated by a material texture
/// (bricks on facades, cobbles or slabs on sidewalks, multi-octave foliage with dark gaps, grass
/// blades, asphalt grain, wood grain on fences), the primitive's tone, cast shadows, the exposure,
/// white balance and a vignette; sensor noise is added per channel, with a variance that grows with
/// the signal (read noise plus shot noise). The image is then blurred by one to three passes of a
/// 3×3 binomial kernel (lens and demosaicing: colours mix across label boundaries, as in a
/// photograph), gets a little quantisation noise, and in some frames goes through a JPEG round
/// trip. Texture scales grow with the image width, so a 256-pixel frame looks like a downscaled
/// 2048-pixel one; the sensor noise stays per pixel.
///
/// Output depends only on the scene and raster: the camera settings come from the scene, the
/// seeds of the texture and noise hashes from a stream derived from its texture seed, and all
/// arithmetic is integer hashing, exactly rounded `Float` operations and libjpeg.
struct PhotographicRenderer: Sendable {
  /// A class's material: base colour and texture.
  private struct Material {
    /// Base colour, 0…255 per channel.
    var red: Float, green: Float, blue: Float
    /// The texture pattern.
    var pattern: MaterialPattern
    /// Amplitude of the pattern's relative brightness variation.
    var strength: Float
  }

  private static let materials: [Material] = SceneClass.allCases.map { sceneClass in
    switch sceneClass {
    case .unlabeled: Material(red: 118, green: 98, blue: 80, pattern: .concrete, strength: 0.35)
    case .egoVehicle: Material(red: 40, green: 42, blue: 50, pattern: .paint, strength: 0.15)
    case .sky: Material(red: 150, green: 188, blue: 232, pattern: .sky, strength: 0.05)
    case .building: Material(red: 140, green: 118, blue: 100, pattern: .bricks, strength: 0.3)
    case .wall: Material(red: 176, green: 166, blue: 142, pattern: .concrete, strength: 0.25)
    case .fence: Material(red: 146, green: 114, blue: 74, pattern: .planks, strength: 0.3)
    case .road: Material(red: 86, green: 86, blue: 92, pattern: .asphalt, strength: 0.2)
    case .sidewalk: Material(red: 178, green: 168, blue: 160, pattern: .slabs, strength: 0.3)
    case .vegetation: Material(red: 56, green: 112, blue: 36, pattern: .foliage, strength: 0.6)
    case .terrain: Material(red: 128, green: 164, blue: 70, pattern: .grass, strength: 0.4)
    case .pole: Material(red: 112, green: 118, blue: 128, pattern: .metal, strength: 0.15)
    case .streetlight: Material(red: 96, green: 100, blue: 84, pattern: .metal, strength: 0.15)
    case .trafficSign: Material(red: 226, green: 194, blue: 40, pattern: .paint, strength: 0.1)
    case .trafficLight: Material(red: 62, green: 58, blue: 38, pattern: .metal, strength: 0.15)
    case .person: Material(red: 176, green: 56, blue: 76, pattern: .cloth, strength: 0.3)
    case .rider: Material(red: 214, green: 112, blue: 46, pattern: .cloth, strength: 0.3)
    case .car: Material(red: 46, green: 64, blue: 150, pattern: .paint, strength: 0.12)
    case .bicycle: Material(red: 120, green: 38, blue: 122, pattern: .metal, strength: 0.2)
    }
  }

  /// Renders the pixels of `raster`, which must come from `scene`.
  ///
  /// Exposure, white balance, blur, noise and JPEG quality come from ``SyntheticScene/camera``,
  /// the texture strength from ``SyntheticScene/textureLevel`` (0.25× to 1.85× the materials'
  /// own), object colours from ``SyntheticScene/colors``, shadows from ``SceneRaster/light``.
  func render(_ scene: SyntheticScene, raster: SceneRaster) -> Image8 {
    let width = raster.width
    let height = raster.height
    var random = SplitMix(seed: SplitMix.deriveHashingParts(UInt64(scene.textureSeed), 0x5048_4F54))
    let camera = scene.camera
    // Photon and sensor noise before the optics-and-demosaicing blur (which correlates it, as a
    // camera's processing does), quantisation-level noise after it.
    let sensorSeed = UInt32(truncatingIfNeeded: random.next())
    let texture = TextureField(width: width, seed: UInt32(truncatingIfNeeded: random.next()))
    var planes = Self.exposedPlanes(scene, raster: raster, texture: texture, sensorSeed: sensorSeed)
    planes.withUnsafeMutableBufferPointer { planes in
      for _ in 0..<max(1, camera.blurPasses) { Self.blur(planes, width: width, height: height) }
    }
    let quantisation = SensorNoise(readSigma: camera.quantisationSigma, shotGain: 0)
    let image = Self.quantised(
      planes, width: width, height: height, noise: quantisation, seed: UInt32(truncatingIfNeeded: random.next()))
    return camera.jpegQuality > 0 ? Self.jpegRoundTrip(image, quality: camera.jpegQuality) : image
  }

  /// The interleaved RGB planes (0…255 scale, not yet rounded) the sensor records: each pixel's
  /// object or material colour modulated by the material's texture, the primitive's tone, the cast
  /// shadows, the exposure, white balance and vignette, plus sensor noise hashed from `sensorSeed`.
  private static func exposedPlanes(
    _ scene: SyntheticScene, raster: SceneRaster, texture: TextureField, sensorSeed: UInt32
  ) -> [Float] {
    let width = raster.width
    let height = raster.height
    let camera = scene.camera
    let sensor = SensorNoise(readSigma: camera.readSigma, shotGain: camera.shotGain)
    var planes = [Float](repeating: 0, count: width * height * 3)
    let illumination = Float(scene.illumination) / 256
    let textureGain = Float(0.25 + 1.6 * scene.textureLevel)
    var materials = Self.materials
    if scene.cobbledRoad { materials[Int(SceneClass.road.rawValue)].pattern = .slabs }
    let colors = [SceneColor(red: 0, green: 0, blue: 0)] + scene.colors
    planes.withUnsafeMutableBufferPointer { planes in
      raster.classes.withUnsafeBufferPointer { classes in
        raster.tones.withUnsafeBufferPointer { tones in
          raster.colors.withUnsafeBufferPointer { colorIndices in
            raster.light.withUnsafeBufferPointer { light in
              let centerX = Float(width) / 2
              let centerY = Float(height) / 2
              for y in 0..<height {
                let dy = (Float(y) - centerY) / centerY
                let rowFraction = Float(y) / Float(height)
                for x in 0..<width {
                  let index = y * width + x
                  let material = materials[Int(classes[index])]
                  let colorIndex = Int(colorIndices[index])
                  let base = colorIndex > 0
                    ? colors[colorIndex] : SceneColor(red: material.red, green: material.green, blue: material.blue)
                  let shade = texture.brightness(material.pattern, x: x, y: y, rowFraction: rowFraction)
                  let tint = texture.tint(material.pattern, x: x, y: y) * textureGain
                  let dx = (Float(x) - centerX) / centerX
                  var gain = illumination * (1 + Float(tones[index]) / 128)
                  gain *= max(0.1, 1 + material.strength * textureGain * shade) * Float(light[index]) * (1 / 255)
                  gain *= 1 - camera.vignette * 0.5 * (dx * dx + dy * dy)
                  let red = base.red * gain * (1 + tint) * camera.redGain
                  let green = base.green * gain
                  let blue = base.blue * gain * (1 - tint) * camera.blueGain
                  planes[index * 3] = red + sensor.sample(red, hash: pixelHash(index * 3, 1, sensorSeed))
                  planes[index * 3 + 1] = green + sensor.sample(green, hash: pixelHash(index * 3 + 1, 1, sensorSeed))
                  planes[index * 3 + 2] = blue + sensor.sample(blue, hash: pixelHash(index * 3 + 2, 1, sensorSeed))
                }
              }
            }
          }
        }
      }
    }
    return planes
  }

  /// The planes rounded to 8-bit samples after quantisation-level `noise` hashed from `seed` is added.
  private static func quantised(_ planes: [Float], width: Int, height: Int, noise: SensorNoise, seed: UInt32) -> Image8 {
    let samples = [UInt8](unsafeUninitializedCapacity: width * height * 3) { output, count in
      planes.withUnsafeBufferPointer { planes in
        for index in 0..<(width * height * 3) {
          let value = planes[index]
          let noisy = value + noise.sample(value, hash: pixelHash(index, 0, seed))
          output[index] = UInt8(min(max(noisy + 0.5, 0), 255))
        }
      }
      count = width * height * 3
    }
    return Image8(width: width, height: height, channels: 3, samples: samples)
  }

  /// The image after a baseline JPEG round trip (4:2:0 chroma) at `quality`: block and ringing
  /// artefacts like those of frames that were once compressed. libjpeg does not fail on an
  /// in-memory RGB image of valid size short of running out of memory; should it, the image is
  /// returned without the artefacts (still a function of the scene alone).
  private static func jpegRoundTrip(_ image: Image8, quality: Int) -> Image8 {
    guard let bytes = try? JPEGEncoder(quality: quality, subsampling: .s420).encode(image),
      let decoded = try? ImageDecoder().decode(bytes, source: "<synthetic jpeg round trip>"),
      case .uint8(let result) = decoded.image, result.channels == 3
    else { return image }
    return result
  }

  /// Blurs interleaved RGB planes in place by the separable kernel `[1 2 1] / 4` in both
  /// directions, replicating the edge pixels.
  private static func blur(_ planes: UnsafeMutableBufferPointer<Float>, width: Int, height: Int) {
    guard width >= 2, height >= 2 else { return }
    let stride = width * 3
    var line = [Float](repeating: 0, count: max(stride, height * 3))
    line.withUnsafeMutableBufferPointer { line in
      for y in 0..<height {
        let row = y * stride
        for i in 0..<stride { line[i] = planes[row + i] }
        for x in 0..<width {
          let left = max(x - 1, 0) * 3
          let right = min(x + 1, width - 1) * 3
          for c in 0..<3 {
            planes[row + x * 3 + c] = (line[left + c] + 2 * line[x * 3 + c] + line[right + c]) * 0.25
          }
        }
      }
      var previous = [Float](repeating: 0, count: stride)
      previous.withUnsafeMutableBufferPointer { previous in
        for i in 0..<stride { previous[i] = planes[i] }
        for y in 0..<height {
          let row = y * stride
          let below = min(y + 1, height - 1) * stride
          for i in 0..<stride {
            let current = planes[row + i]
            planes[row + i] = (previous[i] + 2 * current + planes[below + i]) * 0.25
            previous[i] = current
          }
        }
      }
    }
  }
}

/// The texture patterns of the materials.
private enum MaterialPattern {
  case sky, asphalt, slabs, bricks, concrete, foliage, grass, planks, metal, paint, cloth
}

/// Read noise plus shot noise, approximately Gaussian (the sum of four uniform bytes).
private struct SensorNoise {
  /// Standard deviation of the signal-independent part, in 8-bit levels.
  var readSigma: Float
  /// Variance added per level of signal.
  var shotGain: Float

  /// A noise value for a pixel of brightness `value`, from 32 random bits.
  @inline(__always)
  func sample(_ value: Float, hash: UInt32) -> Float {
    let sum = Int32(hash & 0xFF) + Int32((hash >> 8) & 0xFF) + Int32((hash >> 16) & 0xFF) + Int32(hash >> 24)
    // Four uniform bytes: mean 510, standard deviation about 147.8.
    let normal = Float(sum - 510) * (1 / 147.8)
    let variance = readSigma * readSigma + shotGain * max(value, 0)
    return normal * variance.squareRoot()
  }
}

/// Hash-based value noise and the material patterns built from it.
private struct TextureField {
  /// log2 of the texture scale: 0 for images up to 383 pixels wide, 3 for 2048.
  let scaleShift: Int
  /// Edge of a cobble, slab or brick, in pixels.
  let tile: Int
  let seed: UInt32

  init(width: Int, seed: UInt32) {
    var shift = 0
    while (256 << (shift + 1)) <= width + width / 2 { shift += 1 }
    scaleShift = shift
    tile = max(3, width / 64)
    self.seed = seed
  }

  /// A lattice value in `[-1, 1)`.
  @inline(__always)
  private func lattice(_ x: Int, _ y: Int, _ salt: UInt32) -> Float {
    Float(Int32(pixelHash(x, y, seed ^ salt) & 0xFFFF) - 32768) * (1 / 32768)
  }

  /// Bilinear value noise with cells of `2^shiftX × 2^shiftY` pixels, in `[-1, 1)`.
  @inline(__always)
  func noise(_ x: Int, _ y: Int, shiftX: Int, shiftY: Int, salt: UInt32) -> Float {
    let cx = x >> shiftX
    let cy = y >> shiftY
    let fx = Float(x & ((1 << shiftX) - 1)) / Float(1 << shiftX)
    let fy = Float(y & ((1 << shiftY) - 1)) / Float(1 << shiftY)
    let a = lattice(cx, cy, salt)
    let b = lattice(cx + 1, cy, salt)
    let c = lattice(cx, cy + 1, salt)
    let d = lattice(cx + 1, cy + 1, salt)
    let top = a + (b - a) * fx
    let bottom = c + (d - c) * fx
    return top + (bottom - top) * fy
  }

  /// Isotropic noise at octave `octave` above the texture scale.
  @inline(__always)
  func octave(_ x: Int, _ y: Int, _ octave: Int, salt: UInt32) -> Float {
    let shift = scaleShift + octave
    return noise(x, y, shiftX: shift, shiftY: shift, salt: salt)
  }

  /// A per-pixel grain value in `[-1, 1)`.
  @inline(__always)
  func grain(_ x: Int, _ y: Int) -> Float { lattice(x, y, 0x6EA1) }

  /// The relative brightness variation of `pattern` at `(x, y)`, roughly in `[-1, 1]`.
  @inline(__always)
  func brightness(_ pattern: MaterialPattern, x: Int, y: Int, rowFraction: Float) -> Float {
    switch pattern {
    case .sky:
      return octave(x, y, 5, salt: 1) + 2 * rowFraction
    case .asphalt:
      return 0.5 * grain(x, y) + 0.3 * octave(x, y, 0, salt: 2) + 0.5 * octave(x, y, 5, salt: 3)
    case .slabs:
      return tiles(x, y, width: tile, height: max(2, tile * 2 / 3), mortar: -0.9) + 0.3 * grain(x, y)
    case .bricks:
      return tiles(x, y, width: max(3, tile / 2), height: max(2, tile / 5), mortar: 0.7)
        + 0.4 * octave(x, y, 4, salt: 4) + 0.2 * grain(x, y)
    case .concrete:
      return 0.5 * octave(x, y, 1, salt: 5) + 0.4 * octave(x, y, 3, salt: 6) + 0.2 * grain(x, y)
    case .foliage:
      let leaves = octave(x, y, 0, salt: 7) + 0.6 * octave(x, y, 1, salt: 8) + 0.4 * octave(x, y, 2, salt: 9)
      return leaves < -0.5 ? -1.4 : leaves
    case .grass:
      return 0.7 * noise(x, y, shiftX: scaleShift, shiftY: scaleShift + 2, salt: 10) + 0.3 * grain(x, y)
    case .planks:
      return 0.6 * noise(x, y, shiftX: scaleShift + 3, shiftY: scaleShift, salt: 11) + 0.2 * grain(x, y)
    case .metal, .paint:
      return 0.6 * octave(x, y, 3, salt: 12) + 0.2 * grain(x, y)
    case .cloth:
      return 0.6 * octave(x, y, 0, salt: 13) + 0.4 * octave(x, y, 2, salt: 14)
    }
  }

  /// A warm/cold shift of `pattern` at `(x, y)`: positive is redder, negative bluer.
  @inline(__always)
  func tint(_ pattern: MaterialPattern, x: Int, y: Int) -> Float {
    switch pattern {
    case .foliage, .grass: 0.25 * octave(x, y, 2, salt: 15)
    case .bricks, .slabs, .concrete: 0.06 * octave(x, y, 4, salt: 16)
    default: 0
    }
  }

  /// A running-bond tile pattern: per-tile brightness in `[-0.5, 0.5)` with a rounded shading,
  /// and `mortar` on the joints.
  @inline(__always)
  private func tiles(_ x: Int, _ y: Int, width: Int, height: Int, mortar: Float) -> Float {
    let row = y / height
    let shifted = x + (row & 1) * (width / 2)
    let column = shifted / width
    let u = shifted - column * width
    let v = y - row * height
    if u == 0 || v == 0 { return mortar }
    let cu = Float(2 * u - width) / Float(width)
    let cv = Float(2 * v - height) / Float(height)
    return lattice(column, row, 0x711E) * 0.5 - 0.3 * (cu * cu + cv * cv)
  }
}
