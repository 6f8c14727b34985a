import Catalog
public import DanceCore
public import Datasets
import Foundation
import ImageCodecs
import Slimming

/// Every training sample of an audit, for the page's sample browser: its indicator values, what
/// the default policy decides for it, and where its image and label files are.
///
/// The page holds this as compact JSON (about 200 bytes per sample, so 4 MB for ADE20K's 20,210
/// training images) and draws 100 rows at a time; pictures are the dataset's own files, shown
/// from the disk (`file://`) only when their row or sample is on screen, never embedded.
public struct SampleBrowser: Sendable, Equatable {
  /// How a sample's label file is shown over its image.
  public enum Overlay: Sendable, Equatable {
    /// A gray label file (stored values), coloured through lookup table `index` of ``lookups``.
    case lookup(Int)
    /// A label file that already holds colours (colour-coded, or palette PNGs), shown as it is.
    case direct
  }

  /// One training sample.
  public struct Row: Sendable, Equatable {
    /// The sample key.
    public var key: SampleKey
    /// Its dataset's root, an index into ``roots``.
    public var root: Int
    /// The image, relative to the root.
    public var image: String
    /// The label file, relative to the root.
    public var label: String?
    /// How the label is shown; nil when it cannot be (no label file, or one unreadable now).
    public var overlay: Overlay?
    /// The default policy's decision (nil when the sample has no ranking score).
    public var keep: Bool?
    /// Its scale, loss weight and percentile rank.
    public var scale: Double?, weight: Double?, rank: Double?
    /// The values of ``SampleBrowser/indicators``, in order.
    public var values: [Double?]
  }

  /// A colour table of a gray label encoding: the class colour of every stored value, black for
  /// ignored and unknown values (as the audit's overlays draw them).
  public struct Lookup: Sendable, Equatable {
    /// The encoding's id, e.g. `cityscapes-labelIds`.
    public var encoding: String
    /// 256 colours, by stored value.
    public var colors: [RGB]
  }

  /// The indicators of the columns.
  public var indicators: [String]
  /// The dataset roots.
  public var roots: [String]
  /// The lookup tables the rows refer to.
  public var lookups: [Lookup]
  /// The training samples, in key order.
  public var rows: [Row]
  /// The policy the decisions come from, as `dance slim` prints it.
  public var policy: String

  /// Creates a browser from its parts.
  public init(indicators: [String], roots: [String], lookups: [Lookup], rows: [Row], policy: String) {
    self.indicators = indicators
    self.roots = roots
    self.lookups = lookups
    self.rows = rows
    self.policy = policy
  }

  /// The training samples of `table` with `plan`'s decisions; each label file's header is read
  /// to tell gray files (coloured through a lookup table) from colour files.
  static func make(
    table: [AuditData.AuditRow], samples: [SampleKey: SampleRecord], datasets: [Int64: DatasetRecord],
    labels: [Int64: DatasetLabels], plan: Plan?, indicators: [String]
  ) -> SampleBrowser {
    var browser = SampleBrowser(
      indicators: indicators, roots: [], lookups: [], rows: [], policy: plan.map { $0.policy.description } ?? "none")
    let decisions = Dictionary(uniqueKeysWithValues: (plan?.decisions ?? []).map { ($0.key, $0) })
    var rootIndex: [String: Int] = [:]
    var lookupIndex: [String: Int] = [:]
    let decoder = ImageDecoder()
    for row in table where row.split == .train {
      guard let sample = samples[row.key], let dataset = datasets[sample.datasetId] else { continue }
      let root = rootIndex[dataset.root] ?? {
        browser.roots.append(dataset.root)
        rootIndex[dataset.root] = browser.roots.count - 1
        return browser.roots.count - 1
      }()
      var overlay: Overlay?
      if let labelPath = sample.labelPath, let datasetLabels = labels[sample.datasetId],
        let header = try? decoder.readHeader(contentsOf: dataset.root + "/" + labelPath)
      {
        if header.channels != 1 {
          overlay = .direct
        } else if header.bitDepth == 8, let encoding = datasetLabels.grayEncoding(forLabelAt: labelPath) {
          let index = lookupIndex[encoding.id] ?? {
            browser.lookups.append(Lookup(encoding: encoding.id, colors: (0...255).map { value in
              encoding.known[value] ? encoding.space.color(of: encoding.lookup[value]) : RGB(0, 0, 0)
            }))
            lookupIndex[encoding.id] = browser.lookups.count - 1
            return browser.lookups.count - 1
          }()
          overlay = .lookup(index)
        }
      }
      let decision = decisions[row.key]
      browser.rows.append(Row(
        key: row.key, root: root, image: sample.imagePath, label: sample.labelPath, overlay: overlay, keep: decision?.keep,
        scale: decision?.scale, weight: decision?.weight, rank: decision?.rank, values: indicators.map { row.values[$0] }))
    }
    browser.rows.sort { $0.key < $1.key }
    return browser
  }
}
