// A thin C shim over libjpeg (libjpeg-turbo's libjpeg 6.2 API). It owns the setjmp/longjmp error
// manager, so no libjpeg error can end the process: every call returns a status and libjpeg's
// message. Only the ImageCodecs target imports this module.
#ifndef CJPEG_H
#define CJPEG_H

#include <stddef.h>
#include <stdint.h>

#define CJPEG_OK 0
#define CJPEG_ERROR 1        // libjpeg rejected the data; the message says why
#define CJPEG_TOO_LARGE 2    // width * height exceeds the caller's pixel limit
#define CJPEG_UNSUPPORTED 3  // valid but not readable here (CMYK / YCCK)
#define CJPEG_NO_MEMORY 4
#define CJPEG_WARNING 5      // strict mode: libjpeg warned (corrupt data); the message is the warning
#define CJPEG_IMPLAUSIBLE 6  // the claimed size cannot be coded in the file's bytes
#define CJPEG_MEMORY_LIMIT 7 // decoding would need more working memory than the cap allows

#define CJPEG_MESSAGE_CAPACITY 256

typedef struct {
  uint32_t image_width;    // as stored
  uint32_t image_height;
  uint32_t output_width;   // after scaled decoding
  uint32_t output_height;
  int channels;            // of the delivered samples: 1 (gray) or 3 (RGB)
  int progressive;
  int jpeg_color_space;    // libjpeg's J_COLOR_SPACE of the file
} cjpeg_info;

/// How strictly and within which limits to decode.
typedef struct {
  uint64_t max_pixels;           // width * height above this: CJPEG_TOO_LARGE
  uint64_t max_pixels_per_byte;  // 64 * blocks of the fullest component above size * this: CJPEG_IMPLAUSIBLE (0: off)
  uint64_t max_memory;           // libjpeg's working memory cap in bytes (0: none)
  int lenient;                   // 0: every libjpeg warning is an error (CJPEG_WARNING); 1: warnings are counted
} cjpeg_limits;

typedef struct cjpeg_decoder cjpeg_decoder;

/// Reads the header of an in-memory JPEG and prepares a decode at scale 1/`scale_denominator`
/// (1, 2, 4 or 8). On CJPEG_OK `*out` must be released with cjpeg_decoder_destroy.
/// A truncated file (libjpeg's "Premature end of JPEG file") is an error in both modes; every other
/// warning is CJPEG_WARNING unless `limits->lenient`. `info` is filled as far as the header was read.
int cjpeg_decoder_create(const uint8_t *data, size_t size, int scale_denominator, const cjpeg_limits *limits,
                         cjpeg_decoder **out, cjpeg_info *info, char *message);

/// The number of warnings libjpeg gave so far (lenient mode), the first one's text in `message`.
int cjpeg_decoder_warnings(const cjpeg_decoder *decoder, char *message);

/// Decodes all scanlines into `pixels` (`output_width * output_height * channels` bytes).
/// A file that ends before its last scanline is an error, not a gray-filled image.
int cjpeg_decoder_read(cjpeg_decoder *decoder, uint8_t *pixels, size_t capacity, char *message);

void cjpeg_decoder_destroy(cjpeg_decoder *decoder);

/// Encodes 8-bit gray (1 channel) or RGB (3 channels). `subsampling` is 444, 422 or 420 (ignored
/// for gray). On CJPEG_OK `*out` is a malloc'd buffer of `*out_size` bytes; free it with cjpeg_free.
int cjpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                 int subsampling, int progressive, uint8_t **out, size_t *out_size, char *message);

void cjpeg_free(void *pointer);

/// The plainest libjpeg decode, for tests to compare against: default settings (RGB or gray out),
/// no limits, no strictness of its own; `*warnings` is libjpeg's warning count. On CJPEG_OK
/// `*pixels` is a malloc'd `width * height * channels` buffer; free it with cjpeg_free.
int cjpeg_reference_decode(const uint8_t *data, size_t size, uint8_t **pixels, uint32_t *width, uint32_t *height,
                           int *channels, long *warnings, char *message);

#endif
