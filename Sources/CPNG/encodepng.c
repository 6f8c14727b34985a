// The ISA-L encoder: 8-bit gray, gray + alpha, RGB or RGBA rows filtered here (one fixed filter, or
// per row the one with the smallest sum of absolute signed bytes, libpng's heuristic), compressed by
// ISA-L's deflate (levels 0-2, three to four times as fast as zlib level 3 with Z_RLE on photographs,
// for the same size within a few per cent) and written as signature, IHDR, one IDAT and IEND. Not
// level 3: ISA-L writes other bytes there with AVX-512 than with AVX2 (levels 0-2 were the same).
// libpng's writer (shim.c) stays the encoder for everything else and for zlib.
#include "CPNG.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Each filter over one row; `previous` is the unfiltered row above (a row of zeros for the first).
// No loop carries a dependency (the predictors read the original samples), so they vectorize.
static void cpng_filter_sub(const uint8_t *row, uint8_t *out, size_t n, int bpp) {
  for (size_t x = 0; x < (size_t)bpp && x < n; x++) out[x] = row[x];
  for (size_t x = (size_t)bpp; x < n; x++) out[x] = (uint8_t)(row[x] - row[x - bpp]);
}

static void cpng_filter_up(const uint8_t *row, const uint8_t *previous, uint8_t *out, size_t n) {
  for (size_t x = 0; x < n; x++) out[x] = (uint8_t)(row[x] - previous[x]);
}

static void cpng_filter_average(const uint8_t *row, const uint8_t *previous, uint8_t *out, size_t n, int bpp) {
  for (size_t x = 0; x < (size_t)bpp && x < n; x++) out[x] = (uint8_t)(row[x] - (previous[x] >> 1));
  for (size_t x = (size_t)bpp; x < n; x++) out[x] = (uint8_t)(row[x] - ((row[x - bpp] + previous[x]) >> 1));
}

static void cpng_filter_paeth(const uint8_t *row, const uint8_t *previous, uint8_t *out, size_t n, int bpp) {
  for (size_t x = 0; x < (size_t)bpp && x < n; x++) out[x] = (uint8_t)(row[x] - previous[x]);  // left = corner = 0
  for (size_t x = (size_t)bpp; x < n; x++) {
    int a = row[x - bpp], b = previous[x], c = previous[x - bpp];
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
    out[x] = (uint8_t)(row[x] - predictor);
  }
}

static void cpng_filter_with(int type, const uint8_t *row, const uint8_t *previous, uint8_t *out, size_t n, int bpp) {
  switch (type) {
    case 1: cpng_filter_sub(row, out, n, bpp); break;
    case 2: cpng_filter_up(row, previous, out, n); break;
    case 3: cpng_filter_average(row, previous, out, n, bpp); break;
    case 4: cpng_filter_paeth(row, previous, out, n, bpp); break;
    default: memcpy(out, row, n);
  }
}

// libpng's measure of a filtered row: the sum of its bytes taken as signed, in absolute value.
// Summed in 32 bits over pieces of 2^24 bytes (each at most 128 · 2^24), which vectorizes.
static uint64_t cpng_row_cost(const uint8_t *bytes, size_t n) {
  uint64_t total = 0;
  for (size_t start = 0; start < n; start += (size_t)1 << 24) {
    size_t end = n - start > ((size_t)1 << 24) ? start + ((size_t)1 << 24) : n;
    uint32_t sum = 0;
    for (size_t x = start; x < end; x++) sum += (uint32_t)abs((int8_t)bytes[x]);
    total += sum;
  }
  return total;
}

int cpng_filter_rows(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int filter, uint8_t *out) {
  if (channels < 1 || channels > 4 || filter < -1 || filter > 4) return CPNG_ERROR;
  size_t n = (size_t)width * (size_t)channels;
  uint8_t *zeros = calloc(n ? n : 1, 1);
  uint8_t *candidate = filter < 0 ? malloc(n ? n : 1) : NULL;
  if (zeros == NULL || (filter < 0 && candidate == NULL)) {
    free(zeros);
    free(candidate);
    return CPNG_NO_MEMORY;
  }
  for (uint32_t y = 0; y < height; y++) {
    const uint8_t *row = pixels + (size_t)y * n;
    const uint8_t *previous = y > 0 ? row - n : zeros;
    uint8_t *target = out + (size_t)y * (n + 1);
    if (filter >= 0) {
      target[0] = (uint8_t)filter;
      cpng_filter_with(filter, row, previous, target + 1, n, channels);
      continue;
    }
    // Ties go to the earlier filter (none, sub, up, average, Paeth), as in libpng.
    uint64_t best = UINT64_MAX;
    for (int type = 0; type <= 4; type++) {
      cpng_filter_with(type, row, previous, candidate, n, channels);
      uint64_t cost = cpng_row_cost(candidate, n);
      if (cost < best) {
        best = cost;
        target[0] = (uint8_t)type;
        memcpy(target + 1, candidate, n);
      }
    }
  }
  free(zeros);
  free(candidate);
  return CPNG_OK;
}

