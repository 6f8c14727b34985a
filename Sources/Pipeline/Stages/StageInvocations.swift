import Foundation
import Synchronization

/// How many times each stage has run against each catalog in this process: a diagnostic that
/// shows what a command really ran (the tests check that `dance slim` and `dance run` scan once
/// and score once).
public enum StageInvocations {
  /// A stage that reads or writes the catalog.
  public enum Stage: String, Sendable, CaseIterable {
    /// ``DatasetScanner/scan(root:discovery:options:context:catalog:)``.
    case scan
    /// ``ScoreJob/run(_:datasetRoot:context:catalog:)``.
    case score
    /// ``SlimJob/run(root:outputDirectory:options:partition:context:catalog:)``.
    case slim
  }

  private static let counts = Mutex<[String: Int]>([:])

  /// How many times `stage` ran against the catalog at `catalogPath` (standardised).
  public static func count(_ stage: Stage, catalogPath: String) -> Int {
    counts.withLock { $0[key(stage, catalogPath)] ?? 0 }
  }

  /// Counts one run of `stage` against `catalogPath`.
  static func record(_ stage: Stage, catalogPath: String) {
    counts.withLock { $0[key(stage, catalogPath), default: 0] += 1 }
  }

  private static func key(_ stage: Stage, _ path: String) -> String {
    stage.rawValue + " " + URL(fileURLWithPath: path).standardizedFileURL.path
  }
}
