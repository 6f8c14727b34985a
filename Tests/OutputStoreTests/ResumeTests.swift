import Catalog
import DanceCore
import Foundation
import OutputStore
import TestSupport
import Testing

/// Resume points: a rerun with the same configuration keeps every recorded shard whose file is
/// intact, and forgets the split from the first missing or changed one on.
@Suite(.serialized) struct ResumeTests {
  enum Damage: String, CaseIterable { case missing, changed }

  @Test func anIntactOutputIsKeptWhole() throws {
    try OutputFixture.written { fixture in
      let before = try regularFileContents(under: fixture.output)
      let plan = try fixture.write()
      #expect(plan.wasComplete && plan.repairs.isEmpty)
      #expect(plan.points[.train]?.shards.count == 3 && plan.points[.train]?.done == Set(OutputFixture.keys.map(SampleKey.init(rawValue:))))
      #expect(try regularFileContents(under: fixture.output) == before)
    }
  }

  @Test(arguments: Damage.allCases)
  func aDamagedShardIsForgottenFromThereOnAndWrittenAgainIdentically(damage: Damage) throws {
    try OutputFixture.written { fixture in
      let before = try regularFileContents(under: fixture.output)
      let damaged = fixture.output + "/train/train-000001.tar"
      switch damage {
      case .missing: try FileManager.default.removeItem(atPath: damaged)
      case .changed: try OutputFixture.flipByte(in: damaged)
      }
      let plan = try fixture.write()
      #expect(plan.points[.train]?.shards.map(\.path) == ["train/train-000000.tar"])
      #expect(plan.points[.train]?.done == ["s0", "s1"])
      #expect(plan.repairs.count == 1 && plan.repairs[0].hasPrefix("train/train-000001.tar: "), "\(plan.repairs)")
      #expect(plan.repairs[0].contains(damage == .missing ? "missing" : "SHA-256"), "\(plan.repairs)")
      #expect(try regularFileContents(under: fixture.output) == before)
      #expect(try fixture.catalog().shards(output: OutputKey(directory: fixture.output)).count == 3)
    }
  }
}