static uint8_t *cpng_put32(uint8_t *p, uint32_t value) {
  p[0] = (uint8_t)(value >> 24);
  p[1] = (uint8_t)(value >> 16);
  p[2] = (uint8_t)(value >> 8);
  p[3] = (uint8_t)value;
  return p + 4;
}

// Closes the chunk whose length field is at `start` (its type and `length` data bytes written).
static uint8_t *cpng_close_chunk(uint8_t *start, uint32_t length) {
  cpng_put32(start, length);
  return cpng_put32(start + 8 + length, libdeflate_crc32(0, start + 4, (size_t)length + 4));
}

// Deflates `filtered` with ISA-L (zlib wrapper, 32 KiB window) into `out`; the compressed size, or 0.
static size_t cpng_isal_deflate(uint8_t *filtered, size_t size, int level, uint8_t *out, size_t capacity) {
  static const uint32_t level_sizes[3] = {0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT};
  struct isal_zstream *stream = malloc(sizeof(struct isal_zstream));
  uint8_t *level_buffer = level > 0 ? malloc(level_sizes[level]) : NULL;
  size_t written = 0;
  if (stream != NULL && (level == 0 || level_buffer != NULL) && size <= UINT32_MAX && capacity <= UINT32_MAX) {
    isal_deflate_init(stream);
    stream->level = (uint32_t)level;
    stream->level_buf = level_buffer;
    stream->level_buf_size = level > 0 ? level_sizes[level] : 0;
    stream->gzip_flag = IGZIP_ZLIB;
    stream->end_of_stream = 1;
    stream->flush = NO_FLUSH;
    stream->next_in = filtered;
    stream->avail_in = (uint32_t)size;
    stream->next_out = out;
    stream->avail_out = (uint32_t)capacity;
    if (isal_deflate_stateless(stream) == COMP_OK) written = stream->total_out;
  }
  free(level_buffer);
  free(stream);
  return written;
}

int cpng_encode_isal(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int level, int filter,
                     uint8_t **out, size_t *out_size, char *message) {
  static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  static const uint8_t color_types[5] = {0, 0, 4, 2, 6};
  *out = NULL;
  *out_size = 0;
  if (channels < 1 || channels > 4 || width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu ||
      level < 0 || level > 2 || filter < -1 || filter > 4) {
    snprintf(message, CPNG_MESSAGE_CAPACITY, "unsupported image or setting for the ISA-L encoder");
    return CPNG_ERROR;
  }
  size_t filtered_size = ((size_t)width * (size_t)channels + 1) * (size_t)height;
  // Stored blocks bound what deflate can grow to: 5 bytes per 65535, plus the zlib wrapper.
  size_t bound = filtered_size + 5 * (filtered_size / 65535 + 1) + 6 + 1024;
  uint8_t *filtered = malloc(filtered_size);
  uint8_t *file = malloc(8 + 25 + 12 + bound + 12);
  int status = filtered == NULL || file == NULL ? CPNG_NO_MEMORY : cpng_filter_rows(pixels, width, height, channels, filter, filtered);
  size_t compressed = 0;
  if (status == CPNG_OK) {
    compressed = cpng_isal_deflate(filtered, filtered_size, level, file + 8 + 25 + 8, bound);
    if (compressed == 0 || compressed > 0x7fffffffu) status = CPNG_ERROR;
  }
  free(filtered);
  if (status != CPNG_OK) {
    free(file);
    snprintf(message, CPNG_MESSAGE_CAPACITY, status == CPNG_NO_MEMORY ? "out of memory" : "ISA-L deflate failed");
    return status;
  }
  memcpy(file, signature, 8);
  uint8_t *header = file + 8;
  memcpy(header + 4, "IHDR", 4);
  uint8_t *fields = cpng_put32(cpng_put32(header + 8, width), height);
  fields[0] = 8;  // bit depth
  fields[1] = color_types[channels];
  fields[2] = fields[3] = fields[4] = 0;  // deflate, adaptive filtering method, no interlace
  uint8_t *data = cpng_close_chunk(header, 13);
  memcpy(data + 4, "IDAT", 4);
  uint8_t *end = cpng_close_chunk(data, (uint32_t)compressed);
  memcpy(end + 4, "IEND", 4);
  end = cpng_close_chunk(end, 0);
  *out = file;
  *out_size = (size_t)(end - file);
  return CPNG_OK;
}
