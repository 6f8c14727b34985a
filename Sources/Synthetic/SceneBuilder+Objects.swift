import DanceCore

/// Street furniture, road users and the ego vehicle.
extension SceneBuilder {
  /// A road user placed at a depth, drawn far to near so nearer ones cover farther ones.
  private enum Actor {
    case car(x: Double, base: Double, width: Double)
    case pedestrian(x: Double, base: Double, height: Double)
    case cyclist(x: Double, base: Double, height: Double)

    var base: Double {
      switch self {
      case .car(_, let base, _), .pedestrian(_, let base, _), .cyclist(_, let base, _): base
      }
    }
  }

  // MARK: - Street furniture

  /// Poles, street lamps, traffic signs, traffic lights and unlabeled clutter along the sidewalks.
  mutating func addStreetFurniture() {
    let clutter = amount(4)
    for _ in 0..<clutter {
      let base = horizon + random.uniform(0.05, 0.5) * (1 - horizon)
      let size = (base - horizon) * random.uniform(0.15, 0.35) + 0.01
      let x = sidewalkX(at: base)
      add(.rectangle(x0: x - across(size * 0.4), y0: base - size, x1: x + across(size * 0.4), y1: base),
          .unlabeled, tone: random.int(-30...30))
    }
    let count = amount(6)
    for _ in 0..<count {
      let base = horizon + random.uniform(0.04, 0.45) * (1 - horizon)
      let x = sidewalkX(at: base)
      let poleHeight = min(base - 0.01, (base - horizon) * random.uniform(3, 4.5) + 0.06)
      let top = base - poleHeight
      let halfWidth = across(max(0.0025, poleHeight * 0.018))
      let kind = random.unit()
      if kind < 0.3 {
        addStreetlight(x: x, top: top, base: base, halfWidth: halfWidth, poleHeight: poleHeight)
        continue
      }
      add(.rectangle(x0: x - halfWidth, y0: top, x1: x + halfWidth, y1: base), .pole, tone: random.int(-15...15))
      if kind < 0.65 {
        addTrafficSign(x: x, top: top, size: poleHeight * random.uniform(0.1, 0.16))
      } else if kind < 0.9 {
        addTrafficLight(x: x, top: top, size: poleHeight * random.uniform(0.16, 0.24))
      }
    }
  }

  /// An `x` on one of the sidewalks at row `base`.
  mutating func sidewalkX(at base: Double) -> Double {
    let side = random.chance(0.5) ? -1.0 : 1.0
    let road = roadHalfWidth(at: base)
    return vanishingX + side * (road + random.uniform(0.01, 0.6) * sidewalkWidth * max(0.2, depth(at: base)) + 0.01)
  }

  /// A street lamp: a pole, an arm towards the road and a lamp head.
  mutating func addStreetlight(x: Double, top: Double, base: Double, halfWidth: Double, poleHeight: Double) {
    let direction = x < vanishingX ? 1.0 : -1.0
    let arm = across(poleHeight * 0.18) * direction
    let armHeight = max(0.003, poleHeight * 0.02)
    let tone = random.int(-10...10)
    add(.rectangle(x0: x - halfWidth, y0: top, x1: x + halfWidth, y1: base), .streetlight, tone: tone)
    add(.rectangle(x0: min(x, x + arm), y0: top, x1: max(x, x + arm), y1: top + armHeight), .streetlight, tone: tone)
    let lamp = poleHeight * 0.035
    add(.ellipse(centerX: x + arm, centerY: top + armHeight + lamp * 0.6, radiusX: across(lamp * 1.6), radiusY: lamp),
        .streetlight, tone: 60)
  }

  /// A round or square sign plate of `size` (image heights) hanging from `top` at `x`.
  mutating func addTrafficSign(x: Double, top: Double, size: Double) {
    let tone = random.int(-30...30)
    if random.chance(0.5) {
      add(.ellipse(centerX: x, centerY: top + size * 0.5, radiusX: across(size * 0.5), radiusY: size * 0.5),
          .trafficSign, tone: tone)
    } else {
      add(.rectangle(x0: x - across(size * 0.5), y0: top, x1: x + across(size * 0.5), y1: top + size),
          .trafficSign, tone: tone)
    }
    if complexity > 0.5 {
      // A symbol or a border on the sign plate.
      paint(.ellipse(centerX: x, centerY: top + size * 0.5, radiusX: across(size * 0.25), radiusY: size * 0.25),
            on: .trafficSign, tone: -70)
    }
  }

