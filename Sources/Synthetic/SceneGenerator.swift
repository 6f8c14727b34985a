/// Builds random street scenes whose spatial complexity varies strongly from image to image.
///
/// ``makeScene(seed:)`` builds the classic scenes described below, ``makePhotographicScene(seed:)``
/// the scenes of ``SyntheticDatasetConfiguration/Style/photographic``.
///
/// Each scene draws a complexity level `c` in `[0, 1]` from its seed. `c` controls the number of
/// buildings (fragmentation of the skyline), the window grids on the facades, the number of trees
/// and how much sky shows through their leaves, the number of cars, people, poles, signs and
/// lights, fences, clouds, and the noise and blotch amplitudes. A scene with `c ≈ 0` is sky, a road
/// and a verge; a scene with `c ≈ 1` is a busy street with fine texture everywhere.
///
/// Geometry is chosen in normalised coordinates (see ``SyntheticScene``) from the image's aspect
/// ratio, so one seed gives the same street at any resolution.
struct SceneGenerator: Sendable {
  /// Width in pixels of the scenes to build.
  var width: Int
  /// Height in pixels of the scenes to build.
  var height: Int

  /// Builds the scene of `seed`; equal arguments give equal scenes.
  func makeScene(seed: UInt64) -> SyntheticScene { build(seed: seed, photographic: false) }

  /// Builds the photographic scene of `seed`: the classic street drawn from the same seed, with
  /// texture decoupled from label clutter and small objects decoupled from both.
  ///
  /// On top of the classic content, from the same stream after it: a texture level drawn apart from
  /// the complexity level (so heavily textured scenes can have few classes), in some scenes a
  /// facade or a wood across the skyline and a cobbled road; in some a wall and a fence; 1–6 distant people, cyclists and
  /// signal poles a few pixels tall, 1–4 nearer poles with signs and lights and 0–2 cyclists,
  /// whatever the complexity; contact, building and foliage shadows; colours per object that
  /// overlap between classes; and the camera (exposure, white balance, blur, noise, JPEG round trip).
  func makePhotographicScene(seed: UInt64) -> SyntheticScene { build(seed: seed, photographic: true) }

  /// The classic sequence of layers, with the photographic additions in between when asked.
  private func build(seed: UInt64, photographic: Bool) -> SyntheticScene {
    var builder = SceneBuilder(width: width, height: height, seed: seed)
    builder.addSkyAndGround()
    if photographic { builder.addTextureAndBackdrop() }
    builder.addBuildings()
    builder.addWalls()
    builder.addTrees()
    builder.addFence()
    if photographic { builder.addWallAndFence() }
    builder.addStreetFurniture()
    if photographic {
      builder.addDistantObjects()
      builder.addSignalPoles()
      builder.addCyclists()
    }
    builder.addActors()
    builder.addEgoVehicle()
    if photographic {
      builder.addShadows()
      builder.assignColors()
      builder.drawCamera()
    }
    return builder.scene
  }
}
