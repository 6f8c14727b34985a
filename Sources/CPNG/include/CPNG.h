// A thin C shim over libpng's progressive API. It owns libpng's setjmp/longjmp error handling,
// so no libpng error can end the process: every call returns a status and a message instead.
// Only the ImageCodecs target imports this module.
#ifndef CPNG_H
#define CPNG_H

#include <stddef.h>
#include <stdint.h>

#define CPNG_OK 0
#define CPNG_ERROR 1        // libpng rejected the data; the message says why
#define CPNG_TOO_LARGE 2    // width * height exceeds the caller's pixel limit
#define CPNG_NO_MEMORY 3
#define CPNG_FALLBACK 4     // the fast path does not take this file: decode it with libpng
#define CPNG_WARNING 5      // strict mode: libpng warned about the image data (e.g. a wrong Adler-32)

#define CPNG_MESSAGE_CAPACITY 256

/// How samples are delivered.
typedef enum {
  /// "As stored, expanded": palette -> RGB(A), gray < 8 bits scaled to 8, tRNS -> alpha,
  /// 16-bit kept (native byte order). No gamma, no background compositing.
  CPNG_MODE_EXPANDED = 0,
  /// Label maps: palette images as their indices, gray < 8 bits as raw values (not scaled),
  /// alpha and tRNS dropped, 16-bit kept (native byte order).
  CPNG_MODE_LABEL = 1,
} cpng_mode;

typedef struct {
  uint32_t width;
  uint32_t height;
  int channels;         // of the delivered samples
  int bit_depth;        // of the delivered samples: 8 or 16
  int png_color_type;   // IHDR colour type as stored
  int png_bit_depth;    // IHDR bit depth as stored
  int interlaced;       // 1 for Adam7
  size_t row_bytes;     // bytes per delivered row
} cpng_info;

typedef struct cpng_decoder cpng_decoder;

/// Reads the signature and header of an in-memory PNG and prepares decoding.
/// On CPNG_OK `*out` must be released with cpng_decoder_destroy. `data` must stay valid until then.
/// `strict`: the zlib stream's Adler-32 is checked and every libpng warning about the image data
/// (IDAT: a wrong check value, extra or missing compressed data) is an error, CPNG_WARNING. Not
/// strict: the Adler-32 is ignored and those warnings are counted (cpng_decoder_warnings).
/// Warnings about ancillary chunks (which libpng skips) are ignored in both modes.
int cpng_decoder_create(const uint8_t *data, size_t size, cpng_mode mode, uint64_t max_pixels, int strict,
                        cpng_decoder **out, cpng_info *info, char *message);

/// The number of image-data warnings libpng gave so far (non-strict mode), the first in `message`.
int cpng_decoder_warnings(const cpng_decoder *decoder, char *message);

/// Decodes all rows into `pixels` (`info.row_bytes * info.height` bytes).
int cpng_decoder_read(cpng_decoder *decoder, uint8_t *pixels, size_t capacity, char *message);

/// Decodes the next row into `row` (`info.row_bytes` bytes), top first. Non-interlaced images only:
/// an interlaced image must be read whole with cpng_decoder_read.
int cpng_decoder_read_row(cpng_decoder *decoder, uint8_t *row, char *message);

/// Reads the chunks after the last row (checking them) once every row has been read.
int cpng_decoder_finish(cpng_decoder *decoder, char *message);

void cpng_decoder_destroy(cpng_decoder *decoder);

/// Encodes 8- or 16-bit (native byte order) interleaved samples with 1-4 channels.
/// `filter` is -1 for libpng's adaptive choice, else 0 none, 1 sub, 2 up, 3 average, 4 paeth.
/// `strategy` is -1 for libpng's default, else a zlib strategy (Z_DEFAULT_STRATEGY ... Z_FIXED).
/// With a `palette` (`palette_entries` RGB triples) the one 8-bit channel holds palette indices.
/// On CPNG_OK `*out` holds a malloc'd buffer of `*out_size` bytes; free it with cpng_free.
int cpng_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                const uint8_t *palette, int palette_entries, int compression_level, int filter, int strategy,
                uint8_t **out, size_t *out_size, char *message);

