import DanceCore
import Foundation
import NN
import Tensors
import TestSupport
import Testing

/// The package root: this file is `<root>/Tests/NNTests/TorchParityTests.swift`.
private let packageRoot = URL(fileURLWithPath: #filePath)
  .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

/// A torch interpreter, or why there is none.
private enum TorchPython: Sendable {
  case available(String)
  case unavailable(String)
}

/// What `scripts/torch-venv.sh` answered; asked once per process (a global is initialised exactly
/// once, so tests running in parallel wait for the same venv install).
private let torchPython: TorchPython = {
  let result = runProcess("/bin/bash", [packageRoot + "/scripts/torch-venv.sh"])
  let line = result.output.split(separator: "\n").last.map(String.init) ?? ""
  guard result.status == 0, !line.isEmpty else {
    return .unavailable(line.isEmpty ? "scripts/torch-venv.sh exited \(result.status) without a reason" : line)
  }
  return .available(line)
}()

/// Runs `executable arguments…`; returns the exit status, standard output and standard error.
private func runProcess(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String, errors: String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
  let errorPath = NSTemporaryDirectory() + "dance-torch-parity-" + UUID().uuidString + ".stderr"
  defer { try? FileManager.default.removeItem(atPath: errorPath) }
  // A file, not a pipe: a long traceback cannot block the child while stdout is being read.
  guard FileManager.default.createFile(atPath: errorPath, contents: nil), let errors = FileHandle(forWritingAtPath: errorPath) else {
    return (-1, "", "cannot create \(errorPath)")
  }
  let output = Pipe()
  process.standardOutput = output
  process.standardError = errors
  do { try process.run() } catch { return (-1, "", "cannot run \(executable): \(error)") }
  let data = output.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  try? errors.close()
  let errorText = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
  return (process.terminationStatus, String(decoding: data, as: UTF8.self), errorText)
}

/// The Python side: loads the checkpoint strictly with examples/deeplab_torch.py, runs the
/// forwards and prints one JSON line of comparisons.
private let comparisonScript = """
  import json, sys
  import numpy as np, torch
  sys.path.insert(0, sys.argv[1])
  from deeplab_torch import load_checkpoint, preprocess, read_safetensors, MEAN, STD
  model, metadata = load_checkpoint(sys.argv[2])
  io, _ = read_safetensors(sys.argv[3])
  def relative(dance, torch_values):
      return ((dance - torch_values).abs().max() / torch_values.abs().max()).item()
  result = {"tensors": len(model.state_dict()), "parameters": sum(p.numel() for p in model.parameters()),
            "label_space": metadata.get("dance.label_space"), "training": model.training}
  with torch.no_grad():
      logits = model(io["input"])
      result["eval"] = relative(io["eval"], logits)
      result["eval_std"] = logits.std().item()
      result["eval_max"] = logits.abs().max().item()
      if "train" in io:
          model.train()
          result["train"] = relative(io["train"], model(io["input"]))
          after, _ = read_safetensors(sys.argv[4])
          state = model.state_dict()
          result["state"] = max(relative(after[k], state[k]) for k in state if k.endswith(("running_mean", "running_var")))
          result["batches_equal"] = all(int(after[k]) == int(state[k]) for k in state if k.endswith("num_batches_tracked"))
  rgb = np.arange(2 * 5 * 3, dtype=np.uint8).reshape(2, 5, 3) * 8
  expected = (rgb.astype(np.float64) / 255 - np.array(MEAN)) / np.array(STD)
  x = preprocess(rgb)
  result["preprocess"] = float(np.abs(x.numpy() - expected.transpose(2, 0, 1)).max()) if tuple(x.shape) == (3, 2, 5) else -1.0
  print(json.dumps(result))
  """

/// DeepLab.swift against examples/deeplab_torch.py: the same checkpoint, the same input, the same
/// logits (evaluation mode; training mode too when dropout is 0, plus the updated running statistics).
@Suite(.serialized) struct TorchParityTests {
  @Test func defaultConfiguration() throws {
    try Self.compare(DeepLabConfiguration(), inputShape: [2, 3, 64, 96])
  }

  /// Width 0.25, output stride 8, no 1×1 branch, 11 classes, on a size no stride divides (odd
  /// strided-conv sizes, fractional bilinear scales); dropout 0, so training mode is compared too.
  @Test func slimConfigurationInBothModes() throws {
    let configuration = DeepLabConfiguration(classes: 11, widthMultiplier: 0.25, outputStride: 8, asppRates: [2, 3], asppOneByOne: false, dropout: 0)
    try Self.compare(configuration, inputShape: [2, 3, 45, 70])
  }

  /// A pruned network (ASPP branches of different widths, one branch removed, narrower decoder), as
  /// its checkpoint's configuration records it, loads and computes the same logits in PyTorch.
  @Test func prunedConfiguration() throws {
    var configuration = DeepLabConfiguration(classes: 7, widthMultiplier: 0.25, asppRates: [2, 4], dropout: 0)
    configuration.asppRates = [4]
    configuration.pruned = .init(asppBranches: [5, 9, 3], asppProject: 14, skip: 6, decoder: 10, lastStageInner: 37)
    configuration.asppGates = true
    try Self.compare(configuration, inputShape: [2, 3, 64, 96])
  }

  /// The torch interpreter; otherwise skips the current test saying why (before Swift 6.3, which
  /// has no `Test.cancel`, prints the reason and returns nil). A skip shows only for a
  /// non-parameterized test: Swift Testing 6.3 reports a cancelled test case as passed.
  static func torchOrSkip() throws -> String? {
    switch torchPython {
    case .available(let path): return path
    case .unavailable(let reason):
      #if compiler(>=6.3)
      try Test.cancel("PyTorch parity skipped: \(reason)")
      #else
      print("PyTorch parity SKIPPED: \(reason)")
      return nil
      #endif
    }
  }

  /// Random BN γ, β and classifier bias (they start at 1, 0 and 0, which would hide a swapped name),
  /// then running statistics and batch counters from three training-mode forwards.
  static func perturb(_ model: DeepLab, seed: UInt64) {
    var generator = SplitMix(seed: seed)
    for entry in model.state {
      guard case .float(let tensor) = entry.get(), tensor.rank == 1 else { continue }
      if entry.name.hasSuffix(".weight") || entry.name.hasSuffix(".gates") {
        entry.set(.float(Tensor(shape: tensor.shape, storage: randomFloats(tensor.count, in: 0.5...1.5, using: &generator))))
      } else if entry.name.hasSuffix(".bias") {
        entry.set(.float(Tensor(shape: tensor.shape, storage: randomFloats(tensor.count, in: -0.3...0.3, using: &generator))))
      }
    }
    model.isTraining = true
    for pass in 0..<3 { _ = model.forward(randomTensor([2, 3, 64, 96], seed: seed + 1 + UInt64(pass))) }
  }

  /// Builds `configuration` with seeded weights, runs it on a fixed input of `inputShape` and checks that
  /// examples/deeplab_torch.py, given the saved checkpoint, computes the same logits.
  static func compare(_ configuration: DeepLabConfiguration, inputShape: [Int]) throws {
    guard let python = try torchOrSkip() else { return }
    let started = Date()
    var generator = SplitMix(seed: 11)
    let model = DeepLab(configuration, generator: &generator)
    Self.perturb(model, seed: 12)
    let input = randomTensor(inputShape, seed: 20)
    model.isTraining = false
    let evalLogits = model.forward(input)
    try withTemporaryDirectory { directory in
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      let json = String(decoding: try encoder.encode(configuration), as: UTF8.self)
      let metadata = [DeepLab.configurationKey: json, "dance.label_space": "cityscapes-trainid-19"]
      let checkpoint = directory + "/model.safetensors", after = directory + "/after.safetensors", io = directory + "/io.safetensors"
      try model.saveCheckpoint(to: checkpoint, metadata: metadata)
      var tensors = SafetensorsFile()
      tensors.entries["input"] = SafetensorsFile.Entry(input)
      tensors.entries["eval"] = SafetensorsFile.Entry(evalLogits)
      let checksTraining = configuration.dropout == 0
      if checksTraining {
        model.isTraining = true
        tensors.entries["train"] = SafetensorsFile.Entry(model.forward(input))
        try model.saveCheckpoint(to: after, metadata: metadata)
      }
      try tensors.write(to: io)
      let danceSeconds = Date().timeIntervalSince(started)

      let pythonStarted = Date()
      let run = runProcess(python, ["-c", comparisonScript, packageRoot + "/examples", checkpoint, io, after])
      let pythonSeconds = Date().timeIntervalSince(pythonStarted)
      try #require(run.status == 0, "the torch comparison failed (exit \(run.status)): \(run.errors)")
      let line = run.output.split(separator: "\n").last.map(String.init) ?? ""
      let result = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "output: \(run.output)")
      let evalDifference = try #require(result["eval"] as? Double)
      print(String(format: "TorchParity %@: eval max|dance − torch| / max|torch| = %.3g (|logits| ≤ %.3g, std %.3g)",
                   configuration.description, evalDifference, result["eval_max"] as? Double ?? .nan, result["eval_std"] as? Double ?? .nan))
      #expect(evalDifference <= 1e-3, "eval-mode logits differ by \(evalDifference) relative")
      #expect(result["tensors"] as? Int == model.state.count)
      #expect(result["parameters"] as? Int == model.parameterCount)
      #expect(result["label_space"] as? String == "cityscapes-trainid-19")
      #expect(result["training"] as? Bool == false, "load_checkpoint returns the model in eval mode")
      #expect((result["eval_std"] as? Double ?? 0) > 1e-3 * (result["eval_max"] as? Double ?? 0), "the logits are nearly constant")
      let preprocess = try #require(result["preprocess"] as? Double)
      #expect(preprocess >= 0 && preprocess < 1e-5, "preprocess differs from (x / 255 − mean) / std by \(preprocess)")
      if checksTraining {
        let train = try #require(result["train"] as? Double), state = try #require(result["state"] as? Double)
        print(String(format: "TorchParity %@: train-mode max rel = %.3g; running statistics after it max rel = %.3g",
                     configuration.description, train, state))
        #expect(train <= 1e-3, "training-mode logits differ by \(train) relative")
        #expect(state <= 1e-4, "running statistics after a training forward differ by \(state) relative")
        #expect(result["batches_equal"] as? Bool == true, "num_batches_tracked differs")
      }
      print(String(format: "TorchParity %@: Dance side %.1f s, torch side %.1f s", configuration.description, danceSeconds, pythonSeconds))
    }
  }
}
