import Datasets

/// A synthetic street scene as an ordered list of flat shapes, in normalised coordinates.
///
/// `x` runs from 0 (left edge) to 1 (right edge), `y` from 0 (top) to 1 (bottom). The renderer
/// paints the primitives in order (painter's algorithm, later ones cover earlier ones) into a class
/// map, an instance map and a tone map, then derives the pixels from those maps alone, so labels
/// and pixels always agree.
struct SyntheticScene: Sendable {
  /// Width in pixels of the image to render.
  var width: Int
  /// Height in pixels of the image to render.
  var height: Int
  /// The scene's complexity level in `[0, 1]`: 0 is a few large smooth regions, 1 is many small
  /// objects, fine texture and strong noise.
  var complexity: Double
  /// Amplitude of per-pixel noise, in 8-bit levels (before the per-class texture factor).
  var noiseAmplitude: Int
  /// Amplitude of low-frequency blotches, in 1/256 of brightness.
  var blotchAmplitude: Int
  /// Global illumination factor, in 1/256 (256 = neutral).
  var illumination: Int
  /// Seed of the per-pixel hash texture.
  var textureSeed: UInt32
  /// The primitives, back to front.
  var primitives: [ScenePrimitive]
  /// Photographic scenes only: how strongly materials are textured, in `[0, 1]`, drawn
  /// independently of ``complexity`` (0 for classic scenes, whose texture follows complexity).
  var textureLevel: Double = 0
  /// Photographic scenes only: the road is paved with cobbles rather than asphalt.
  var cobbledRoad = false
  /// Colours that primitives refer to by ``ScenePrimitive/color`` (index + 1).
  var colors: [SceneColor] = []
  /// How the photographic renderer exposes, blurs, adds noise to and compresses the frame.
  var camera = SceneCamera()
}

/// An RGB colour, 0…255 per channel.
struct SceneColor: Sendable, Equatable {
  /// Red, 0…255.
  var red: Float
  /// Green, 0…255.
  var green: Float
  /// Blue, 0…255.
  var blue: Float
}

/// The camera of a photographic scene: exposure, white balance, optics, sensor and compression.
struct SceneCamera: Sendable {
  /// Red gain of the white balance (1 = neutral).
  var redGain: Float = 1
  /// Blue gain of the white balance (1 = neutral).
  var blueGain: Float = 1
  /// Brightness loss at the corners, 0…1.
  var vignette: Float = 0.2
  /// Passes of the 3×3 binomial blur (1 = a sharp lens; 2–3 = slight defocus).
  var blurPasses = 1
  /// Read noise before the blur, in 8-bit levels.
  var readSigma: Float = 1.4
  /// Shot-noise variance per level of signal, before the blur.
  var shotGain: Float = 0.018
  /// Noise after the blur, in 8-bit levels.
  var quantisationSigma: Float = 0.4
  /// JPEG quality of a compression round trip the frame went through before it was stored as
  /// PNG (1…100), or 0 for none.
  var jpegQuality = 0
}

/// One flat shape of a ``SyntheticScene``.
struct ScenePrimitive: Sendable {
  /// What a primitive does to the pixels it covers.
  enum Paint: Sendable {
    /// Sets the class, the instance number (1-based per class, 0 = none) and the tone.
    case object(SceneClass, instance: UInt16)
    /// Sets only the tone, and only on pixels that currently hold `onClass`: windows on a facade,
    /// lane markings on the road, clouds in the sky. It never changes a label.
    case tone(onClass: SceneClass)
    /// Multiplies the light of covered pixels by `light / 255` (a cast shadow), on every class or,
    /// with `groundOnly`, on road, sidewalk and terrain only. It never changes a label.
    case shade(light: UInt8, groundOnly: Bool)
  }

  /// The covered area.
  var shape: SceneShape
  /// What happens to covered pixels.
  var paint: Paint
  /// Brightness offset of the covered pixels, roughly in 1/128 of the class colour.
  var tone: Int8
  /// Optional holes: covered pixels that are left untouched (leaves let the sky through).
  var holes: Speckle? = nil
  /// The colour of covered pixels as an index + 1 into ``SyntheticScene/colors``; 0 keeps the
  /// class's own colour (object paint) or the pixel's colour (tone paint).
  var color: UInt16 = 0
}

/// A region of the image in normalised coordinates.
enum SceneShape: Sendable {
  /// An axis-aligned rectangle `[x0, x1) × [y0, y1)`.
  case rectangle(x0: Double, y0: Double, x1: Double, y1: Double)
  /// An axis-aligned ellipse with centre and radii.
  case ellipse(centerX: Double, centerY: Double, radiusX: Double, radiusY: Double)
  /// An ellipse minus a concentric inner ellipse whose radii are `1 - thickness` of the outer ones.
  case ring(centerX: Double, centerY: Double, radiusX: Double, radiusY: Double, thickness: Double)
  /// A trapezoid with horizontal top and bottom edges: `[topLeft, topRight]` at `top`,
  /// `[bottomLeft, bottomRight]` at `bottom`, straight sides in between.
  case trapezoid(
    top: Double, bottom: Double, topLeft: Double, topRight: Double, bottomLeft: Double, bottomRight: Double)
}

/// Pseudo-random holes in a primitive: square cells of `cellShift` (log2 of the cell size in pixels)
/// whose hash falls below `density` are skipped.
struct Speckle: Sendable {
  /// Fraction of skipped cells, in 1/256.
  var density: UInt32
  /// log2 of the cell edge in pixels.
  var cellShift: Int
  /// Seed of the cell hash.
  var seed: UInt32
}