  /// A traffic-light housing of height `size` with three lamps, one of them lit.
  mutating func addTrafficLight(x: Double, top: Double, size: Double) {
    let halfWidth = across(size * 0.2)
    add(.rectangle(x0: x - halfWidth, y0: top, x1: x + halfWidth, y1: top + size), .trafficLight,
        tone: random.int(-10...10))
    let lit = random.int(0...2)
    for lamp in 0..<3 {
      let centerY = top + size * (Double(lamp) + 0.5) / 3
      paint(.ellipse(centerX: x, centerY: centerY, radiusX: halfWidth * 0.7, radiusY: size * 0.12),
            on: .trafficLight, tone: lamp == lit ? 120 : -30)
    }
  }

  // MARK: - Road users

  /// Cars on the road, pedestrians on the sidewalks and cyclists, nearest last.
  mutating func addActors() {
    var actors: [Actor] = []
    for _ in 0..<(amount(9) + (random.chance(0.3) ? 1 : 0)) {
      let base = horizon + (1 - horizon) * random.uniform(0.06, 1.0)
      let road = roadHalfWidth(at: base)
      let width = max(0.01, 2 * road * random.uniform(0.28, 0.42))
      let x = vanishingX + random.uniform(-1, 1) * max(0, road * 1.1 - width / 2)
      actors.append(.car(x: x, base: base, width: width))
    }
    for _ in 0..<amount(10) {
      let base = horizon + (1 - horizon) * random.uniform(0.04, 0.95)
      let height = depth(at: base) * random.uniform(0.45, 0.6) + 0.02
      if random.chance(0.25) {
        let x = vanishingX + random.uniform(-0.8, 0.8) * roadHalfWidth(at: base)
        actors.append(.cyclist(x: x, base: base, height: height))
      } else {
        actors.append(.pedestrian(x: sidewalkX(at: base), base: base, height: height))
      }
    }
    actors.sort { $0.base < $1.base }
    for actor in actors {
      switch actor {
      case .car(let x, let base, let width): addCar(x: x, base: base, width: width)
      case .pedestrian(let x, let base, let height): addPerson(x: x, base: base, height: height, as: .person)
      case .cyclist(let x, let base, let height): addCyclist(x: x, base: base, height: height)
      }
    }
  }

  private mutating func addCar(x: Double, base: Double, width: Double) {
    let instance = nextInstance(of: .car)
    let tone = random.int(-45...45)
    let widthInHeights = width * aspect
    let bodyHeight = widthInHeights * 0.32
    let cabinHeight = widthInHeights * 0.22
    let half = width / 2
    let bodyTop = base - bodyHeight
    add(.rectangle(x0: x - half, y0: bodyTop, x1: x + half, y1: base - bodyHeight * 0.18), .car, tone: tone,
        instance: instance)
    add(.trapezoid(top: bodyTop - cabinHeight, bottom: bodyTop + 0.001, topLeft: x - half * 0.6,
                   topRight: x + half * 0.6, bottomLeft: x - half * 0.88, bottomRight: x + half * 0.88),
        .car, tone: tone, instance: instance)
    let wheel = bodyHeight * 0.3
    for side in [-1.0, 1.0] {
      add(.ellipse(centerX: x + side * half * 0.68, centerY: base - wheel, radiusX: across(wheel), radiusY: wheel),
          .car, tone: -90, instance: instance)
    }
    // Windscreen and lights are colour only.
    paint(.trapezoid(top: bodyTop - cabinHeight * 0.8, bottom: bodyTop - cabinHeight * 0.1, topLeft: x - half * 0.55,
                     topRight: x + half * 0.55, bottomLeft: x - half * 0.78, bottomRight: x + half * 0.78),
          on: .car, tone: 55)
    if complexity > 0.4 {
      let light = across(bodyHeight * 0.18)
      for side in [-1.0, 1.0] {
        let centre = x + side * half * 0.78
        paint(.rectangle(x0: centre - light, y0: bodyTop + bodyHeight * 0.2, x1: centre + light,
                         y1: bodyTop + bodyHeight * 0.4),
              on: .car, tone: 100)
      }
    }
  }

