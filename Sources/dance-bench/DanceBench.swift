import ArgumentParser
internal import CMalloc

/// `dance-bench`: the measurements behind `make bench`. Each case is a subcommand that prints what
/// it measured, on which data and with how many threads.
@main
struct DanceBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dance-bench",
    abstract: "Benchmarks for Dance (run through `make bench`).",
    subcommands: [DecodeBenchmark.self, ScoreBenchmark.self, TrainStepBenchmark.self, ConvLayersBenchmark.self, SlimBenchmark.self]
  )

  @Flag(help: "Print the name of every benchmark case, one per line, and exit.")
  var listCases = false

  /// Runs the chosen case with the same malloc setting as the `dance` executable (a fixed 1 MiB mmap
  /// threshold; see `returnLargeBuffersToTheSystem` in Dance.swift), so in-process measurements
  /// match what `dance` does.
  static func main() {
    _ = cmalloc_set_mmap_threshold(1 << 20)
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      exit(withError: error)
    }
  }

  func run() throws {
    guard listCases else { throw CleanExit.helpRequest(self) }
    for command in Self.configuration.subcommands {
      print(command.configuration.commandName ?? command._commandName)
    }
  }
}
