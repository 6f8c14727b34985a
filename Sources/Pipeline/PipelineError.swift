public import Catalog
public import Datasets

/// Why a pipeline job could not run; wraps the failing stage's typed error, which names the path.
public enum PipelineError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The dataset layout or configuration is unusable.
  case dataset(DatasetError)
  /// The catalog could not be read or written.
  case catalog(CatalogError)

  /// The wrapped error's `"<path>: <reason>"`.
  public var description: String {
    switch self {
    case .dataset(let error): error.description
    case .catalog(let error): error.description
    }
  }
}
