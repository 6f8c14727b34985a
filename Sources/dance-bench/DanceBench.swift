import ArgumentParser
internal import CMalloc

/// `dance-bench`: the measurements behind `make bench`. Each case is a subcommand that prints what
/// it measured, on which data and with how many threads.
@main
struct DanceBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dance-bench",
    abstract: "Benchmarks for Dance (run through `make bench`).",
    subcommands: [DecodeBenchmark.self, PNGBenchmark.self, ScoreBenchmark.self, TrainStepBenchmark.self, ConvLayersBenchmark.self, SlimBenchmark.self]
  )

  @Flag(help: "Print the name of every benchmark case, one per line, and exit.")
  var listCases = false

  /// Runs the chosen case with the same malloc setting as the `dance` executable (freed memory kept
  /// for reuse; see `keepFreedMemoryForReuse` in Dance.swift), so in-process measurements match
  /// what `dance` does.
  static func main() {
    _ = cmalloc_keep_freed_memory()
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
