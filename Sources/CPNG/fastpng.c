// The fast path for the PNGs datasets are made of: non-interlaced, 8-bit gray, gray + alpha, RGB
// or RGBA, without tRNS. The image data is inflated straight into one buffer (no row callbacks, no
// transformation machinery) and unfiltered here. A stream with a 32 KiB window (what encoders
// write) is inflated by ISA-L (about twice as fast as zlib on photographs); any other by zlib, the
// inflater libpng itself uses, one row per call. Not libdeflate (also fast): it deliberately accepts
// a few streams zlib rejects (literal/length codes 286 and 287, distance codes 30 and 31, overlong
// code length runs), and the mutation test found PNGs this path then accepted and libpng refused.
// ISA-L refuses those, as zlib does (checked by the mutation test and by hand-made streams). Anything
// else, and anything irregular (a bad CRC, an unknown critical chunk, a broken stream, data after the
// stream), is left to libpng: cpng_fast_probe and cpng_fast_inflate then answer CPNG_FALLBACK, and
// the caller decodes the file with libpng, which decides and words the error. So this path never
// accepts a file libpng refuses.
#include "CPNG.h"

#include <isa-l/igzip_lib.h>
#include <libdeflate.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t cpng_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static int cpng_is_letter(uint8_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

int cpng_fast_probe(const uint8_t *data, size_t size, int label_mode, uint64_t max_pixels, cpng_fast_layout *layout) {
  static const uint8_t signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
  memset(layout, 0, sizeof(*layout));
  if (size < 8 + 25 + 12 || memcmp(data, signature, 8) != 0) return CPNG_FALLBACK;
  size_t position = 8;
  int seen_header = 0, idat_state = 0;  // 0 before IDAT, 1 inside the IDAT run, 2 after it
  while (position + 12 <= size) {
    uint32_t length = cpng_be32(data + position);
    const uint8_t *type = data + position + 4;
    if (length > 0x7fffffffu || length > size - position - 12) return CPNG_FALLBACK;
    for (int i = 0; i < 4; i++)
      if (!cpng_is_letter(type[i])) return CPNG_FALLBACK;
    const uint8_t *body = type + 4;
    if (libdeflate_crc32(0, type, (size_t)length + 4) != cpng_be32(body + length)) return CPNG_FALLBACK;
    int is_idat = memcmp(type, "IDAT", 4) == 0;
    if (!seen_header) {
      if (memcmp(type, "IHDR", 4) != 0 || length != 13) return CPNG_FALLBACK;
      uint32_t width = cpng_be32(body), height = cpng_be32(body + 4);
      int bit_depth = body[8], color_type = body[9];
      if (width == 0 || height == 0 || width > 1000000 || height > 1000000) return CPNG_FALLBACK;  // libpng's limits
      if (bit_depth != 8 || body[10] != 0 || body[11] != 0 || body[12] != 0) return CPNG_FALLBACK;
      int channels;
      switch (color_type) {
        case 0: channels = 1; break;
        case 2: channels = 3; break;
        case 4: channels = label_mode ? 0 : 2; break;  // label mode strips alpha: libpng's job
        case 6: channels = label_mode ? 0 : 4; break;
        default: channels = 0;  // palette
      }
      if (channels == 0) return CPNG_FALLBACK;
      layout->width = width;
      layout->height = height;
      layout->channels = channels;
      layout->png_color_type = color_type;
      layout->row_bytes = (size_t)width * (size_t)channels;
      if ((uint64_t)width * (uint64_t)height > max_pixels) return CPNG_TOO_LARGE;
      seen_header = 1;
    } else if (is_idat) {
      if (idat_state == 2) return CPNG_FALLBACK;
      idat_state = 1;
      layout->compressed_bytes += length;
      layout->idat_chunks += 1;
    } else {
      if (idat_state == 1) idat_state = 2;
      if (memcmp(type, "IEND", 4) == 0) {
        if (idat_state == 0 || length != 0 || position + 12 != size) return CPNG_FALLBACK;
        return CPNG_OK;
      }
      if (memcmp(type, "tRNS", 4) == 0 || memcmp(type, "IHDR", 4) == 0) return CPNG_FALLBACK;
      // An unknown critical chunk is an error for libpng; PLTE is allowed (a suggested palette).
      if (!(type[0] & 0x20) && memcmp(type, "PLTE", 4) != 0) return CPNG_FALLBACK;
    }
    position += 12 + (size_t)length;
  }
  return CPNG_FALLBACK;  // no IEND
}

