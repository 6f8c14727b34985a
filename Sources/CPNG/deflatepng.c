// PNG encoding with libdeflate: the rows filtered here, the filtered bytes compressed in one
// libdeflate_zlib_compress call, and the chunks (signature, IHDR, one IDAT, IEND) written here with
// libdeflate's CRC-32. libdeflate compresses several times faster than zlib at its fast levels, for
// files of about the same size, and its output depends only on the input and the level.
#include "CPNG.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

static void cpng_copy(char *dst, const char *src) {
  if (dst == NULL) return;
  strncpy(dst, src, CPNG_MESSAGE_CAPACITY - 1);
  dst[CPNG_MESSAGE_CAPACITY - 1] = '\0';
}

static void cpng_put_be32(uint8_t *p, uint32_t value) {
  p[0] = (uint8_t)(value >> 24);
  p[1] = (uint8_t)(value >> 16);
  p[2] = (uint8_t)(value >> 8);
  p[3] = (uint8_t)value;
}

// Bytes before the compressed data: signature, IHDR chunk, IDAT length and type.
#define CPNG_HEAD_BYTES (8 + 25 + 8)
// Bytes after it: IDAT CRC and the IEND chunk.
#define CPNG_TAIL_BYTES (4 + 12)

static inline uint8_t cpng_paeth_predict(int a, int b, int c) {
  int p = a + b - c;
  int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  if (pa <= pb && pa <= pc) return (uint8_t)a;
  return (uint8_t)(pb <= pc ? b : c);
}

// Filters one row of `row_bytes` bytes with `filter` (0-4) into `out` (the filter-type byte, then
// the filtered bytes). `previous` is the row above, NULL for the first row.
static void cpng_filter_row(const uint8_t *row, const uint8_t *previous, uint8_t *out, size_t row_bytes, int bpp,
                            int filter) {
  out[0] = (uint8_t)filter;
  uint8_t *dst = out + 1;
  size_t x;
  switch (filter) {
    case 1:
      for (x = 0; x < row_bytes && x < (size_t)bpp; x++) dst[x] = row[x];
      for (; x < row_bytes; x++) dst[x] = (uint8_t)(row[x] - row[x - bpp]);
      break;
    case 2:
      for (x = 0; x < row_bytes; x++) dst[x] = (uint8_t)(row[x] - (previous ? previous[x] : 0));
      break;
    case 3:
      for (x = 0; x < row_bytes; x++) {
        int left = x >= (size_t)bpp ? row[x - bpp] : 0;
        int up = previous ? previous[x] : 0;
        dst[x] = (uint8_t)(row[x] - ((left + up) >> 1));
      }
      break;
    case 4:
      for (x = 0; x < row_bytes; x++) {
        int left = x >= (size_t)bpp ? row[x - bpp] : 0;
        int up = previous ? previous[x] : 0;
        int corner = previous && x >= (size_t)bpp ? previous[x - bpp] : 0;
        dst[x] = (uint8_t)(row[x] - cpng_paeth_predict(left, up, corner));
      }
      break;
    default:
      memcpy(dst, row, row_bytes);
  }
}

// libpng's heuristic for its adaptive choice: the filter whose output, read as signed bytes, has
// the smallest sum of magnitudes. `trial` holds row_bytes + 1 bytes.
static void cpng_filter_row_adaptive(const uint8_t *row, const uint8_t *previous, uint8_t *out, uint8_t *trial,
                                     size_t row_bytes, int bpp) {
  uint64_t best = UINT64_MAX;
  for (int filter = 0; filter <= 4; filter++) {
    cpng_filter_row(row, previous, trial, row_bytes, bpp, filter);
    uint64_t sum = 0;
    for (size_t x = 1; x <= row_bytes; x++) sum += trial[x] < 128 ? trial[x] : 256 - trial[x];
    if (sum < best) {
      best = sum;
      memcpy(out, trial, row_bytes + 1);
    }
  }
}

size_t cpng_deflate_encode_bound(uint32_t width, uint32_t height, int channels, int bit_depth) {
  size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
  size_t filtered = (row_bytes + 1) * (size_t)height;
  // libdeflate's bound for any level (it does not depend on the compressor's level in practice,
  // but the API takes one; NULL asks for the bound of every level).
  return CPNG_HEAD_BYTES + libdeflate_zlib_compress_bound(NULL, filtered) + CPNG_TAIL_BYTES;
}

