import DanceCore

/// Sky, ground, road, buildings, walls, vegetation and fences.
extension SceneBuilder {
  /// Sky with clouds, the ground (verge of grass or pavement), sidewalks, the road and its markings.
  mutating func addSkyAndGround() {
    add(.rectangle(x0: 0, y0: 0, x1: 1, y1: 1), .sky)
    let clouds = amount(6)
    for _ in 0..<clouds {
      let radius = random.uniform(0.03, 0.12)
      paint(.ellipse(centerX: random.unit(), centerY: random.uniform(0.02, horizon * 0.8),
                     radiusX: across(radius * 2.5), radiusY: radius),
            on: .sky, tone: random.int(14...40), holes: speckle(density: complexity * 0.3, cellPixelsAt256: 2))
    }
    let verge: SceneClass = random.chance(0.5) ? .terrain : .sidewalk
    add(.rectangle(x0: 0, y0: horizon, x1: 1, y1: 1), verge, tone: random.int(-10...10))
    if verge == .terrain || random.chance(0.7) {
      let outer = roadHalfWidth + sidewalkWidth
      add(.trapezoid(top: horizon, bottom: 1, topLeft: vanishingX - 0.015, topRight: vanishingX + 0.015,
                     bottomLeft: vanishingX - outer, bottomRight: vanishingX + outer),
          .sidewalk, tone: random.int(-10...10))
    }
    add(.trapezoid(top: horizon, bottom: 1, topLeft: vanishingX - 0.008, topRight: vanishingX + 0.008,
                   bottomLeft: vanishingX - roadHalfWidth, bottomRight: vanishingX + roadHalfWidth),
        .road, tone: random.int(-8...8))
    addLaneMarkings()
  }

  /// Dashed centre line (and, in busy scenes, paving joints) as tone on the road.
  private mutating func addLaneMarkings() {
    guard random.chance(0.3 + 0.7 * complexity) else { return }
    let dashes = 3 + Int(complexity * 8)
    for dash in 0..<dashes {
      // Dashes get longer towards the viewer, spaced in depth.
      let t0 = (Double(dash) + 0.2) / Double(dashes)
      let t1 = (Double(dash) + 0.6) / Double(dashes)
      let top = horizon + (1 - horizon) * t0 * t0
      let bottom = horizon + (1 - horizon) * t1 * t1
      let halfTop = roadHalfWidth(at: top) * 0.03
      let halfBottom = roadHalfWidth(at: bottom) * 0.03
      paint(.trapezoid(top: top, bottom: bottom, topLeft: vanishingX - halfTop, topRight: vanishingX + halfTop,
                       bottomLeft: vanishingX - halfBottom, bottomRight: vanishingX + halfBottom),
            on: .road, tone: 110)
    }
  }

  /// The skyline: more, narrower and more varied buildings as complexity grows, with window grids.
  mutating func addBuildings() {
    guard complexity > 0.12 || random.chance(0.5) else { return }
    let count = 1 + amount(12)
    var weights = (0..<count).map { _ in random.uniform(0.5, 1.5) }
    let total = weights.reduce(0, +)
    weights = weights.map { $0 / total }
    var x = 0.0
    let gapChance = 0.1 + 0.25 * complexity
    for weight in weights {
      let x0 = x
      let x1 = x + weight
      x = x1
      if random.chance(gapChance) { continue }
      let middle = (x0 + x1) / 2
      let bottom = horizon + min(0.14, 0.25 * abs(middle - vanishingX))
      let top = random.uniform(0.02, max(0.05, horizon - 0.06))
      let tone = random.int(-40...40)
      add(.rectangle(x0: x0, y0: top, x1: x1, y1: bottom), .building, tone: tone)
      if random.chance(complexity * 0.6) {
        // A set-back upper storey or a roof structure.
        let inset = (x1 - x0) * random.uniform(0.15, 0.35)
        let roof = max(0.0, top - random.uniform(0.02, 0.08))
        add(.rectangle(x0: x0 + inset, y0: roof, x1: x1 - inset, y1: top), .building, tone: tone + random.int(-25...25))
      }
      addWindows(x0: x0, x1: x1, top: top, bottom: bottom)
    }
  }

  /// A grid of dark (and some lit) windows on the facade `[x0, x1) × [top, bottom)`.
  private mutating func addWindows(x0: Double, x1: Double, top: Double, bottom: Double) {
    guard random.chance(0.15 + 0.85 * complexity) else { return }
    let spacing = max(0.018, 0.16 - 0.13 * complexity + random.uniform(-0.01, 0.02))
    let windowHeight = spacing * random.uniform(0.4, 0.7)
    let windowWidth = across(spacing * random.uniform(0.35, 0.65))
    let step = across(spacing)
    let columns = Int((x1 - x0 - step * 0.5) / step)
    let rows = Int((bottom - top - spacing) / spacing)
    guard columns > 0, rows > 0 else { return }
    let margin = ((x1 - x0) - Double(columns) * step) / 2
    let dark = random.int(-70 ... -35)
    for row in 0..<min(rows, 120) {
      let y = top + spacing * 0.5 + Double(row) * spacing
      for column in 0..<min(columns, 120) {
        let x = x0 + margin + Double(column) * step + (step - windowWidth) / 2
        let lit = random.chance(0.15)
        paint(.rectangle(x0: x, y0: y, x1: x + windowWidth, y1: y + windowHeight),
              on: .building, tone: lit ? 45 : dark)
      }
    }
  }

