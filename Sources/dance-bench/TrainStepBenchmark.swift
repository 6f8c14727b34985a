import ArgumentParser
import DanceCore
import Foundation
import NN
import Tensors
internal import CMalloc

/// `dance-bench train-step`: milliseconds per training step (forward, loss, backward, SGD update) of
/// the reference network of `bench/torch_reference_step.py`, per thread count, beside PyTorch when
/// `torch` is importable.
struct TrainStepBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-step",
    abstract: "Time one training step of the reference network (see bench/torch_reference_step.py).")

  @Option(help: "Comma-separated OpenBLAS thread counts to measure.")
  var threads = "1,2"

  @Option(help: "Timed steps per thread count; the median is reported.")
  var steps = 10

  @Option(help: "Untimed warm-up steps per thread count.")
  var warmup = 3

  @Option(help: "Alternating rounds of Dance and PyTorch per thread count; the ratios compare the medians over rounds.")
  var rounds = 3

  @Option(help: "Batch size N (the PyTorch script always uses 8).")
  var batch = 8

  @Flag(help: "Time the default DeepLab model (width 1, output stride 16, ASPP 1x1+6+12+18+pool) instead of the reference network (PyTorch runs the same model from examples/deeplab_torch.py).")
  var deeplab = false

  @Flag(help: "Also print the median time of forward, backward and update.")
  var breakdown = false

  @Flag(help: "Do not run the PyTorch reference even if torch is importable.")
  var noTorch = false

  @Option(help: "The Python interpreter for the PyTorch reference.")
  var python = "python3"

  @Option(help: "The PyTorch reference script.")
  var torchScript = "bench/torch_reference_step.py"

  @Flag(help: "Measure with whatever kernels OpenBLAS picked, even the SSE3 fallback on a CPU it does not know.")
  var keepCoretype = false

  @Flag(help: "Print the resident and peak resident size after every training step (memory growth over many steps).")
  var traceMemory = false

  func validate() throws {
    guard steps >= 1, warmup >= 0, rounds >= 1, batch >= 2 else {
      throw ValidationError("--steps and --rounds must be at least 1, --warmup at least 0 and --batch at least 2 (batch norm)")
    }
  }

  func run() throws {
    if !keepCoretype, let status = rerunWithKnownCoretype() { throw ExitCode(status) }
    let counts = try threadCounts(threads)
    let torch = noTorch ? nil : TorchReference(python: python, script: torchScript, deeplab: deeplab)
    print("OpenBLAS kernels: \(BLASThreads.coreName)"
          + (ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"].map { " (OPENBLAS_CORETYPE=\($0))" } ?? ""))
    print("train-step: \(deeplab ? DeepLabConfiguration().description : "reference network"), input \(batch)x3x128x256, 19 classes, SGD momentum 0.9, "
          + "median of \(steps) steps after \(warmup) warm-up, \(rounds) round\(rounds == 1 ? "" : "s"), release build expected")
    if torch == nil && !noTorch { print("torch: not importable with \(python); PyTorch comparison skipped") }
    if torch != nil {
      print("torch: running \(torchScript) with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for that command only")
    }
    for count in counts { measure(threads: count, against: torch) }
  }

  /// `--rounds` alternating rounds of Dance and PyTorch at one thread count, then, with more than
  /// one round, the median over rounds of each side's medians and their ratio: on a shared machine
  /// the two sides' speeds drift by 10–25 % between minutes, and alternating spreads that over both.
  private func measure(threads count: Int, against torch: TorchReference?) {
    var dance: [StepTiming] = [], reference: [(train: Double?, eval: Double?)] = []
    for round in 1...rounds {
      let label = rounds > 1 ? " round \(round)" : ""
      BLASThreads.set(count)
      let timing = measure()
      dance.append(timing)
      var line = String(format: "dance threads=%d (OpenBLAS reports %d)%@: train step median %.1f ms (min %.1f), last loss %.3f",
                        count, BLASThreads.count, label, timing.median, timing.min, timing.loss)
      if breakdown {
        line += String(format: "; forward %.1f, backward %.1f, update %.1f ms", timing.forward, timing.backward, timing.update)
      }
      print(line)
      print(String(format: "dance threads=%d: %.0f page faults per timed step; peak RSS %.0f MB after the warm-up, %.0f MB after %d more steps",
                   count, timing.faultsPerStep, Double(timing.peakAfterWarmup) / 1e6, Double(timing.peakAfterSteps) / 1e6, steps))
      print(String(format: "dance threads=%d: eval forward median %.1f ms (min %.1f), convolutions on %@", count,
                   timing.evalMedian, timing.evalMin, ConvolutionBackend.description))
      guard let torch else { continue }
      guard let output = torch.run(threads: count) else { print("torch threads=\(count)\(label): the script failed"); continue }
      print(output.line)
      reference.append((output.trainMedian, output.evalMedian))
    }
    let danceTrain = median(dance.map(\.median)), danceEval = median(dance.map(\.evalMedian))
    if rounds > 1 {
      print(String(format: "dance threads=%d over %d rounds: train step %.1f ms, eval forward %.1f ms (medians of the rounds' medians)",
                   count, rounds, danceTrain, danceEval))
    }
    let torchTrain = reference.compactMap(\.train), torchEval = reference.compactMap(\.eval)
    if rounds > 1 && !torchTrain.isEmpty {
      print(String(format: "torch threads=%d over %d rounds: train step %.1f ms, eval forward %.1f ms", count, torchTrain.count,
                   median(torchTrain), median(torchEval)))
    }
    let plural = count == 1 ? "" : "s"
    if !torchTrain.isEmpty {
      print(String(format: "ratio dance/torch at %d thread%@: train step %.2f", count, plural, danceTrain / median(torchTrain)))
    }
    if !torchEval.isEmpty {
      print(String(format: "ratio dance/torch at %d thread%@: eval forward %.2f", count, plural, danceEval / median(torchEval)))
    }
  }

  /// OpenBLAS 0.3.21 does not know recent Xeons (e.g. model 207) and falls back to its SSE3
  /// `Prescott` kernels. When that happened on a CPU with AVX-512 and `OPENBLAS_CORETYPE` is unset,
  /// runs this benchmark again as a child with `OPENBLAS_CORETYPE=SkylakeX`, says so, and returns
  /// its exit status; otherwise returns nil.
  private func rerunWithKnownCoretype() -> Int32? {
    let environment = ProcessInfo.processInfo.environment
    guard environment["OPENBLAS_CORETYPE"] == nil, BLASThreads.coreName == "Prescott",
          let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8), cpuinfo.contains(" avx512f ")
    else { return nil }
    print("OpenBLAS picked its Prescott (SSE3) kernels on this AVX-512 CPU; re-running with OPENBLAS_CORETYPE=SkylakeX "
          + "(pass --keep-coretype to measure the fallback)")
    fflush(nil)  // print() is buffered when stdout is a pipe; the child writes to the same descriptor
    let process = Process()
    guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = Array(CommandLine.arguments.dropFirst())
    var child = environment
    child["OPENBLAS_CORETYPE"] = "SkylakeX"
    process.environment = child
    do { try process.run() } catch { return nil }
    process.waitUntilExit()
    return process.terminationStatus
  }

  /// Times the training steps, then evaluation forward passes.
  private func measure() -> StepTiming {
    var generator = SplitMix(seed: 0)
    let network: any Layer = deeplab
      ? DeepLab(DeepLabConfiguration(), generator: &generator) : ReferenceNetwork(classes: 19, generator: &generator)
    let input = Tensor.randomNormal(shape: [batch, 3, 128, 256], using: &generator)
    let labels: [Int32] = (0..<batch * 128 * 256).map { index in
      (index / 256) % 128 >= 118 ? 255 : Int32.random(in: 0..<19, using: &generator)
    }
    let optimizer = SGD(parameters: network.parameters, learningRate: 0.01, momentum: 0.9)
    var loss = SoftmaxCrossEntropy(ignoreIndex: 255)
    var totals: [Double] = [], forwards: [Double] = [], backwards: [Double] = [], updates: [Double] = []
    var lastLoss: Float = 0
    var warmedUp = ResourceUsage.current
    for step in 0..<(warmup + steps) {
      if step == warmup { warmedUp = .current }
      let t0 = DispatchTime.now().uptimeNanoseconds
      optimizer.zeroGrad()
      let logits = network.forward(input)
      lastLoss = loss.forward(logits: logits, labels: labels)
      let t1 = DispatchTime.now().uptimeNanoseconds
      _ = network.backward(loss.backward())
      let cached = network.forwardCacheBytes
      network.discardForwardCache()
      loss.discardForwardCache()
      let t2 = DispatchTime.now().uptimeNanoseconds
      optimizer.step()
      let t3 = DispatchTime.now().uptimeNanoseconds
      if traceMemory { printMemory(step: step, cached: cached) }
      if step >= warmup {
        totals.append(Double(t3 - t0) / 1e6)
        forwards.append(Double(t1 - t0) / 1e6)
        backwards.append(Double(t2 - t1) / 1e6)
        updates.append(Double(t3 - t2) / 1e6)
      }
    }
    let trained = ResourceUsage.current
    network.isTraining = false
    var evaluations: [Double] = []
    for step in 0..<(warmup + steps) {
      let t0 = DispatchTime.now().uptimeNanoseconds
      _ = network.forward(input)
      if step >= warmup { evaluations.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) }
    }
    return StepTiming(
      median: median(totals), min: totals.min() ?? 0, forward: median(forwards), backward: median(backwards),
      update: median(updates), loss: lastLoss, evalMedian: median(evaluations), evalMin: evaluations.min() ?? 0,
      faultsPerStep: Double(trained.minorFaults - warmedUp.minorFaults) / Double(max(1, steps)),
      peakAfterWarmup: warmedUp.peakResidentBytes, peakAfterSteps: trained.peakResidentBytes)
  }
}

