import Testing
@testable import Trainer

@Suite struct EpochPlanTests {
  /// Entries of sizes and scales as a quantile-slimmed split stores them.
  static func entries(_ scales: [Double], width: Int = 200, height: Int = 100) -> [SampleEntry] {
    scales.enumerated().map { index, scale in
      SampleEntry(key: "k\(index)", scale: scale, weight: 1, width: Int((Double(width) * scale).rounded()),
                  height: Int((Double(height) * scale).rounded()), location: .files(image: "i\(index)", label: "l\(index)"))
    }
  }

  static let mixed = entries([0.5, 1, 0.75, 0.5, 1, 1, 0.75, 0.5, 0.75, 1, 0.5, 0.5, 1])

  @Test(arguments: [0, 1, 7])
  func samePlanForTheSameSeedAndEpoch(epoch: Int) {
    let a = EpochPlan.batches(for: Self.mixed, batchSize: 3, crop: PixelSize(width: 80, height: 40), seed: 5, epoch: epoch)
    let b = EpochPlan.batches(for: Self.mixed, batchSize: 3, crop: PixelSize(width: 80, height: 40), seed: 5, epoch: epoch)
    #expect(a == b)
    let other = EpochPlan.batches(for: Self.mixed, batchSize: 3, crop: PixelSize(width: 80, height: 40), seed: 5, epoch: epoch + 1)
    #expect(a != other)
  }

  @Test(arguments: [2, 3, 4, 8])
  func everyBatchHoldsOneScaleAndEverySampleOnce(batchSize: Int) {
    let crop = PixelSize(width: 80, height: 40)
    let plan = EpochPlan.batches(for: Self.mixed, batchSize: batchSize, crop: crop, seed: 1, epoch: 0)
    var seen: [Int] = []
    for batch in plan {
      let scales = Set(batch.items.map { Self.mixed[$0.sample].scale })
      #expect(scales == [batch.scale])
      #expect(batch.items.count >= 2 && batch.items.count <= batchSize + 1)
      #expect(batch.cropWidth == Int((80 * batch.scale).rounded()))
      #expect(batch.cropHeight == Int((40 * batch.scale).rounded()))
      for item in batch.items {
        let entry = Self.mixed[item.sample]
        #expect(item.x >= 0 && item.x + batch.cropWidth <= entry.width)
        #expect(item.y >= 0 && item.y + batch.cropHeight <= entry.height)
      }
      seen += batch.items.map(\.sample)
    }
    #expect(seen.sorted() == Array(Self.mixed.indices))
    #expect(plan.count == EpochPlan.batchCount(for: Self.mixed, batchSize: batchSize))
    #expect(plan.map(\.index) == Array(plan.indices))
  }

  @Test func cropIsClampedToTheLargestSampleOfTheBatch() {
    let small = Self.entries([1, 1, 1], width: 30, height: 20)
    let plan = EpochPlan.batches(for: small, batchSize: 3, crop: PixelSize(width: 512, height: 256), seed: 0, epoch: 0)
    #expect(plan.count == 1)
    #expect(plan[0].cropWidth == 30 && plan[0].cropHeight == 20)
    #expect(plan[0].items.allSatisfy { $0.x == 0 && $0.y == 0 })
  }

  @Test func aSampleAloneAtItsScaleIsLeftOutAndALastSingleJoinsTheBatchBefore() {
    let entries = Self.entries([0.25, 1, 1, 1, 1, 1])
    #expect(EpochPlan.unbatchable(entries, batchSize: 2) == [0])
    let plan = EpochPlan.batches(for: entries, batchSize: 2, crop: PixelSize(width: 50, height: 25), seed: 3, epoch: 0)
    #expect(plan.map(\.items.count).sorted() == [2, 3])
    #expect(!plan.flatMap(\.items).contains { $0.sample == 0 })
  }

  @Test func flipsAndCropPositionsVary() {
    let entries = Self.entries(Array(repeating: 1.0, count: 40))
    let plan = EpochPlan.batches(for: entries, batchSize: 4, crop: PixelSize(width: 50, height: 25), seed: 9, epoch: 0)
    let items = plan.flatMap(\.items)
    #expect(Set(items.map(\.flip)) == [true, false])
    #expect(Set(items.map(\.x)).count > 10)
  }

  @Test(arguments: ["512x256", "1X1", "64x32"])
  func parsesSizes(text: String) throws {
    let size = try #require(PixelSize(parsing: text))
    #expect(size.description == text.lowercased())
  }

  @Test(arguments: ["", "512", "0x10", "-4x4", "axb", "1x2x3"])
  func refusesBadSizes(text: String) {
    #expect(PixelSize(parsing: text) == nil)
  }
}