// A zlib stream (its header and Adler-32 checked by zlib, the window it declares used) of exactly
// `height` rows of `row` bytes: 1 when it ends with the last row and the input, else 0. libpng
// inflates one row per call, so a distance reaching back beyond a declared window smaller than
// 32 KiB is refused ("invalid distance too far back"); inflating into the whole buffer at once would
// serve it from the rows already there. So such a stream is inflated one row per call too; one
// declaring 32 KiB (`whole_window`) in one call. Input and output are handled in pieces of at most
// UINT_MAX bytes.
static int cpng_zlib_inflate_rows(const uint8_t *in, size_t in_left, size_t height, size_t row, int whole_window,
                                  uint8_t *filtered) {
  z_stream z;
  memset(&z, 0, sizeof(z));
  if (inflateInit2(&z, 0) != Z_OK) return 0;
  int ret = Z_OK;
#define CPNG_FEED()                                                      \
  do {                                                                   \
    if (z.avail_in == 0 && in_left > 0) {                                \
      uInt piece = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;        \
      z.next_in = (Bytef *)in;                                           \
      z.avail_in = piece;                                                \
      in += piece;                                                       \
      in_left -= piece;                                                  \
    }                                                                    \
  } while (0)
  size_t rows_per_call = whole_window ? (UINT_MAX / row > 0 ? UINT_MAX / row : 1) : 1;
  for (size_t y = 0; y < height && ret == Z_OK; y += rows_per_call) {
    size_t rows = height - y < rows_per_call ? height - y : rows_per_call;
    z.next_out = filtered + y * row;
    z.avail_out = (uInt)(rows * row);
    while (z.avail_out > 0 && ret == Z_OK) {
      CPNG_FEED();
      ret = inflate(&z, Z_NO_FLUSH);  // Z_BUF_ERROR: no progress possible (the input ended)
    }
    if (ret == Z_STREAM_END && (z.avail_out != 0 || y + rows != height)) ret = Z_DATA_ERROR;  // too short
  }
  // After the last row the stream must end (its Adler-32 checked) without producing another byte.
  uint8_t extra;
  while (ret == Z_OK) {
    z.next_out = &extra;
    z.avail_out = 1;
    CPNG_FEED();
    ret = inflate(&z, Z_NO_FLUSH);
    if (z.avail_out == 0) ret = Z_DATA_ERROR;  // more image data than the image holds
  }
#undef CPNG_FEED
  int complete = ret == Z_STREAM_END && z.avail_in == 0 && in_left == 0;
  inflateEnd(&z);
  return complete;
}

// A raw deflate stream of exactly `expected` bytes, by ISA-L: 1 when it ends (its final block) with
// the last of those bytes and of the input (only the final byte's padding bits left over), else 0.
// The same checks the zlib loop below makes: too short, too long, trailing data.
static int cpng_isal_inflate_exact(const uint8_t *in, size_t in_size, uint8_t *out, size_t expected) {
  if (in_size > UINT32_MAX || expected > UINT32_MAX) return 0;
  struct inflate_state *state = malloc(sizeof(struct inflate_state));
  if (state == NULL) return 0;
  isal_inflate_init(state);
  state->crc_flag = ISAL_DEFLATE;
  state->hist_bits = 15;
  state->next_in = (uint8_t *)in;
  state->avail_in = (uint32_t)in_size;
  state->next_out = out;
  state->avail_out = (uint32_t)expected;
  int ok = isal_inflate(state) == ISAL_DECOMP_OK;
  if (ok && state->block_state != ISAL_BLOCK_FINISH) {
    // The buffer is full and the stream not over: it must end without producing another byte.
    uint8_t extra;
    ok = state->avail_out == 0;
    state->next_out = &extra;
    state->avail_out = 1;
    ok = ok && isal_inflate(state) == ISAL_DECOMP_OK && state->avail_out == 1 && state->block_state == ISAL_BLOCK_FINISH;
  }
  ok = ok && state->total_out == expected && state->avail_in == 0 && state->read_in_length < 8;
  free(state);
  return ok;
}

