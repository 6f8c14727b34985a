import DanceCore

/// Colours and camera of photographic scenes: class appearance varies so that colours overlap
/// between classes (grey cars on grey roads, green cars and clothes beside foliage), and each frame
/// has its own exposure, white balance, blur, noise and, in some, a JPEG round trip.
extension SceneBuilder {
  /// Typical colours per class; each object draws one and jitters it.
  private static func palette(_ sceneClass: SceneClass) -> [SceneColor] {
    func c(_ red: Float, _ green: Float, _ blue: Float) -> SceneColor { SceneColor(red: red, green: green, blue: blue) }
    let neutral = [c(225, 225, 222), c(170, 172, 176), c(110, 112, 116), c(40, 40, 44)]
    switch sceneClass {
    case .sky: return [c(150, 188, 232), c(176, 204, 236), c(196, 200, 206), c(222, 222, 226), c(220, 186, 150)]
    case .building:
      return [c(140, 118, 100), c(190, 176, 150), c(210, 206, 196), c(150, 150, 152), c(152, 84, 64), c(96, 84, 76)]
    case .wall: return [c(176, 166, 142), c(140, 140, 140), c(120, 100, 86), c(200, 196, 186)]
    case .fence: return [c(146, 114, 74), c(120, 124, 128), c(60, 96, 64), c(214, 214, 210)]
    case .road: return [c(86, 86, 92), c(110, 108, 106), c(70, 70, 74), c(128, 124, 120)]
    case .sidewalk: return [c(178, 168, 160), c(150, 150, 152), c(160, 104, 90), c(196, 186, 160)]
    case .vegetation: return [c(56, 112, 36), c(84, 120, 50), c(40, 84, 40), c(120, 128, 50), c(150, 110, 44)]
    case .terrain: return [c(128, 164, 70), c(110, 140, 60), c(160, 150, 90), c(120, 96, 70)]
    case .pole, .streetlight: return [c(112, 118, 128), c(60, 70, 60), c(40, 40, 44), c(170, 172, 176)]
    case .trafficSign: return [c(226, 194, 40), c(36, 80, 170), c(200, 40, 40), c(226, 226, 226), c(40, 130, 70)]
    case .trafficLight: return [c(62, 58, 38), c(40, 40, 44), c(200, 170, 40), c(110, 112, 116)]
    case .car, .egoVehicle, .bicycle:
      return neutral + [c(150, 30, 36), c(40, 60, 150), c(50, 100, 60), c(190, 180, 150), c(110, 40, 120)]
    case .person, .rider:
      return neutral + [c(176, 56, 76), c(214, 112, 46), c(50, 80, 150), c(60, 110, 60), c(190, 170, 130), c(120, 90, 70)]
    case .unlabeled: return neutral + [c(118, 98, 80), c(150, 120, 60)]
    }
  }

  /// Skin tones for the first primitive (the head) of a person or rider.
  private static let skin: [SceneColor] = [
    SceneColor(red: 230, green: 190, blue: 160), SceneColor(red: 190, green: 140, blue: 110),
    SceneColor(red: 120, green: 84, blue: 62), SceneColor(red: 80, green: 56, blue: 44),
  ]

  /// A registered jittered colour from `choices`, as a primitive's ``ScenePrimitive/color``.
  private mutating func pick(_ choices: [SceneColor], jitter: Float = 14) -> UInt16 {
    let base = choices[random.int(0...(choices.count - 1))]
    func wiggle(_ value: Float) -> Float { min(255, max(0, value + Float(random.uniform(-1, 1)) * jitter)) }
    scene.colors.append(SceneColor(red: wiggle(base.red), green: wiggle(base.green), blue: wiggle(base.blue)))
    return UInt16(scene.colors.count)
  }

  /// Gives every object primitive a colour: one per car, bicycle and ego vehicle, head, clothes
  /// and trousers per person, one per primitive for everything else; sign symbols and lit lamps
  /// get white, red, amber or green tone paint.
  mutating func assignColors() {
    var instanceColors: [Int: [UInt16]] = [:]
    var parts: [Int: Int] = [:]
    for index in scene.primitives.indices {
      switch scene.primitives[index].paint {
      case .object(let sceneClass, let instance):
        let key = Int(sceneClass.rawValue) << 16 | Int(instance)
        switch sceneClass {
        case .car, .bicycle, .egoVehicle:
          if instance == 0 {
            scene.primitives[index].color = pick(Self.palette(sceneClass))
          } else {
            if instanceColors[key] == nil { instanceColors[key] = [pick(Self.palette(sceneClass))] }
            scene.primitives[index].color = instanceColors[key]?[0] ?? 0
          }
        case .person, .rider:
          if instanceColors[key] == nil {
            instanceColors[key] = [pick(Self.skin, jitter: 8), pick(Self.palette(sceneClass)), pick(Self.palette(sceneClass))]
          }
          let part = parts[key, default: 0]
          parts[key] = part + 1
          scene.primitives[index].color = instanceColors[key]?[min(part, 2)] ?? 0
        default:
          scene.primitives[index].color = pick(Self.palette(sceneClass))
        }
      case .tone(let onClass) where onClass == .trafficLight && scene.primitives[index].tone > 100:
        let lamps = [SceneColor(red: 240, green: 40, blue: 30), SceneColor(red: 250, green: 170, blue: 20),
                     SceneColor(red: 40, green: 230, blue: 90)]
        scene.primitives[index].color = pick(lamps, jitter: 6)
      case .tone(let onClass) where onClass == .trafficSign:
        scene.primitives[index].color = pick([SceneColor(red: 235, green: 235, blue: 235), SceneColor(red: 200, green: 30, blue: 30)], jitter: 6)
      default:
        continue
      }
    }
  }

  /// Draws the frame's exposure, white balance, optics, sensor noise and compression.
  mutating func drawCamera() {
    scene.illumination = Int(256 * random.uniform(0.6, 1.2))
    var camera = SceneCamera()
    camera.redGain = Float(random.uniform(0.9, 1.1))
    camera.blueGain = Float(random.uniform(0.9, 1.1))
    camera.vignette = Float(random.uniform(0.05, 0.35))
    let blur = random.unit()
    camera.blurPasses = blur < 0.65 ? 1 : blur < 0.9 ? 2 : 3
    let noise = random.unit()
    camera.readSigma = Float(0.5 + 2.5 * noise)
    camera.shotGain = Float(0.004 + 0.04 * noise * random.unit())
    camera.quantisationSigma = Float(random.uniform(0.25, 0.6))
    camera.jpegQuality = random.chance(0.35) ? random.int(30...85) : 0
    scene.camera = camera
  }
}