  /// A person standing on `base`, or, with `pedal`, sitting (hips at `base - 0.47 × height`) with
  /// one leg reaching down to the pedal height.
  mutating func addPerson(x: Double, base: Double, height: Double, as sceneClass: SceneClass,
                                  pedal: Double? = nil) {
    let instance = nextInstance(of: sceneClass)
    let tone = random.int(-40...40)
    let head = height * 0.085
    let shoulders = across(height * 0.13)
    let hip = base - height * 0.47
    add(.ellipse(centerX: x, centerY: base - height + head, radiusX: across(head * 0.8), radiusY: head),
        sceneClass, tone: tone / 2 - 20, instance: instance)
    add(.trapezoid(top: base - height + head * 1.9, bottom: hip, topLeft: x - shoulders, topRight: x + shoulders,
                   bottomLeft: x - shoulders * 0.8, bottomRight: x + shoulders * 0.8),
        sceneClass, tone: tone, instance: instance)
    let leg = across(height * 0.05)
    if let pedal {
      add(.trapezoid(top: hip - leg, bottom: pedal, topLeft: x - leg * 1.5, topRight: x + leg * 1.5,
                     bottomLeft: x + shoulders * 0.4 - leg, bottomRight: x + shoulders * 0.4 + leg),
          sceneClass, tone: tone - 30, instance: instance)
      return
    }
    let stride = across(height * random.uniform(0.02, 0.12))
    for side in [-1.0, 1.0] {
      add(.trapezoid(top: hip, bottom: base, topLeft: x + side * shoulders * 0.7 - leg,
                     topRight: x + side * shoulders * 0.7 + leg,
                     bottomLeft: x + side * stride - leg, bottomRight: x + side * stride + leg),
          sceneClass, tone: tone - 30, instance: instance)
    }
  }

  /// A bicycle (two rings whose rims are `rim` of the wheel radius thick, a top tube and a seat
  /// post) with its rider sitting on the saddle.
  mutating func addCyclist(x: Double, base: Double, height: Double, rim: Double = 0.22) {
    let instance = nextInstance(of: .bicycle)
    let wheel = height * 0.2
    let spread = across(wheel * 1.6)
    let tone = random.int(-30...30)
    for side in [-1.0, 1.0] {
      add(.ring(centerX: x + side * spread, centerY: base - wheel, radiusX: across(wheel), radiusY: wheel,
                thickness: rim),
          .bicycle, tone: tone, instance: instance)
    }
    let bar = max(0.003, wheel * 0.12)
    let saddle = base - wheel * 1.6
    add(.rectangle(x0: x - spread, y0: saddle, x1: x + spread, y1: saddle + bar),
        .bicycle, tone: tone, instance: instance)
    add(.trapezoid(top: saddle, bottom: base - wheel, topLeft: x - across(bar), topRight: x + across(bar),
                   bottomLeft: x - across(bar), bottomRight: x + across(bar)),
        .bicycle, tone: tone, instance: instance)
    let riderHeight = height * 0.75
    addPerson(x: x, base: saddle + riderHeight * 0.47, height: riderHeight, as: .rider, pedal: base - wheel * 0.8)
  }

  // MARK: - Ego vehicle

  /// The hood of the recording car along the bottom edge, in about half the scenes.
  mutating func addEgoVehicle() {
    guard random.chance(0.5) else { return }
    let rise = random.uniform(0.05, 0.11)
    add(.ellipse(centerX: 0.5 + random.uniform(-0.05, 0.05), centerY: 1 + rise * 2.2,
                 radiusX: random.uniform(0.6, 0.9), radiusY: rise * 3.2),
        .egoVehicle, tone: random.int(-10...10))
  }
}
