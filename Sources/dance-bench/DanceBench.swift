import ArgumentParser

/// `dance-bench`: the measurements behind `make bench`. Each case is a subcommand that prints what
/// it measured, on which data and with how many threads.
@main
struct DanceBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dance-bench",
    abstract: "Benchmarks for Dance (run through `make bench`).",
    subcommands: [DecodeBenchmark.self, ScoreBenchmark.self, TrainStepBenchmark.self, SlimBenchmark.self]
  )

  @Flag(help: "Print the name of every benchmark case, one per line, and exit.")
  var listCases = false

  func run() throws {
    guard listCases else { throw CleanExit.helpRequest(self) }
    for command in Self.configuration.subcommands {
      print(command.configuration.commandName ?? command._commandName)
    }
  }
}
