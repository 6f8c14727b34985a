public import DanceCore
import Foundation
import ImageCodecs
public import Slimming

/// What a slimmed output depends on: a rerun with an equal fingerprint resumes, another is refused.
///
/// Its canonical JSON (``canonicalJSON()``: keys sorted, nothing else) is what the catalog's output
/// row and the manifest's `configuration_sha256` record; the manifest stores it as a JSON object.
/// Optional fields are left out when absent, so that fingerprints of outputs written before they
/// existed stay equal.
public struct SlimFingerprint: Codable, Sendable, Equatable {
  /// The dataset root, standardised.
  public var root: String
  /// The slimming policy.
  public var policy: SlimmingPolicy
  /// `indicator@variant`, with `;ranked-by-lower-value` for an indicator whose higher values mean simpler.
  public var indicator: String
  /// The loss-weight scheme.
  public var weights: WeightScheme
  /// The splits that are slimmed (the others are kept whole).
  public var slimmedSplits: [DatasetSplit]
  /// Stored sides are multiples of this.
  public var align: Int
  /// How images and labels are stored.
  public var output: SlimOutputOptions
  /// The shard size limit in bytes, if any.
  public var shardMaxBytes: Int?
  /// The shard sample limit, if any.
  public var shardMaxSamples: Int?
  /// Absent (so older fingerprints stay equal) unless the output is a random-assignment control.
  public var randomAssignmentSeed: UInt64?
  /// Absent unless the plan ranks within groups or the budget may not drop (older fingerprints stay equal).
  public var planning: PlanningOptions?
  /// How a partition's samples were chosen: absent for a whole output, and for partitions written
  /// before issue 26, so that their fingerprints stay equal.
  public var partitionScheme: String?

  /// Creates a fingerprint from its fields.
  public init(
    root: String, policy: SlimmingPolicy, indicator: String, weights: WeightScheme, slimmedSplits: [DatasetSplit], align: Int,
    output: SlimOutputOptions, shardMaxBytes: Int?, shardMaxSamples: Int?, randomAssignmentSeed: UInt64?, planning: PlanningOptions?,
    partitionScheme: String?
  ) {
    self.root = root
    self.policy = policy
    self.indicator = indicator
    self.weights = weights
    self.slimmedSplits = slimmedSplits
    self.align = align
    self.output = output
    self.shardMaxBytes = shardMaxBytes
    self.shardMaxSamples = shardMaxSamples
    self.randomAssignmentSeed = randomAssignmentSeed
    self.planning = planning
    self.partitionScheme = partitionScheme
  }

  /// Reads a fingerprint back from its canonical JSON.
  public init(canonicalJSON text: String) throws {
    self = try JSONDecoder().decode(Self.self, from: Data(text.utf8))
  }

  /// The canonical JSON: keys sorted, slashes escaped as `JSONEncoder` escapes them (the form the
  /// catalog and every manifest's `configuration_sha256` have always recorded).
  /// - Throws: `EncodingError` for a value JSON cannot hold (a non-finite policy parameter).
  public func canonicalJSON() throws -> String { try CanonicalJSON.text(self) }

  /// ``canonicalJSON()`` for the output at `directory`.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` naming `directory` when it cannot be encoded.
  public func canonicalJSON(for directory: String) throws(OutputStoreError) -> String {
    do { return try canonicalJSON() } catch { throw .invalid(path: directory, reason: "cannot encode the configuration: \(error)") }
  }

  /// The name of the partition scheme a recorded configuration names, as recorded; none is the
  /// one before issue 26 (``PartitionScheme/fnv1aModulo``).
  static func partitionSchemeName(of configuration: String) -> String {
    struct Recorded: Decodable { var partitionScheme: String? }
    let recorded = try? JSONDecoder().decode(Recorded.self, from: Data(configuration.utf8))
    return recorded?.partitionScheme ?? PartitionScheme.fnv1aModulo.rawValue
  }

  /// The partition scheme a recorded configuration names; none is the one before issue 26.
  /// - Throws: ``OutputStoreError/invalid(path:reason:)`` naming `path` (where the configuration
  ///   is recorded) and the scheme, when this Dance does not know it.
  public static func partitionScheme(of configuration: String, recordedIn path: String) throws(OutputStoreError) -> PartitionScheme {
    let name = partitionSchemeName(of: configuration)
    guard let scheme = PartitionScheme(rawValue: name) else {
      let known = PartitionScheme.allCases.map(\.rawValue).joined(separator: ", ")
      throw .invalid(path: path, reason: "the output's configuration names the partition scheme '\(name)', which this Dance does not know (it knows \(known))")
    }
    return scheme
  }

  /// The refusal of an output recorded with the configuration `recorded` when `given` was asked
  /// for, naming what differs (and a changed partition scheme).
  public static func refusal(_ directory: String, recorded: String, given: String) -> OutputStoreError {
    let differences = ConfigurationDifference.phrases(recorded: recorded, given: given)
    let schemes = (partitionSchemeName(of: recorded), partitionSchemeName(of: given))
    var hint = schemes.0 == schemes.1 ? "" : "; its partitions were chosen by \(schemes.0), this Dance deals them out by \(schemes.1)"
    if let old = try? SlimFingerprint(canonicalJSON: recorded), let new = try? SlimFingerprint(canonicalJSON: given),
      old.output.pngDeflater == .zlib, new.output.pngDeflater != .zlib
    {
      let output = old.output  // zlib was the only deflater, and the default, before issue 29
      hint += "; it was deflated by zlib: --png-deflater zlib --png-filter \(output.pngFilter.rawValue) --png-level \(output.pngLevel) resume it"
    }
    return .refused(
      path: directory,
      reason: "was written with another configuration (\(differences.joined(separator: "; "))\(hint)); "
        + "rerun with the same options to resume, or pass --overwrite to replace it")
  }
}

/// How the samples are divided among the parts.
public enum PartitionScheme: String, Sendable, Codable, CaseIterable {
  /// The kept samples of a split, ordered by SplitMix64's finaliser over the key's 64-bit
  /// FNV-1a hash (ties by key), dealt out in turn: part `i` gets positions `i`, `i + N`, ….
  case dealtByMixedHash = "dealt-by-mixed-hash"
  /// Before issue 26: a sample belongs to part `FNV-1a(key) mod N`. FNV-1a's low bits are
  /// poorly mixed (for N = 2 the part is the parity of the key's odd bytes), so parts could be
  /// empty. Outputs written so stay readable; new partitions never use it, and `dance catalog
  /// merge` refuses to join parts of both schemes.
  case fnv1aModulo = "fnv1a-modulo"
}
