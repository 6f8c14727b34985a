import DanceCore
import Foundation
import NN
import Tensors
import TestSupport
import Testing

@Suite struct CheckpointTests {
  static let small = DeepLabConfiguration(classes: 3, widthMultiplier: 0.125, outputStride: 8, asppRates: [2, 3])

  @Test func deepLabRoundTripsThroughSafetensors() throws {
    var generator = SplitMix(seed: 1)
    let model = DeepLab(Self.small, generator: &generator)
    // Make the running statistics and counters non-trivial.
    _ = model.forward(randomTensor([2, 3, 16, 16], seed: 2))
    try withTemporaryDirectory { directory in
      let path = directory + "/model.safetensors"
      try model.save(to: path)
      let loaded = try DeepLab.load(from: path)
      #expect(loaded.configuration == Self.small)
      let original = model.state, restored = loaded.state
      #expect(original.map(\.name) == restored.map(\.name))
      for (a, b) in zip(original, restored) { #expect(a.get() == b.get(), "\(a.name)") }
      model.isTraining = false
      loaded.isTraining = false
      let x = randomTensor([1, 3, 16, 16], seed: 3)
      #expect(model.forward(x) == loaded.forward(x))
      // Byte-identical when saved again.
      let again = directory + "/again.safetensors"
      try loaded.save(to: again)
      #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }
  }

  @Test func namesAndLayoutsArePyTorchStyle() {
    var generator = SplitMix(seed: 1)
    let model = DeepLab(Self.small, generator: &generator)
    let file = model.checkpoint()
    let stem = model.configuration.channels(32)
    #expect(file.entries["backbone.stem.0.weight"]?.shape == [stem, 3, 3, 3])
    #expect(file.entries["backbone.stem.1.running_var"]?.shape == [stem])
    #expect(file.entries["backbone.stem.1.num_batches_tracked"]?.dtype == .i64)
    #expect(file.entries["backbone.stem.1.num_batches_tracked"]?.shape == [])
    #expect(file.entries["backbone.layer1.downsample.0.weight"]?.shape == [model.configuration.channels(64), stem, 1, 1])
    #expect(file.entries["aspp.convs.0.0.weight"] != nil)  // 1×1 branch
    #expect(file.entries["aspp.convs.3.1.weight"] != nil)  // pooling branch conv (after the pool at index 0)
    #expect(file.entries["classifier.bias"]?.shape == [3])
    #expect(file.metadata["format"] == "pt")
    // Parameters plus BN buffers: every parameter appears once.
    let floats = file.entries.values.filter { $0.dtype == .f32 }.reduce(0) { $0 + $1.shape.reduce(1, *) }
    let buffers = file.entries.filter { $0.key.hasSuffix("running_mean") || $0.key.hasSuffix("running_var") }
      .values.reduce(0) { $0 + $1.shape.reduce(1, *) }
    #expect(floats - buffers == model.parameterCount)
  }

  /// A file assembled byte by byte, in the layout of the safetensors specification.
  static func handBuilt(header: String, data: [UInt8]) -> [UInt8] {
    let bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { Array($0) }
    return bytes + Array(header.utf8) + data
  }

  static func floatBytes(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } } }

  @Test func readsAHandBuiltFileIntoALayer() throws {
    // A 1×1 conv 2→1 with bias followed by BN(1): `0.weight`, `0.bias`, `1.*` like nn.Sequential.
    let header = #"{"__metadata__":{"format":"pt"},"0.weight":{"dtype":"F32","shape":[1,2,1,1],"data_offsets":[0,8]},"#
      + #""0.bias":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"1.weight":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},"#
      + #""1.bias":{"dtype":"F32","shape":[1],"data_offsets":[16,20]},"1.running_mean":{"dtype":"F32","shape":[1],"data_offsets":[20,24]},"#
      + #""1.running_var":{"dtype":"F32","shape":[1],"data_offsets":[24,28]},"1.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[28,36]}}"#
    let data = Self.floatBytes([2, -1, 0.5, 3, 1, 1, 4]) + withUnsafeBytes(of: Int64(7).littleEndian) { Array($0) }
    let file = try SafetensorsFile(bytes: Self.handBuilt(header: header, data: data), path: "hand.safetensors")
    var generator = SplitMix(seed: 1)
    let conv = Conv2d(2, 1, kernelSize: 1, bias: true, generator: &generator)
    let bn = BatchNorm2d(1)
    let layer = Sequential([conv, bn])
    try layer.load(file, path: "hand.safetensors")
    #expect(conv.weight.value.storage == [2, -1])
    #expect(conv.bias?.value.storage == [0.5])
    #expect(bn.runningVariance.storage == [4] && bn.batchesTracked == 7)
    layer.isTraining = false
    // y = 3 · ((2a − b + 0.5) − 1) / √(4 + 1e-5) + 1
    let y = layer.forward(Tensor(shape: [1, 2, 1, 1], storage: [1, 2]))
    expectClose(y.storage, [3 * (0.5 - 1) / (4 + 1e-5).squareRoot() + 1], rtol: 1e-6, atol: 1e-6, "forward")
  }