size_t cpng_deflate_scratch_bytes(uint32_t width, uint32_t height, int channels, int bit_depth) {
  size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
  // The filtered rows, then three rows: two big-endian copies of 16-bit rows and a trial row.
  return (row_bytes + 1) * (size_t)height + 3 * (row_bytes + 1);
}

int cpng_deflate_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                        int level, int filter, uint8_t *scratch, size_t scratch_capacity, uint8_t *out,
                        size_t out_capacity, size_t *out_size, char *message) {
  static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  static const uint8_t color_types[5] = {0, 0, 4, 2, 6};
  *out_size = 0;
  if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0 ||
      width > 0x7fffffffu || height > 0x7fffffffu || filter < -1 || filter > 4 || level < 0 || level > 12) {
    cpng_copy(message, "unsupported channel count, bit depth, size, filter or level");
    return CPNG_ERROR;
  }
  size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
  size_t filtered_bytes = (row_bytes + 1) * (size_t)height;
  if (scratch_capacity < cpng_deflate_scratch_bytes(width, height, channels, bit_depth) ||
      out_capacity < cpng_deflate_encode_bound(width, height, channels, bit_depth)) {
    cpng_copy(message, "encode buffer too small");
    return CPNG_ERROR;
  }
  int bpp = channels * (bit_depth / 8);
  uint8_t *filtered = scratch;
  uint8_t *spare = scratch + filtered_bytes;
  uint8_t *swapped[2] = {spare, spare + row_bytes + 1};  // this row and the one above, big-endian
  uint8_t *trial = spare + 2 * (row_bytes + 1);
  const uint8_t *previous = NULL;
  for (uint32_t y = 0; y < height; y++) {
    const uint8_t *row = pixels + (size_t)y * row_bytes;
    if (bit_depth == 16) {
      // PNG stores 16-bit samples big-endian; the caller's are native (little-endian here).
      uint8_t *copy = swapped[y % 2];
      for (size_t x = 0; x + 1 < row_bytes; x += 2) {
        uint16_t sample;
        memcpy(&sample, row + x, 2);
        copy[x] = (uint8_t)(sample >> 8);
        copy[x + 1] = (uint8_t)sample;
      }
      row = copy;
    }
    uint8_t *target = filtered + (size_t)y * (row_bytes + 1);
    if (filter < 0) {
      cpng_filter_row_adaptive(row, previous, target, trial, row_bytes, bpp);
    } else {
      cpng_filter_row(row, previous, target, row_bytes, bpp, filter);
    }
    previous = row;
  }

  struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(level == 0 ? 0 : level);
  if (compressor == NULL) {
    cpng_copy(message, "out of memory");
    return CPNG_NO_MEMORY;
  }
  uint8_t *idat = out + CPNG_HEAD_BYTES;
  size_t available = out_capacity - CPNG_HEAD_BYTES - CPNG_TAIL_BYTES;
  size_t compressed = libdeflate_zlib_compress(compressor, filtered, filtered_bytes, idat, available);
  libdeflate_free_compressor(compressor);
  if (compressed == 0) {
    cpng_copy(message, "libdeflate could not compress the image data");
    return CPNG_ERROR;
  }
  if (compressed > 0x7fffffffu) {
    cpng_copy(message, "image data too large for one IDAT chunk");
    return CPNG_ERROR;
  }

  memcpy(out, signature, 8);
  uint8_t *ihdr = out + 8;
  cpng_put_be32(ihdr, 13);
  memcpy(ihdr + 4, "IHDR", 4);
  cpng_put_be32(ihdr + 8, width);
  cpng_put_be32(ihdr + 12, height);
  ihdr[16] = (uint8_t)bit_depth;
  ihdr[17] = color_types[channels];
  ihdr[18] = 0;  // deflate
  ihdr[19] = 0;  // adaptive filtering (filter method 0)
  ihdr[20] = 0;  // not interlaced
  cpng_put_be32(ihdr + 21, libdeflate_crc32(0, ihdr + 4, 17));
  uint8_t *idat_head = out + 8 + 25;
  cpng_put_be32(idat_head, (uint32_t)compressed);
  memcpy(idat_head + 4, "IDAT", 4);
  cpng_put_be32(idat + compressed, libdeflate_crc32(0, idat_head + 4, 4 + compressed));
  uint8_t *iend = idat + compressed + 4;
  cpng_put_be32(iend, 0);
  memcpy(iend + 4, "IEND", 4);
  cpng_put_be32(iend + 8, libdeflate_crc32(0, iend + 4, 4));
  *out_size = CPNG_HEAD_BYTES + compressed + CPNG_TAIL_BYTES;
  return CPNG_OK;
}
