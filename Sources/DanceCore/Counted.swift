/// `1 shard`, `2 shards`, `0 samples`: a count with its noun in the singular or the plural, for
/// every message and report line that counts something.
/// - Parameter plural: the plural when it is not the singular plus `s` (`entries`, `classes`).
public func counted(_ count: Int, _ singular: String, plural: String? = nil) -> String {
  "\(count) " + (count == 1 ? singular : plural ?? singular + "s")
}