  @Test func serializationFollowsTheSpecification() throws {
    let file = SafetensorsFile(entries: ["b": .init(Tensor(shape: [2], storage: [1, 2])), "a": .init(scalar: -3)], metadata: ["k": "v\"q"])
    let bytes = file.serialized()
    let length = Int(bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
    #expect(length % 8 == 0)
    let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(header.utf8)) as? [String: Any])
    #expect((object["__metadata__"] as? [String: String]) == ["k": "v\"q"])
    // Sorted by name: "a" (8 bytes) first, then "b".
    #expect(((object["a"] as? [String: Any])?["data_offsets"] as? [Int]) == [0, 8])
    #expect(((object["b"] as? [String: Any])?["data_offsets"] as? [Int]) == [8, 16])
    #expect(Array(bytes[(8 + length + 8)...]) == Self.floatBytes([1, 2]))
    #expect(try SafetensorsFile(bytes: bytes, path: "x") == file)
  }

  @Test(arguments: [
    ("short", [UInt8](repeating: 0, count: 5)),
    ("header past end", CheckpointTests.handBuilt(header: "{}", data: []).dropLast(1) + []),
    ("not json", CheckpointTests.handBuilt(header: "{oops", data: [])),
    ("bad dtype", CheckpointTests.handBuilt(header: #"{"x":{"dtype":"Q9","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
    ("size mismatch", CheckpointTests.handBuilt(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0])),
    ("out of range", CheckpointTests.handBuilt(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [0, 0, 0, 0])),
    ("hole", CheckpointTests.handBuilt(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0, 9])),
  ])
  func rejectsMalformedFiles(name: String, bytes: [UInt8]) {
    #expect(throws: CheckpointError.self, "\(name)") { try SafetensorsFile(bytes: bytes, path: "bad.safetensors") }
    do {
      _ = try SafetensorsFile(bytes: bytes, path: "bad.safetensors")
    } catch {
      guard case .malformed(let path, _) = error else { Issue.record("\(name): \(error)"); return }
      #expect(path == "bad.safetensors")
    }
  }

  @Test func rejectsCheckpointsThatDoNotFit() throws {
    var generator = SplitMix(seed: 1)
    let conv = Conv2d(2, 3, kernelSize: 3, generator: &generator)
    let before = conv.weight.value
    let wrongShape = SafetensorsFile(entries: ["weight": .init(Tensor(shape: [3, 2, 1, 1]))])
    #expect(throws: CheckpointError.mismatch(path: "p", reason: "weight is F32 [3, 2, 1, 1], expected F32 [3, 2, 3, 3]")) {
      try conv.load(wrongShape, path: "p")
    }
    #expect(throws: CheckpointError.mismatch(path: "p", reason: "missing tensor weight")) { try conv.load(SafetensorsFile(), path: "p") }
    let extra = SafetensorsFile(entries: ["weight": .init(before), "bias": .init(Tensor(shape: [3]))])
    #expect(throws: CheckpointError.mismatch(path: "p", reason: "unexpected tensor bias")) { try conv.load(extra, path: "p") }
    #expect(conv.weight.value == before)
    #expect(throws: CheckpointError.self) { try DeepLab.load(from: "/nonexistent/dir/model.safetensors") }
  }
}

/// Issue 26, D8: checkpoint metadata is snake_case; checkpoints written in camelCase still load.
@Suite struct CheckpointMetadataTests {
  @Test func theConfigurationIsWrittenInSnakeCaseAndReadInEither() throws {
    var generator = SplitMix(seed: 1)
    let model = DeepLab(CheckpointTests.small, generator: &generator)
    let written = try #require(model.configurationMetadata[DeepLab.configurationKey])
    #expect(written.contains("\"width_multiplier\":0.125") && written.contains("\"aspp_one_by_one\":true") && !written.contains("widthMultiplier"))
    let camel = #"{"asppImagePooling":true,"asppOneByOne":true,"asppRates":[2,3],"classes":3,"dropout":0.1,"inputChannels":3,"# +
      #""outputStride":8,"widthMultiplier":0.125}"#
    var file = model.checkpoint(metadata: [DeepLab.configurationKey: camel])
    try withTemporaryDirectory { directory in
      try file.write(to: directory + "/old.safetensors")
      #expect(try DeepLab.load(from: directory + "/old.safetensors").configuration == CheckpointTests.small)
      file.metadata[DeepLab.configurationKey] = written
      try file.write(to: directory + "/new.safetensors")
      #expect(try DeepLab.load(from: directory + "/new.safetensors").configuration == CheckpointTests.small)
    }
  }
}
