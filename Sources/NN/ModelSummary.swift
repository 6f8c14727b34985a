/// One leaf layer of a model summary.
public struct SummaryRow: Codable, Sendable, Equatable {
  /// The PyTorch-style path of the layer, e.g. `backbone.layer1.conv1`.
  public var name: String
  /// The layer type and its hyper-parameters.
  public var kind: String
  /// The output shape `[N, C, H, W]`.
  public var outputShape: [Int]
  /// The trainable scalars of this layer.
  public var parameters: Int
  /// Forward floating-point operations (a multiply-add counts as 2).
  public var flops: Int

  enum CodingKeys: String, CodingKey {
    case name, kind, parameters, flops
    case outputShape = "output_shape"
  }

  /// Creates a row.
  public init(name: String, kind: String, outputShape: [Int], parameters: Int, flops: Int) {
    self.name = name
    self.kind = kind
    self.outputShape = outputShape
    self.parameters = parameters
    self.flops = flops
  }
}

/// Every leaf layer of a model for one input shape, with parameter and FLOP totals.
public struct ModelSummary: Codable, Sendable, Equatable {
  /// The model's description (its configuration).
  public var model: String
  /// The input shape `[N, C, H, W]`.
  public var inputShape: [Int]
  /// The output shape.
  public var outputShape: [Int]
  /// One row per leaf layer, in forward order.
  public var rows: [SummaryRow]
  /// The sum of the rows' parameters.
  public var totalParameters: Int
  /// The sum of the rows' forward FLOPs.
  public var totalFLOPs: Int

  enum CodingKeys: String, CodingKey {
    case model, rows
    case inputShape = "input_shape"
    case outputShape = "output_shape"
    case totalParameters = "total_parameters"
    case totalFLOPs = "total_flops"
  }

  /// Summarises `model` for an input of `inputShape`.
  public init(_ layer: any Layer, inputShape: [Int], model: String) {
    var rows: [SummaryRow] = []
    outputShape = layer.summarize(inputShape, name: "", into: &rows)
    self.model = model
    self.inputShape = inputShape
    self.rows = rows
    totalParameters = rows.reduce(0) { $0 + $1.parameters }
    totalFLOPs = rows.reduce(0) { $0 + $1.flops }
  }

  /// A fixed-width text table: layer, type, output shape, parameters, forward FLOPs, then totals.
  public func table() -> String {
    func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }
    let header = ["layer", "type", "output", "params", "FLOPs"]
    let body = rows.map { [$0.name, $0.kind, shape($0.outputShape), grouped($0.parameters), grouped($0.flops)] }
    let footer = ["total", "", shape(outputShape), grouped(totalParameters), grouped(totalFLOPs)]
    let all = [header] + body + [footer]
    let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        let pad = String(repeating: " ", count: widths[index] - cell.count)
        return index >= 3 ? pad + cell : cell + pad
      }.joined(separator: "  ")
    }
    let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
    var text = "\(model)\ninput \(shape(inputShape))\n\(line(header))\n\(rule)\n"
    for row in body { text += line(row) + "\n" }
    text += rule + "\n" + line(footer) + "\n"
    text += "forward \(scaled(totalFLOPs))FLOPs, \(grouped(totalParameters)) parameters\n"
    return text
  }
}

extension Layer {
  /// The forward FLOPs of this layer for an input of `inputShape` (a multiply-add counts as 2).
  public func forwardFLOPs(inputShape: [Int]) -> Int {
    var rows: [SummaryRow] = []
    _ = summarize(inputShape, name: "", into: &rows)
    return rows.reduce(0) { $0 + $1.flops }
  }
}

private func grouped(_ value: Int) -> String {
  let digits = String(value)
  var out = ""
  for (index, character) in digits.reversed().enumerated() {
    if index > 0 && index % 3 == 0 { out.append(",") }
    out.append(character)
  }
  return String(out.reversed())
}

/// `value` with one decimal and a G, M or k prefix, e.g. `8.1 G`.
private func scaled(_ value: Int) -> String {
  let (unit, prefix) = value >= 1_000_000_000 ? (1_000_000_000, "G") : value >= 1_000_000 ? (1_000_000, "M") : (1_000, "k")
  let tenths = (value * 10 + unit / 2) / unit
  return "\(tenths / 10).\(tenths % 10) \(prefix)"
}