/// One line of `--trace-memory`: the step, the resident size now (`/proc/self/statm`), the peak so
/// far (`getrusage`), what glibc's malloc has handed out and holds (`mallinfo2`), and what the
/// layers kept from the forward pass for the backward pass (`cached`), in MB: live allocations that
/// stay flat while the resident size grows mean fragmentation, not a leak.
private func printMemory(step: Int, cached: Int) {
  let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
  let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
  let resident = Double(pages * Int(sysconf(Int32(_SC_PAGESIZE)))) / 1e6
  let info = mallinfo2()
  print(String(format: "step %d: resident %.1f MB, peak %.1f MB, malloc live %.1f MB (mmapped %.1f), heap %.1f MB, forward cache %.1f MB", step, resident,
               Double(ResourceUsage.current.peakResidentBytes) / 1e6, Double(info.uordblks + info.hblkhd) / 1e6,
               Double(info.hblkhd) / 1e6, Double(info.arena) / 1e6, Double(cached) / 1e6))
}

/// One thread count's measurements; times in milliseconds.
private struct StepTiming {
  var median, min, forward, backward, update: Double
  var loss: Float
  var evalMedian, evalMin: Double
  /// Minor page faults per timed training step: zero when the step reuses freed memory.
  var faultsPerStep: Double
  /// Peak resident bytes after the warm-up steps and after the timed ones.
  var peakAfterWarmup, peakAfterSteps: Int
}