int cpng_fast_inflate(const uint8_t *data, size_t size, const cpng_fast_layout *layout, uint8_t *gather,
                      size_t gather_capacity, uint8_t *filtered, size_t capacity) {
  size_t expected = (size_t)layout->height * (layout->row_bytes + 1);
  if (capacity < expected) return CPNG_FALLBACK;
  if (layout->idat_chunks > 1 && gather_capacity < layout->compressed_bytes) return CPNG_FALLBACK;
  // The IDAT run as one zlib stream: in place when it is one chunk, else gathered.
  const uint8_t *stream = layout->idat_chunks > 1 ? gather : NULL;
  size_t position = 8;
  size_t filled = 0;
  while (position + 12 <= size) {
    uint32_t length = cpng_be32(data + position);
    if (memcmp(data + position + 4, "IDAT", 4) == 0) {
      if (layout->idat_chunks == 1) {
        stream = data + position + 8;
        break;
      }
      memcpy(gather + filled, data + position + 8, length);
      filled += length;
    }
    position += 12 + (size_t)length;
  }
  if (stream == NULL) return CPNG_FALLBACK;
  // One zlib stream, accepted exactly when libpng accepts it. One declaring a 32 KiB window (CINFO 7,
  // what encoders write) can never reach beyond it (no distance exceeds 32768).
  //
  // A stream with a 32 KiB window whose header zlib would accept (method 8, header check, no preset
  // dictionary) is inflated raw by ISA-L, past its 2 header bytes, and its Adler-32 trailer compared
  // here with libdeflate's Adler-32, which is several times faster than zlib's (the check zlib makes
  // and the streams accepted stay the same). Any other header goes through zlib's own checks.
  if (layout->compressed_bytes < 2) return CPNG_FALLBACK;
  int whole_window = (stream[0] >> 4) == 7;
  int raw = whole_window && (stream[0] & 0x0f) == 8 && ((stream[0] << 8) | stream[1]) % 31 == 0 && !(stream[1] & 0x20) &&
            layout->compressed_bytes >= 2 + 4;
  size_t row = layout->row_bytes + 1;
  int complete;
  if (raw) {
    const uint8_t *trailer = stream + layout->compressed_bytes - 4;
    complete = cpng_isal_inflate_exact(stream + 2, layout->compressed_bytes - 2 - 4, filtered, expected) &&
               libdeflate_adler32(1, filtered, expected) == cpng_be32(trailer);
  } else {
    complete = cpng_zlib_inflate_rows(stream, layout->compressed_bytes, layout->height, row, whole_window, filtered);
  }
  // Exactly the image's bytes, the stream checked to its Adler-32 and ending with the IDAT data:
  // anything else is libpng's call.
  if (!complete) return CPNG_FALLBACK;
  for (uint32_t y = 0; y < layout->height; y++)
    if (filtered[(size_t)y * (layout->row_bytes + 1)] > 4) return CPNG_FALLBACK;
  return CPNG_OK;
}

static inline uint8_t cpng_paeth(int a, int b, int c) {
  int p = a + b - c;
  int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
  if (pa <= pb && pa <= pc) return (uint8_t)a;
  return (uint8_t)(pb <= pc ? b : c);
}

void cpng_unfilter_row_scalar(const uint8_t *filtered, const uint8_t *previous, uint8_t *out, size_t row_bytes, int bpp) {
  // No restrict: `out` may lie just before `filtered` in the same buffer (in-place compaction), and
  // every byte is read before the one written over it.
  const uint8_t *source = filtered + 1;
  size_t x;
  switch (filtered[0]) {
    case 1:  // sub
      for (x = 0; x < row_bytes && x < (size_t)bpp; x++) out[x] = source[x];
      for (; x < row_bytes; x++) out[x] = (uint8_t)(source[x] + out[x - bpp]);
      break;
    case 2:  // up
      for (x = 0; x < row_bytes; x++) out[x] = (uint8_t)(source[x] + (previous ? previous[x] : 0));
      break;
    case 3:  // average
      for (x = 0; x < row_bytes; x++) {
        int left = x >= (size_t)bpp ? out[x - bpp] : 0;
        int up = previous ? previous[x] : 0;
        out[x] = (uint8_t)(source[x] + ((left + up) >> 1));
      }
      break;
    case 4:  // Paeth
      for (x = 0; x < row_bytes; x++) {
        int left = x >= (size_t)bpp ? out[x - bpp] : 0;
        int up = previous ? previous[x] : 0;
        int corner = previous && x >= (size_t)bpp ? previous[x - bpp] : 0;
        out[x] = (uint8_t)(source[x] + cpng_paeth(left, up, corner));
      }
      break;
    default:  // none
      memmove(out, source, row_bytes);
  }
}

#if defined(__SSE2__)
#include <emmintrin.h>

// Average and Paeth rows of 3- and 4-byte pixels (8-bit RGB and RGBA), one pixel per step in SSE2
// registers: each pixel depends on the one to its left, so the parallelism is across its bytes.
// A pixel is loaded with a fixed-size memcpy (never past the row) and its source bytes are read
// before its output is stored, so `out` may still lie just before `filtered`.

