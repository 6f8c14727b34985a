public import ImageCodecs

/// A 5×7 pixel font for the printable ASCII characters, for the labels Dance draws into images
/// (the class legend of `dance predict`). Characters outside printable ASCII are drawn as `?`.
public enum BitmapFont {
  /// A glyph's width in font pixels; glyphs advance by one more.
  public static let glyphWidth = 5
  /// A glyph's height in font pixels.
  public static let glyphHeight = 7

  /// The rows of each glyph from space (0x20) to tilde (0x7E), top first: 7 bytes in hex, the
  /// low 5 bits of each a row, the most significant of them the leftmost pixel.
  private static let glyphs: [String] = [
    "00000000000000", "04040404040004", "0A0A0A00000000", "0A0A1F0A1F0A0A", "040F140E051E04", "18190204081303", "0C12140815120D", "0C040800000000",
    "02040808080402", "08040202020408", "0004150E150400", "0004041F040400", "000000000C0408", "0000001F000000", "00000000000C0C", "00010204081000",
    "0E11131519110E", "040C040404040E", "0E11010204081F", "1F02040201110E", "02060A121F0202", "1F101E0101110E", "0608101E11110E", "1F010204080808",
    "0E11110E11110E", "0E11110F01020C", "000C0C000C0C00", "000C0C000C0408", "02040810080402", "00001F001F0000", "08040201020408", "0E110102040004",
    "0E11010D15150E", "0E1111111F1111", "1E11111E11111E", "0E11101010110E", "1C12111111121C", "1F10101E10101F", "1F10101E101010", "0E11101711110F",
    "1111111F111111", "0E04040404040E", "0702020202120C", "11121418141211", "1010101010101F", "111B1515111111", "11111915131111", "0E11111111110E",
    "1E11111E101010", "0E11111115120D", "1E11111E141211", "0F10100E01011E", "1F040404040404", "1111111111110E", "11111111110A04", "1111111515150A",
    "11110A040A1111", "1111110A040404", "1F01020408101F", "0E08080808080E", "00100804020100", "0E02020202020E", "040A1100000000", "0000000000001F",
    "08040200000000", "00000E010F110F", "1010161911111E", "00000E1010110E", "01010D1311110F", "00000E111F100E", "0609081C080808", "000F11110F010E",
    "10101619111111", "04000C0404040E", "0200060202120C", "10101214181412", "0C04040404040E", "00001A15151111", "00001619111111", "00000E1111110E",
    "00001E111E1010", "00000D130F0101", "00001619101010", "00000E100E011E", "08081C08080906", "0000111111130D", "00001111110A04", "0000111115150A",
    "0000110A040A11", "000011110F010E", "00001F0204081F", "02040408040402", "04040404040404", "08040402040408", "00000815020000",
  ]

  /// The 7 rows of `character`'s glyph.
  static func rows(of character: Character) -> [UInt8] {
    let code = character.unicodeScalars.count == 1 ? Int(character.unicodeScalars.first!.value) : 0x3F
    let hex = glyphs[(0x20...0x7E).contains(code) ? code - 0x20 : 0x3F - 0x20]
    return stride(from: 0, to: 14, by: 2).map { offset in
      let start = hex.index(hex.startIndex, offsetBy: offset)
      return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
    }
  }

  /// The width in image pixels of `text` drawn at `scale`.
  public static func width(of text: String, scale: Int) -> Int {
    max(0, text.count * (glyphWidth + 1) - 1) * scale
  }

  /// Draws `text` into an RGB `image` with its top left corner at `(x, y)`, each font pixel a
  /// `scale × scale` square of `color`; what falls outside the image is clipped.
  public static func draw(_ text: String, into image: inout Image8, x: Int, y: Int, scale: Int, color: (UInt8, UInt8, UInt8)) {
    precondition(image.channels == 3 && scale >= 1, "text is drawn into RGB images at a positive scale")
    var left = x
    for character in text {
      for (row, bits) in rows(of: character).enumerated() {
        for column in 0..<glyphWidth where bits >> (glyphWidth - 1 - column) & 1 == 1 {
          fill(&image, x: left + column * scale, y: y + row * scale, width: scale, height: scale, color: color)
        }
      }
      left += (glyphWidth + 1) * scale
    }
  }

  /// Fills a rectangle of an RGB image, clipped to it.
  public static func fill(_ image: inout Image8, x: Int, y: Int, width: Int, height: Int, color: (UInt8, UInt8, UInt8)) {
    let top = max(0, y), bottom = min(image.height, y + height), left = max(0, x), right = min(image.width, x + width)
    guard top < bottom, left < right else { return }
    for row in top..<bottom {
      for column in left..<right {
        let base = (row * image.width + column) * 3
        image.samples[base] = color.0
        image.samples[base + 1] = color.1
        image.samples[base + 2] = color.2
      }
    }
  }
}