/// The process's page faults and peak resident size so far (`getrusage`).
private struct ResourceUsage {
  var minorFaults: Int
  var peakResidentBytes: Int

  static var current: ResourceUsage {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return ResourceUsage(minorFaults: usage.ru_minflt, peakResidentBytes: usage.ru_maxrss * 1024)
  }
}

/// `1,2` → `[1, 2]`: the thread counts a case measures; refuses anything but positive integers.
func threadCounts(_ list: String) throws -> [Int] {
  let counts = list.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
  guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads must list positive integers") }
  return counts
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return 0 }
  return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

/// The PyTorch reference script, run as a child process.
private struct TorchReference {
  let python: String
  let script: String
  let deeplab: Bool

  /// Nil when `python -c 'import torch'` fails or the script is missing.
  init?(python: String, script: String, deeplab: Bool) {
    self.python = python
    self.script = script
    self.deeplab = deeplab
    guard FileManager.default.fileExists(atPath: script), Self.execute(python, ["-c", "import torch"]) != nil else { return nil }
  }

  /// Runs the script with `threads`; returns its last line and the parsed train-step and
  /// evaluation-forward medians.
  func run(threads: Int) -> (line: String, trainMedian: Double?, evalMedian: Double?)? {
    guard let output = Self.execute(python, [script, String(threads)] + (deeplab ? ["deeplab"] : [])) else { return nil }
    let line = output.split(separator: "\n").last.map(String.init) ?? ""
    func number(after marker: String) -> Double? {
      line.range(of: marker).flatMap { Double(line[$0.upperBound...].prefix { $0.isNumber || $0 == "." }) }
    }
    return (line, number(after: "train step median "), number(after: "eval fwd (no_grad) median "))
  }

  /// Runs `executable` found on PATH with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its
  /// environment; returns standard output, or nil if it could not start or exited non-zero.
  static func execute(_ executable: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_CORETYPE"] = nil
    environment["OPENBLAS_L2_SIZE"] = nil
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
  }
}
