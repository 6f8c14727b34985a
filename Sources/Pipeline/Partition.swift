public import Catalog
import DanceCore
import Datasets
import Foundation

/// One of `count` disjoint parts of a dataset, chosen by a stable hash of the sample key, so any
/// number of processes (a Slurm array, a Kubernetes Indexed Job) can slim a dataset together.
public struct Partition: Sendable, Equatable, Codable {
  /// This part, `0..<count`.
  public var index: Int
  /// The number of parts.
  public var count: Int

  /// Creates a partition; `index` must be in `0..<count`.
  public init(index: Int, count: Int) throws(PipelineError) {
    guard count >= 1, (0..<count).contains(index) else {
      throw .nothingToDo(reason: "partition \(index)/\(count) does not exist: in i/N, N must be at least 1 and i 0 to N−1")
    }
    self.index = index
    self.count = count
  }

  /// `i/N` from the command line.
  public init(parsing text: String) throws(PipelineError) {
    let parts = text.split(separator: "/")
    guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
      throw .nothingToDo(reason: "--partition must look like i/N (e.g. 0/3), got '\(text)'")
    }
    try self.init(index: index, count: count)
  }

  /// The partition an existing scheduler assigns: Slurm job arrays (`SLURM_ARRAY_TASK_ID`, counted
  /// from `SLURM_ARRAY_TASK_MIN`, of `SLURM_ARRAY_TASK_COUNT`) or a Kubernetes Indexed Job
  /// (`JOB_COMPLETION_INDEX`, with the count given by `partitions`); `nil` outside either.
  public static func fromEnvironment(_ environment: [String: String], partitions: Int?) throws(PipelineError) -> Partition? {
    if let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init),
      let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init)
    {
      let minimum = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
      return try Partition(index: id - minimum, count: count)
    }
    if let index = environment["JOB_COMPLETION_INDEX"].flatMap(Int.init) {
      guard let partitions else {
        throw .nothingToDo(reason: "JOB_COMPLETION_INDEX is set: give the number of parts with --partitions N")
      }
      return try Partition(index: index, count: partitions)
    }
    return nil
  }

  /// Whether a sample belongs to this part.
  public func contains(_ key: String) -> Bool { Int(stableHash(key) % UInt64(count)) == index }

  /// `part1of3`.
  public var name: String { "part\(index)of\(count)" }

  /// The partition as the catalog records it: the one place a `Partition` becomes an `OutputPartition`.
  public var outputPartition: OutputPartition { OutputPartition(index: index, count: count) }

  /// The partition's catalog file, inside the output directory.
  public var catalogFileName: String { "catalog.\(name).sqlite" }

  /// The shard prefixes this partition writes (one per split).
  var shardPrefixes: [String] { DatasetSplit.allCases.map { shardPrefix(split: $0.rawValue) } }

  /// `train-part1of3`: shards `train-part1of3-000000.tar`.
  func shardPrefix(split: String) -> String { split + "-" + name }
}
