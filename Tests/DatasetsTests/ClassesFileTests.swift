import DanceCore
import Datasets
import Foundation
import ImageCodecs
import TestSupport
import Testing

/// `classes.yaml`: parsing, the errors that name the line and what was expected, the label space
/// and encoding it gives, and its writer's round trip.
@Suite struct ClassesFileTests {
  static let pets = """
    name: pets
    ignore: 255
    ignore_color: [0, 0, 0]
    classes:
      - {id: 0, name: background, color: [10, 20, 30]}
      - id: 5
        name: cat
        color: "#ff8000"
      - {id: 2, name: dog, color: [0, 0, 255]}
    """

  @Test func parsesIdsNamesColoursAndPacksSparseIdsIntoTrainIds() throws {
    let file = try ClassesFile.parse(Self.pets, source: "classes.yaml")
    #expect(file.name == "pets")
    #expect(file.classes.map(\.id) == [0, 2, 5])  // id order
    #expect(file.classes.map(\.name) == ["background", "dog", "cat"])
    #expect(file.classes[2].color == RGB(255, 128, 0))
    let space = file.space
    #expect(space.classNames == ["background", "dog", "cat"])
    #expect(space.id.hasPrefix("pets-3-"))
    let encoding = file.encoding
    #expect(encoding.trainId(ofValue: 5) == 2 && encoding.trainId(ofValue: 2) == 1 && encoding.trainId(ofValue: 255) == 255)
  }

  @Test func theLabelSpaceIdChangesWithTheClassesAndNotWithTheirIds() throws {
    let file = try ClassesFile.parse(Self.pets, source: "a")
    let renumbered = try ClassesFile.parse(Self.pets.replacingOccurrences(of: "id: 5", with: "id: 7"), source: "b")
    let renamed = try ClassesFile.parse(Self.pets.replacingOccurrences(of: "name: cat", with: "name: lynx"), source: "c")
    #expect(file.space == renumbered.space)
    #expect(file.space.id != renamed.space.id)
  }

  @Test func theWrittenYAMLReadsBackEqualAndIsDeterministic() throws {
    let file = try ClassesFile.parse(Self.pets, source: "classes.yaml")
    #expect(try ClassesFile.parse(file.yaml, source: "again") == file)
    #expect(try ClassesFile.parse(Self.pets, source: "classes.yaml").yaml == file.yaml)
    let odd = try ClassesFile(
      name: "x", classes: [.init(id: 1, name: "a \"quoted\": name", color: RGB(1, 2, 3))], ignore: 0, source: "odd")
    #expect(try ClassesFile.parse(odd.yaml, source: "odd") == odd)
  }

  @Test func aTableOfTrainIdsGivesTheSameSpaceBack() throws {
    let space = try ClassesFile.parse(Self.pets, source: "classes.yaml").space
    let exported = try ClassesFile(trainIdsOf: space, source: "export")
    #expect(exported.space == space)
    #expect(exported.classes.map(\.id) == [0, 1, 2])
  }

  @Test(arguments: [
    ("classes: []", "expected 1 to 255 classes"),
    ("colors: []", "line 1: unknown key 'colors'"),
    ("classes:\n  - {id: 0, name: a}", "line 2: a class needs id, name and color"),
    ("classes:\n  - {id: 0, name: a, color: [1, 2]}", "line 2: color: expected [R, G, B]"),
    ("classes:\n  - {id: 300, name: a, color: [1, 2, 3]}", "line 2: id: expected a whole number 0…255, got '300'"),
    ("classes:\n  - {id: 0, name: a, color: '#12345'}", "color: expected [R, G, B] with values 0…255 or \"#rrggbb\""),
    ("classes:\n  - {id: 0, name: a, color: [1, 2, 3]}\n  - {id: 0, name: b, color: [4, 5, 6]}", "have the same id 0"),
    ("classes:\n  - {id: 0, name: a, color: [1, 2, 3]}\n  - {id: 1, name: a, color: [4, 5, 6]}", "both named 'a'"),
    ("classes:\n  - {id: 0, name: a, color: [1, 2, 3]}\n  - {id: 1, name: b, color: [1, 2, 3]}", "the same colour (1,2,3)"),
    ("ignore: 0\nclasses:\n  - {id: 0, name: a, color: [1, 2, 3]}", "has the ignore value 0 as its id"),
    ("name: 'a b'\nclasses:\n  - {id: 0, name: a, color: [1, 2, 3]}", "expected 1 to 32 letters"),
    ("- just\n- a list", "expected a mapping"),
  ])
  func invalidTablesNameTheFileTheLineAndWhatWasExpected(yaml: String, expected: String) {
    #expect {
      _ = try ClassesFile.parse(yaml, source: "/data/classes.yaml")
    } throws: { error in
      guard let error = error as? DatasetError, case .invalidConfiguration(let path, let reason) = error else { return false }
      return path == "/data/classes.yaml" && reason.contains(expected)
    }
  }

  @Test func aMissingFileIsNamedWithWhatItShouldHold() {
    #expect(throws: DatasetError.invalidConfiguration(
      path: "/nowhere/classes.yaml",
      reason: "missing or unreadable: a generic dataset lists its classes here (id, name and colour of each, and the ignore value)")
    ) { _ = try ClassesFile.read("/nowhere/classes.yaml") }
  }

  @Test func indexAndColourMasksGiveTheSameTrainIds() throws {
    let file = try ClassesFile.parse(Self.pets, source: "classes.yaml")
    let index = Image8(width: 4, height: 1, channels: 1, samples: [0, 2, 5, 255])
    let color = file.colorMask(index)
    #expect(color.samples == [10, 20, 30, 0, 0, 255, 255, 128, 0, 0, 0, 0])
    let fromIndex = try file.encoding.trainIds(from: .uint8(index)).get()
    let fromColor = try file.encoding.trainIds(from: .uint8(color)).get()
    #expect(fromIndex.image.samples == [0, 1, 2, 255])
    #expect(fromColor.image.samples == fromIndex.image.samples)
    #expect(fromIndex.unknownValues.isEmpty && fromColor.unknownValues.isEmpty)
    let stray = try file.encoding.trainIds(from: .uint8(Image8(width: 1, height: 1, channels: 3, samples: [9, 9, 9]))).get()
    #expect(stray.unknownValues == [0x090909: 1] && stray.isColorCoded)
  }

  @Test func recordedSpacesReadBackAndStandardOnesByTheirId() throws {
    let space = try ClassesFile.parse(Self.pets, source: "classes.yaml").space
    let recorded = try #require(space.recordedClasses)
    #expect(LabelSpace.recorded(id: space.id, classes: recorded) == space)
    #expect(LabelSpace.cityscapes.recordedClasses == nil)
    #expect(LabelSpace.recorded(id: "voc2012-21", classes: nil) == .voc)
    #expect(LabelSpace.recorded(id: space.id, classes: nil) == nil)
    #expect(LabelSpace.recorded(id: space.id, classes: [("a", [1, 2, 300])]) == nil)
  }
}
