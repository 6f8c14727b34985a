/// Builds random street scenes whose spatial complexity varies strongly from image to image.
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
  func makeScene(seed: UInt64) -> SyntheticScene {
    var builder = SceneBuilder(width: width, height: height, seed: seed)
    builder.addSkyAndGround()
    builder.addBuildings()
    builder.addWalls()
    builder.addTrees()
    builder.addFence()
    builder.addStreetFurniture()
    builder.addActors()
    builder.addEgoVehicle()
    return builder.scene
  }
}
