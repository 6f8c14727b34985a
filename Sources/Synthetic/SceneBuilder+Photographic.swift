import DanceCore

/// What photographic scenes add to the classic street: texture drawn apart from label clutter,
/// small objects placed apart from both, frequent signs and lights, and cast shadows.
extension SceneBuilder {
  /// Draws the scene's texture level (independent of ``complexity``), whether the road is
  /// cobbled, and a textured backdrop: in some scenes a facade or a wood spanning the skyline.
  mutating func addTextureAndBackdrop() {
    let texture = random.unit()
    scene.textureLevel = texture
    scene.cobbledRoad = random.chance(0.15 + 0.35 * texture)
    guard random.chance(0.25 + 0.4 * texture) else { return }
    let top = random.uniform(0.03, max(0.06, horizon - 0.12))
    let bottom = horizon + random.uniform(0.0, 0.04)
    if random.chance(0.5) {
      add(.rectangle(x0: -0.01, y0: top, x1: 1.01, y1: bottom), .building, tone: random.int(-30...30))
    } else {
      add(.rectangle(x0: -0.01, y0: top + 0.04, x1: 1.01, y1: bottom), .vegetation, tone: random.int(-20...20))
      for _ in 0..<4 {
        let radius = random.uniform(0.06, 0.12)
        add(.ellipse(centerX: random.unit(), centerY: top + 0.04, radiusX: across(radius * 2), radiusY: radius),
            .vegetation, tone: random.int(-20...20))
      }
    }
  }

  /// Small, distant objects near the horizon, a few pixels tall at the default size: people,
  /// cyclists, poles with a sign or a light. Their number does not depend on ``complexity``.
  mutating func addDistantObjects() {
    for _ in 0..<random.int(1...6) {
      let base = horizon + random.uniform(0.01, 0.15) * (1 - horizon)
      let kind = random.unit()
      if kind < 0.45 {
        addPerson(x: sidewalkX(at: base), base: base, height: random.uniform(0.035, 0.09), as: .person)
      } else if kind < 0.6 {
        let x = vanishingX + random.uniform(-0.8, 0.8) * roadHalfWidth(at: base)
        addCyclist(x: x, base: base, height: random.uniform(0.05, 0.1))
      } else {
        addSignalPole(base: base, poleHeight: random.uniform(0.07, 0.16))
      }
    }
  }

  /// Poles carrying traffic signs and traffic lights along the sidewalks, in every scene (1 to 4),
  /// larger than the classic street furniture so that a small network can learn them.
  mutating func addSignalPoles() {
    for _ in 0..<random.int(1...4) {
      let base = horizon + random.uniform(0.05, 0.6) * (1 - horizon)
      addSignalPole(base: base, poleHeight: min(base - 0.01, (base - horizon) * random.uniform(2.2, 3.6) + 0.1))
    }
  }

  /// A wall and a fence in some scenes whatever the complexity (each with chance 0.4), taller
  /// than the classic ones: otherwise they come with clutter only and are rarely learned.
  mutating func addWallAndFence() {
    if random.chance(0.4) {
      let x0 = random.uniform(-0.1, 0.7)
      let bottom = horizon + random.uniform(0.02, 0.12)
      add(.rectangle(x0: x0, y0: bottom - random.uniform(0.05, 0.14), x1: x0 + random.uniform(0.15, 0.4), y1: bottom),
          .wall, tone: random.int(-20...20))
    }
    guard random.chance(0.4) else { return }
    let x0 = random.chance(0.5) ? random.uniform(-0.05, 0.15) : random.uniform(0.5, 0.75)
    let x1 = x0 + random.uniform(0.2, 0.45)
    let bottom = horizon + random.uniform(0.04, 0.14)
    let top = bottom - random.uniform(0.05, 0.12)
    let tone = random.int(-20...20)
    let spacing = across((bottom - top) * random.uniform(0.15, 0.35))
    addSlattedFence(x0: x0, x1: x1, top: top, bottom: bottom, tone: tone, rail: 0.15, spacing: spacing, slat: 0.5)
  }

  /// Cyclists on the road at any depth, in most scenes (0 to 2), with sturdier rims than the
  /// classic ones: bicycles and riders are otherwise too rare and thin to be learned.
  mutating func addCyclists() {
    for _ in 0..<random.int(0...2) {
      let base = horizon + random.uniform(0.15, 0.8) * (1 - horizon)
      let x = vanishingX + random.uniform(-0.8, 0.8) * roadHalfWidth(at: base)
      addCyclist(x: x, base: base, height: depth(at: base) * random.uniform(0.45, 0.6) + 0.08, rim: 0.32)
    }
  }