void cpng_free(void *pointer);

// MARK: - The fast path (fastpng.c): one-pass zlib inflate for the common 8-bit layouts

/// What cpng_fast_probe found.
typedef struct {
  uint32_t width;
  uint32_t height;
  int channels;              // 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA (8-bit samples)
  int png_color_type;        // IHDR colour type: 0, 4, 2 or 6
  size_t row_bytes;          // width * channels
  size_t compressed_bytes;   // the IDAT run's data
  size_t idat_chunks;
} cpng_fast_layout;

/// Checks every chunk (names, lengths, CRCs, order) of an in-memory PNG and whether the fast path
/// takes it: non-interlaced, 8-bit gray, gray + alpha, RGB or RGBA without tRNS (in label mode gray
/// or RGB). CPNG_OK, CPNG_TOO_LARGE (more pixels than max_pixels) or CPNG_FALLBACK.
int cpng_fast_probe(const uint8_t *data, size_t size, int label_mode, uint64_t max_pixels, cpng_fast_layout *layout);

/// Inflates the IDAT run of a probed PNG into `filtered`: `height * (row_bytes + 1)` bytes, each row
/// its filter-type byte and its filtered samples. Several IDAT chunks are first gathered into
/// `gather` (`compressed_bytes`; unused for one chunk). CPNG_OK, CPNG_NO_MEMORY or CPNG_FALLBACK (a
/// stream libpng must judge: broken, too short or long, or a filter type above 4).
int cpng_fast_inflate(const uint8_t *data, size_t size, const cpng_fast_layout *layout, uint8_t *gather,
                      size_t gather_capacity, uint8_t *filtered, size_t capacity);

/// Reverses one row's PNG filter: `filtered` is the filter-type byte then `row_bytes` bytes,
/// `previous` the unfiltered row above (NULL for the first row), `bpp` bytes per pixel. `out` may
/// be `filtered` itself or lie before it in the same buffer (rows compacted in place).
/// Average and Paeth rows of 3- and 4-byte pixels take an SSE2 path on x86-64; the result is
/// exactly cpng_unfilter_row_scalar's.
void cpng_unfilter_row(const uint8_t *filtered, const uint8_t *previous, uint8_t *out, size_t row_bytes, int bpp);

/// cpng_unfilter_row one byte at a time (the reference the SIMD path is tested against).
void cpng_unfilter_row_scalar(const uint8_t *filtered, const uint8_t *previous, uint8_t *out, size_t row_bytes, int bpp);

/// zlib's CRC-32 (the one PNG chunks carry).
uint32_t cpng_crc32(const uint8_t *data, size_t size);

// MARK: - The ISA-L encoder (encodepng.c): own filtering, ISA-L's deflate

/// Filters `height` rows of 8-bit samples (`width * channels` bytes each) into `out`
/// (`height * (width * channels + 1)` bytes, each row its filter-type byte then its bytes).
/// `filter` is 0 none, 1 sub, 2 up, 3 average, 4 Paeth, or -1 for libpng's heuristic: per row the
/// filter whose output has the smallest sum of absolute values taken as signed bytes, ties to the
/// earlier filter. CPNG_OK, CPNG_ERROR (a bad argument) or CPNG_NO_MEMORY.
int cpng_filter_rows(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int filter, uint8_t *out);

/// Encodes 8-bit interleaved samples with 1-4 channels as a non-interlaced PNG (signature, IHDR,
/// one IDAT, IEND): rows filtered by cpng_filter_rows (`filter` as there), compressed by ISA-L's
/// deflate at `level` 0-2 with a zlib wrapper and a 32 KiB window. The bytes depend only on the
/// input and the settings (ISA-L's level 3, whose bytes depend on the instruction set, is refused). On CPNG_OK `*out` holds a malloc'd buffer of `*out_size` bytes; free it
/// with cpng_free.
int cpng_encode_isal(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int level, int filter,
                     uint8_t **out, size_t *out_size, char *message);

#endif