static inline __attribute__((always_inline)) __m128i cpng_load_pixel(const uint8_t *p, int bpp) {
  uint32_t value = 0;
  if (bpp == 4) memcpy(&value, p, 4);
  else memcpy(&value, p, 3);
  return _mm_cvtsi32_si128((int)value);
}

static inline __attribute__((always_inline)) void cpng_store_pixel(uint8_t *p, __m128i pixel, int bpp) {
  uint32_t value = (uint32_t)_mm_cvtsi128_si32(pixel);
  if (bpp == 4) memcpy(p, &value, 4);
  else memcpy(p, &value, 3);
}

static inline __attribute__((always_inline)) void cpng_average_sse2(const uint8_t *source, const uint8_t *previous,
                                                                     uint8_t *out, size_t row_bytes, int bpp) {
  const __m128i one = _mm_set1_epi8(1);
  __m128i left = _mm_setzero_si128();
  for (size_t x = 0; x < row_bytes; x += (size_t)bpp) {
    __m128i up = cpng_load_pixel(previous + x, bpp);
    __m128i delta = cpng_load_pixel(source + x, bpp);
    // floor((left + up) / 2): the rounded-up average less the bit that rounding added.
    __m128i mean = _mm_sub_epi8(_mm_avg_epu8(left, up), _mm_and_si128(_mm_xor_si128(left, up), one));
    left = _mm_add_epi8(delta, mean);
    cpng_store_pixel(out + x, left, bpp);
  }
}

static inline __attribute__((always_inline)) __m128i cpng_abs_epi16(__m128i v) {
  return _mm_max_epi16(v, _mm_sub_epi16(_mm_setzero_si128(), v));
}

static inline __attribute__((always_inline)) void cpng_paeth_sse2(const uint8_t *source, const uint8_t *previous,
                                                                   uint8_t *out, size_t row_bytes, int bpp) {
  const __m128i zero = _mm_setzero_si128();
  __m128i left = zero, corner = zero;  // 16-bit lanes
  for (size_t x = 0; x < row_bytes; x += (size_t)bpp) {
    __m128i up = _mm_unpacklo_epi8(cpng_load_pixel(previous + x, bpp), zero);
    __m128i delta = cpng_load_pixel(source + x, bpp);
    // With p = left + up - corner: |p - left| = |up - corner|, |p - up| = |left - corner|,
    // |p - corner| = |up - corner + left - corner|.
    __m128i from_left = _mm_sub_epi16(up, corner);
    __m128i from_up = _mm_sub_epi16(left, corner);
    __m128i distance_left = cpng_abs_epi16(from_left);
    __m128i distance_up = cpng_abs_epi16(from_up);
    __m128i distance_corner = cpng_abs_epi16(_mm_add_epi16(from_left, from_up));
    __m128i nearest = _mm_min_epi16(distance_corner, _mm_min_epi16(distance_left, distance_up));
    // left where it is nearest; else up where up is nearest; else corner (the scalar order of ties).
    __m128i take_left = _mm_cmpeq_epi16(distance_left, nearest);
    __m128i take_up = _mm_cmpeq_epi16(distance_up, nearest);
    __m128i up_or_corner = _mm_or_si128(_mm_and_si128(take_up, up), _mm_andnot_si128(take_up, corner));
    __m128i predictor = _mm_or_si128(_mm_and_si128(take_left, left), _mm_andnot_si128(take_left, up_or_corner));
    __m128i pixel = _mm_add_epi8(delta, _mm_packus_epi16(predictor, predictor));
    cpng_store_pixel(out + x, pixel, bpp);
    left = _mm_unpacklo_epi8(pixel, zero);
    corner = up;
  }
}
#endif

void cpng_unfilter_row(const uint8_t *filtered, const uint8_t *previous, uint8_t *out, size_t row_bytes, int bpp) {
#if defined(__SSE2__)
  int type = filtered[0];
  if (previous != NULL && (type == 3 || type == 4) && (bpp == 3 || bpp == 4) && row_bytes % (size_t)bpp == 0) {
    if (type == 3) {
      if (bpp == 3) cpng_average_sse2(filtered + 1, previous, out, row_bytes, 3);
      else cpng_average_sse2(filtered + 1, previous, out, row_bytes, 4);
    } else {
      if (bpp == 3) cpng_paeth_sse2(filtered + 1, previous, out, row_bytes, 3);
      else cpng_paeth_sse2(filtered + 1, previous, out, row_bytes, 4);
    }
    return;
  }
#endif
  cpng_unfilter_row_scalar(filtered, previous, out, row_bytes, bpp);
}
