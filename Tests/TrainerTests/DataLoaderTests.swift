import DanceCore
import Datasets
import Foundation
import ImageCodecs
import Tensors
import TestSupport
import Testing
@testable import Trainer

@Suite(.serialized) struct DataLoaderTests {
  @Test func catalogAndDirectoryGiveTheSameEntries() throws {
    try withTemporaryDirectory { directory in
      let root = try Fixtures.dataset(in: directory)
      let (output, catalog) = try Fixtures.slimmed(root, in: directory)
      let fromDirectory = try TrainingData.open(output, split: .train)
      let fromCatalog = try TrainingData.open(output, split: .train, catalogPath: catalog)
      #expect(fromDirectory.entries == fromCatalog.entries)
      #expect(fromDirectory.identity == fromCatalog.identity)
      #expect(fromDirectory.labelSpace.id == "cityscapes-trainid-19")
      // Slimmed samples carry their stored scale and DANCE weight; some are below scale 1.
      #expect(fromDirectory.entries.contains { $0.scale < 1 })
      #expect(Set(fromDirectory.entries.map(\.weight)).count > 1)
      // The split's folder alone opens the same split.
      #expect(try TrainingData.open(output + "/train", split: .val).entries == fromDirectory.entries)
      // Copied elsewhere, the shards still open without their catalog.
      try FileManager.default.copyItem(atPath: output, toPath: directory + "/copied")
      let copied = try TrainingData.open(directory + "/copied", split: .train)
      #expect(copied.entries.map(\.key) == fromDirectory.entries.map(\.key))
    }
  }

  @Test func sameBatchesWithAnyNumberOfThreads() throws {
    try withTemporaryDirectory { directory in
      let (output, _) = try Fixtures.slimmed(try Fixtures.dataset(in: directory, train: 10), in: directory)
      let data = try TrainingData.open(output, split: .train)
      let plan = EpochPlan.batches(for: data.entries, batchSize: 2, crop: PixelSize(width: 40, height: 20), seed: 4, epoch: 1)
      func load(threads: Int, prefetch: Int) -> [Batch] {
        let loader = DataLoader(data: data, plan: plan, threads: threads, prefetch: prefetch)
        var batches: [Batch] = []
        while let batch = loader.next() { batches.append(batch) }
        #expect(loader.peakBatchesInFlight <= prefetch)
        return batches
      }
      let one = load(threads: 1, prefetch: 1), three = load(threads: 3, prefetch: 2)
      #expect(one.count == plan.count)
      #expect(one.map(\.images) == three.map(\.images))
      #expect(one.map(\.labels) == three.map(\.labels))
      #expect(one.map(\.keys) == plan.map { $0.items.map { data.entries[$0.sample].key } })
      #expect(one.map(\.weights) == plan.map { $0.items.map { data.entries[$0.sample].weight } })
      // Resuming at batch 2 hands out exactly the rest.
      let rest = DataLoader(data: data, plan: plan, startingAt: 2, threads: 2)
      var tail: [Batch] = []
      while let batch = rest.next() { tail.append(batch) }
      #expect(tail.map(\.labels) == one.dropFirst(2).map(\.labels))
    }
  }

  /// Pixels encode their label (red = 10 × class) and column, so a crop or flip that moved one
  /// without the other would show.
  @Test(arguments: [false, true])
  func cropsAndFlipsKeepLabelsExact(flip: Bool) {
    let width = 12, height = 6
    var image = Image8(width: width, height: height, channels: 3)
    var labels = Image8(width: width, height: height, channels: 1)
    for y in 0..<height {
      for x in 0..<width {
        let label = UInt8((x + y) % 5)
        labels.samples[y * width + x] = label
        image.samples[(y * width + x) * 3] = label * 10
        image.samples[(y * width + x) * 3 + 1] = UInt8(x)
        image.samples[(y * width + x) * 3 + 2] = UInt8(y)
      }
    }
    let sample = TrainingSample(key: "a", image: image, labels: labels, weight: 1.5)
    let item = PlannedItem(sample: 0, x: 3, y: 1, flip: flip)
    let plan = PlannedBatch(index: 0, scale: 1, cropWidth: 5, cropHeight: 4, items: [item])
    let identity = InputNormalization(mean: [0, 0, 0], std: [1 / 255, 1 / 255, 1 / 255])
    let batch = BatchAssembler.assemble(plan, samples: [(item, sample)], failures: [], tables: (0..<3).map(identity.table(channel:)))
    #expect(batch.images.shape == [1, 3, 4, 5])
    #expect(batch.weights == [1.5])
    for row in 0..<4 {
      for column in 0..<5 {
        // The identity normalization is exact to a few ulps; round back to 8-bit values.
        let red = batch.images[0, 0, row, column].rounded(), green = batch.images[0, 1, row, column].rounded()
        let label = batch.labels[row * 5 + column]
        #expect(Float(label * 10) == red)
        let sourceColumn = flip ? 3 + 4 - column : 3 + column
        #expect(green == Float(sourceColumn))
        #expect(batch.images[0, 2, row, column].rounded() == Float(1 + row))
      }
    }
  }

  @Test func aDatasetRootIsReadWithLabelsConvertedToTrainIds() throws {
    try withTemporaryDirectory { directory in
      let root = try Fixtures.dataset(in: directory, train: 4, val: 2)
      let data = try TrainingData.open(root, split: .train)
      #expect(data.identity.kind == "dataset" && data.count == 4)
      #expect(data.entries.allSatisfy { $0.scale == 1 && $0.weight == 1 && $0.width == 64 && $0.height == 32 })
      let sample = try data.load(0, decoder: ImageDecoder())
      #expect(sample.labels.samples.allSatisfy { $0 < 19 || $0 == 255 })
      // gtFine labelIds (7 = road, 26 = car, …) became train ids (0, 13, …).
      let source = try ImageDecoder().decodeLabel(contentsOf: root + "/" + {
        if case .files(_, let label) = data.entries[0].location { return label }
        return ""
      }()).image
      guard case .uint8(let ids) = source else { Issue.record("label is not 8-bit"); return }
      for (index, id) in ids.samples.enumerated() {
        #expect(sample.labels.samples[index] == LabelEncoding.cityscapesLabelIds.trainId(ofValue: id))
      }
      #expect(try TrainingData.open(root, split: .val).count == 2)
    }
  }

  @Test func missingSplitsAndMismatchedShardsAreClearErrors() throws {
    try withTemporaryDirectory { directory in
      let (output, catalog) = try Fixtures.slimmed(try Fixtures.dataset(in: directory, train: 4, val: 2), in: directory)
      #expect(throws: TrainerError.self) { try TrainingData.open(output, split: .test) }
      #expect(throws: TrainerError.self) { try TrainingData.open(directory + "/nowhere", split: .train) }
      #expect(throws: TrainerError.self) { try TrainingData.open(output, split: .train, catalogPath: directory + "/none.sqlite") }
      #expect(!FileManager.default.fileExists(atPath: directory + "/none.sqlite"))
      // A shard that no longer has its recorded size is refused, naming it.
      let shard = output + "/train/train-000000.tar"
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: shard))
      try handle.truncate(atOffset: 1024)
      try handle.close()
      for source in [nil, catalog] {
        do throws(TrainerError) {
          _ = try TrainingData.open(output, split: .train, catalogPath: source)
          Issue.record("a truncated shard was accepted")
        } catch {
          #expect(error.path == shard)
          #expect(error.reason.contains("bytes"))
        }
      }
    }
  }
}
