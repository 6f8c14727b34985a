import ArgumentParser

/// The `dance` command: segmentation-dataset preparation following DANCE.
@main
struct Dance: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dance",
    abstract: "Prepare slimmed segmentation datasets (DANCE: data-network co-optimization).",
    discussion: """
      Exit codes: 0 success; 1 the run failed; 2 bad usage or configuration; \
      3 the run finished but some samples failed.
      """,
    version: "0.1.0",
    subcommands: [Inspect.self]
  )
}
