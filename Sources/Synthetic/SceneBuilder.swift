import DanceCore

/// The mutable state of one scene under construction.
struct SceneBuilder {
  var random: SplitMix
  let aspect: Double
  let complexity: Double
  /// The horizon: where buildings stand and the road vanishes.
  let horizon: Double
  /// The road's vanishing point, as `x`.
  let vanishingX: Double
  /// Half the road width at the bottom edge, in `x` units.
  let roadHalfWidth: Double
  /// Width of each sidewalk at the bottom edge, in `x` units.
  let sidewalkWidth: Double
  var scene: SyntheticScene
  private var instanceCounts = [UInt16](repeating: 0, count: SceneClass.allCases.count)

  init(width: Int, height: Int, seed: UInt64) {
    random = SplitMix(seed: seed)
    aspect = Double(width) / Double(height)
    let level = random.unit()
    complexity = level
    horizon = random.uniform(0.36, 0.52)
    vanishingX = random.uniform(0.35, 0.65)
    roadHalfWidth = random.uniform(0.28, 0.5)
    sidewalkWidth = random.uniform(0.1, 0.3)
    scene = SyntheticScene(
      width: width, height: height, complexity: level,
      noiseAmplitude: Int(2 + level * level * 30),
      blotchAmplitude: Int(6 + level * 48),
      illumination: 256 + random.int(-40...24),
      textureSeed: UInt32(truncatingIfNeeded: random.next()),
      primitives: [])
  }

  // MARK: - Helpers

  /// A length in image heights converted to `x` units.
  func across(_ heights: Double) -> Double { heights / aspect }

  /// The road's half width at row `y` (0 above the horizon).
  func roadHalfWidth(at y: Double) -> Double {
    let t = max(0, (y - horizon) / (1 - horizon))
    return 0.008 + (roadHalfWidth - 0.008) * t
  }

  /// The depth factor of row `y`: 0 at the horizon, 1 at the bottom edge.
  func depth(at y: Double) -> Double { max(0, (y - horizon) / (1 - horizon)) }

  /// A random object count that grows with the square of complexity: 0 for calm scenes, a few
  /// around `c = 0.5`, about `scale` for the busiest.
  mutating func amount(_ scale: Double) -> Int {
    Int(complexity * complexity * scale * random.uniform(0.6, 1.4) + complexity * random.uniform(0, 1.5))
  }

  /// The next instance number of `sceneClass` (1-based).
  mutating func nextInstance(of sceneClass: SceneClass) -> UInt16 {
    instanceCounts[Int(sceneClass.rawValue)] &+= 1
    return instanceCounts[Int(sceneClass.rawValue)]
  }

  /// Appends an object primitive; instance classes get the next instance number unless given one.
  mutating func add(_ shape: SceneShape, _ sceneClass: SceneClass, tone: Int = 0, instance: UInt16 = 0,
                    holes: Speckle? = nil) {
    scene.primitives.append(
      ScenePrimitive(shape: shape, paint: .object(sceneClass, instance: instance),
                     tone: Int8(clamping: tone), holes: holes))
  }

  /// Appends a tone-only primitive that recolours `onClass` pixels without changing labels.
  mutating func paint(_ shape: SceneShape, on onClass: SceneClass, tone: Int, holes: Speckle? = nil) {
    scene.primitives.append(
      ScenePrimitive(shape: shape, paint: .tone(onClass: onClass), tone: Int8(clamping: tone), holes: holes))
  }

  /// Speckle holes of the given density, with cells of about `cellPixelsAt256 × width / 256` pixels.
  mutating func speckle(density: Double, cellPixelsAt256: Int) -> Speckle? {
    guard density > 0 else { return nil }
    var cell = max(1, cellPixelsAt256 * scene.width / 256)
    var shift = 0
    while cell > 1 { cell >>= 1; shift += 1 }
    return Speckle(density: UInt32(min(255, density * 256)), cellShift: shift,
                   seed: UInt32(truncatingIfNeeded: random.next()))
  }
}