  /// A pole at a sidewalk position of row `base` with a sign, a light, or a light above a sign.
  private mutating func addSignalPole(base: Double, poleHeight: Double) {
    let x = sidewalkX(at: base)
    let top = base - poleHeight
    let halfWidth = across(max(0.003, poleHeight * 0.02))
    add(.rectangle(x0: x - halfWidth, y0: top, x1: x + halfWidth, y1: base), .pole, tone: random.int(-15...15))
    let kind = random.unit()
    if kind < 0.4 {
      addTrafficSign(x: x, top: top, size: poleHeight * random.uniform(0.14, 0.22))
    } else if kind < 0.75 {
      addTrafficLight(x: x, top: top, size: poleHeight * random.uniform(0.22, 0.32))
    } else {
      let light = poleHeight * random.uniform(0.2, 0.28)
      addTrafficLight(x: x, top: top, size: light)
      addTrafficSign(x: x, top: top + light * 1.15, size: poleHeight * random.uniform(0.12, 0.18))
    }
  }

  /// Cast shadows: a contact shadow under every car, person and bicycle, in some scenes a large
  /// shadow of buildings across the street, and dappled shade of foliage on the ground.
  mutating func addShadows() {
    let fromLeft = random.chance(0.5)
    let spill = fromLeft ? 1.0 : -1.0
    for box in objectBases() {
      let width = (box.x1 - box.x0) * random.uniform(0.6, 0.8)
      let height = max(0.004, width * aspect * 0.12)
      add(shadow: .ellipse(centerX: (box.x0 + box.x1) / 2 + spill * width * 0.3, centerY: box.bottom,
                           radiusX: width, radiusY: height),
          light: UInt8(random.int(70...140)), groundOnly: true)
    }
    if random.chance(0.55) {
      let edgeTop = vanishingX + random.uniform(-0.1, 0.1)
      let edgeBottom = edgeTop + spill * random.uniform(-0.6, 0.4)
      let (left, right) = fromLeft ? (-0.5, 0.0) : (1.0, 1.5)
      add(shadow: .trapezoid(top: horizon - random.uniform(0, 0.15), bottom: 1,
                             topLeft: fromLeft ? left : edgeTop, topRight: fromLeft ? edgeTop : right,
                             bottomLeft: fromLeft ? left : edgeBottom, bottomRight: fromLeft ? edgeBottom : right),
          light: UInt8(random.int(110...190)), groundOnly: false)
    }
    for _ in 0..<random.int(0...2) {
      let y = horizon + random.uniform(0.1, 0.8) * (1 - horizon)
      let radius = random.uniform(0.05, 0.15)
      add(shadow: .ellipse(centerX: random.unit(), centerY: y, radiusX: across(radius * 3), radiusY: radius),
          light: UInt8(random.int(100...170)), groundOnly: true,
          holes: speckle(density: random.uniform(0.3, 0.6), cellPixelsAt256: 2))
    }
  }

  /// Appends a shadow primitive.
  private mutating func add(shadow shape: SceneShape, light: UInt8, groundOnly: Bool, holes: Speckle? = nil) {
    scene.primitives.append(
      ScenePrimitive(shape: shape, paint: .shade(light: light, groundOnly: groundOnly), tone: 0, holes: holes))
  }

  /// The horizontal extent and the bottom of every car, person, rider and bicycle instance.
  private func objectBases() -> [(x0: Double, x1: Double, bottom: Double)] {
    var boxes: [Int: (x0: Double, x1: Double, bottom: Double)] = [:]
    var order: [Int] = []
    for primitive in scene.primitives {
      guard case .object(let sceneClass, let instance) = primitive.paint, instance > 0,
        [.car, .person, .rider, .bicycle].contains(sceneClass)
      else { continue }
      let key = Int(sceneClass.rawValue) << 16 | Int(instance)
      let (x0, x1, bottom) = primitive.shape.horizontalExtentAndBottom
      if let box = boxes[key] {
        boxes[key] = (min(box.x0, x0), max(box.x1, x1), max(box.bottom, bottom))
      } else {
        boxes[key] = (x0, x1, bottom)
        order.append(key)
      }
    }
    return order.compactMap { boxes[$0] }
  }
}

extension SceneShape {
  /// The left and right edges and the bottom of the shape, in normalised coordinates.
  var horizontalExtentAndBottom: (Double, Double, Double) {
    switch self {
    case .rectangle(let x0, _, let x1, let y1): (x0, x1, y1)
    case .ellipse(let cx, let cy, let rx, let ry), .ring(let cx, let cy, let rx, let ry, _): (cx - rx, cx + rx, cy + ry)
    case .trapezoid(_, let bottom, let topLeft, let topRight, let bottomLeft, let bottomRight):
      (min(topLeft, bottomLeft), max(topRight, bottomRight), bottom)
    }
  }
}
