public import Catalog
public import DanceCore
import Datasets
import Foundation
public import OutputStore

/// One of `count` disjoint parts of a dataset, so any number of processes (a Slurm array, a
/// Kubernetes Indexed Job) can slim a dataset together.
///
/// Every partition plans the whole split from the same scores, so each knows the split's kept
/// samples; they are ordered by a well-mixed hash of the key and dealt out in turn, which gives
/// every part its share to within one sample, whatever the keys look like.
public struct Partition: Sendable, Equatable, Codable {
  /// How the samples are divided among the parts (recorded in the output's configuration).
  public typealias Scheme = PartitionScheme

  /// This part, `0..<count`.
  public var index: Int
  /// The number of parts.
  public var count: Int
  /// How samples are divided.
  public var scheme: Scheme

  /// Creates a partition; `index` must be in `0..<count`.
  public init(index: Int, count: Int, scheme: Scheme = .dealtByMixedHash) throws(PipelineError) {
    guard count >= 1, (0..<count).contains(index) else {
      throw .nothingToDo(reason: "partition \(index)/\(count) does not exist: in i/N, N must be at least 1 and i 0 to N−1")
    }
    self.index = index
    self.count = count
    self.scheme = scheme
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

  /// The keys of `keys` (one split's kept samples, the same list in every part) that this part writes.
  public func members(of keys: [SampleKey]) -> Set<SampleKey> {
    switch scheme {
    case .fnv1aModulo:
      return Set(keys.filter { Int(stableHash($0.rawValue) % UInt64(count)) == index })
    case .dealtByMixedHash:
      let ordered = keys.map { (hash: SplitMix.mix(stableHash($0.rawValue)), key: $0) }.sorted { ($0.hash, $0.key) < ($1.hash, $1.key) }
      return Set(stride(from: index, to: ordered.count, by: count).map { ordered[$0].key })
    }
  }

  /// `part1of3`.
  public var name: String { outputPartition.name }

  /// `1/3`.
  public var text: String { "\(index)/\(count)" }

  /// The partition as the catalog records it: the one place a `Partition` becomes an `OutputPartition`.
  public var outputPartition: OutputPartition { OutputPartition(index: index, count: count) }

  /// The partition's catalog file, inside the output directory.
  public var catalogFileName: String { outputPartition.catalogFileName }
}