  /// Low free-standing walls near the horizon.
  mutating func addWalls() {
    guard random.chance(0.6 * complexity) else { return }
    for _ in 0..<random.int(1...2) {
      let x0 = random.uniform(-0.1, 0.8)
      let x1 = x0 + random.uniform(0.1, 0.35)
      let bottom = horizon + random.uniform(0.01, 0.06)
      add(.rectangle(x0: x0, y0: bottom - random.uniform(0.04, 0.1), x1: x1, y1: bottom), .wall,
          tone: random.int(-20...20))
    }
  }

  /// Trees (trunk and canopy, leaves speckled with holes in busy scenes) and hedges.
  mutating func addTrees() {
    if random.chance(0.6 * complexity) {
      let x0 = random.uniform(-0.1, 0.7)
      add(.rectangle(x0: x0, y0: horizon - random.uniform(0.03, 0.08), x1: x0 + random.uniform(0.1, 0.4),
                     y1: horizon + 0.02),
          .vegetation, tone: random.int(-15...15), holes: speckle(density: complexity * 0.25, cellPixelsAt256: 1))
    }
    let count = amount(7) + (random.chance(0.25) ? 1 : 0)
    for _ in 0..<count {
      let side = random.chance(0.5) ? -1.0 : 1.0
      let base = horizon + random.uniform(0.02, 0.3) * (1 - horizon)
      let x = vanishingX + side * (roadHalfWidth(at: base) + random.uniform(0.02, 0.4))
      let treeHeight = (base - horizon) * random.uniform(2.2, 3.5) + 0.12
      let tone = random.int(-25...25)
      let trunk = across(treeHeight * 0.05)
      add(.rectangle(x0: x - trunk / 2, y0: base - treeHeight * 0.6, x1: x + trunk / 2, y1: base), .vegetation,
          tone: tone - 40)
      let holes = speckle(density: max(0, complexity - 0.3) * 0.55, cellPixelsAt256: complexity > 0.7 ? 1 : 2)
      let blobs = 1 + Int(complexity * 3)
      for _ in 0..<blobs {
        let radius = treeHeight * random.uniform(0.22, 0.36)
        add(.ellipse(centerX: x + across(random.uniform(-0.25, 0.25) * treeHeight),
                     centerY: base - treeHeight * random.uniform(0.62, 0.8),
                     radiusX: across(radius), radiusY: radius),
            .vegetation, tone: tone + random.int(-12...12), holes: holes)
      }
    }
  }

  /// A fence along one side: a solid panel in calm scenes, rails and slats in busy ones.
  mutating func addFence() {
    guard random.chance(0.65 * complexity) else { return }
    let left = random.chance(0.5)
    let x0 = left ? random.uniform(-0.05, 0.1) : random.uniform(0.55, 0.75)
    let x1 = x0 + random.uniform(0.2, 0.4)
    let bottom = horizon + random.uniform(0.03, 0.1)
    let top = bottom - random.uniform(0.04, 0.1)
    let tone = random.int(-20...20)
    guard complexity > 0.35 else {
      add(.rectangle(x0: x0, y0: top, x1: x1, y1: bottom), .fence, tone: tone)
      return
    }
    let spacing = across((bottom - top) * random.uniform(0.12, 0.3))
    addSlattedFence(x0: x0, x1: x1, top: top, bottom: bottom, tone: tone, rail: 0.12, spacing: spacing, slat: 0.45)
  }

  /// Two rails (`rail` of the height thick) and slats every `spacing` (`slat` of it wide) over
  /// `[x0, x1) × [top, bottom)`.
  mutating func addSlattedFence(x0: Double, x1: Double, top: Double, bottom: Double, tone: Int, rail: Double,
                                spacing: Double, slat: Double) {
    let thickness = (bottom - top) * rail
    add(.rectangle(x0: x0, y0: top, x1: x1, y1: top + thickness), .fence, tone: tone)
    add(.rectangle(x0: x0, y0: bottom - thickness * 2, x1: x1, y1: bottom - thickness), .fence, tone: tone)
    var x = x0
    while x < x1 {
      add(.rectangle(x0: x, y0: top, x1: x + spacing * slat, y1: bottom), .fence, tone: tone)
      x += spacing
    }
  }
}
