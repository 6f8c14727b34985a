#include "CPNG.h"

#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct cpng_decoder {
  png_structp png;
  png_infop info;
  const uint8_t *data;
  size_t size;
  size_t position;
  uint32_t height;
  size_t row_bytes;
  int strict;
  int strict_warning;  // the longjmp came from an image-data warning in strict mode
  int warning_count;
  char first_warning[CPNG_MESSAGE_CAPACITY];
  char message[CPNG_MESSAGE_CAPACITY];
};

static void cpng_copy_message(char *dst, const char *src) {
  if (dst == NULL) return;
  strncpy(dst, src ? src : "unknown error", CPNG_MESSAGE_CAPACITY - 1);
  dst[CPNG_MESSAGE_CAPACITY - 1] = '\0';
}

static void cpng_on_error(png_structp png, png_const_charp text) {
  char *message = (char *)png_get_error_ptr(png);
  cpng_copy_message(message, text);
  png_longjmp(png, 1);
}

static void cpng_on_warning(png_structp png, png_const_charp text) {
  (void)png;
  (void)text;  // benign (e.g. a bad ancillary chunk, which libpng skips)
}

// The decoder's warning handler. libpng prefixes a chunk's warnings with the chunk name, so a
// warning about the image data starts with "IDAT" (a wrong Adler-32, extra or too much data).
static void cpng_decoder_on_warning(png_structp png, png_const_charp text) {
  cpng_decoder *decoder = (cpng_decoder *)png_get_io_ptr(png);
  if (decoder == NULL || text == NULL || strncmp(text, "IDAT", 4) != 0) return;  // ancillary: skipped
  if (decoder->strict) {
    cpng_copy_message(decoder->message, text);
    decoder->strict_warning = 1;
    png_longjmp(png, 1);
  }
  if (decoder->warning_count == 0) cpng_copy_message(decoder->first_warning, text);
  decoder->warning_count++;
}

int cpng_decoder_warnings(const cpng_decoder *decoder, char *message) {
  if (decoder == NULL) return 0;
  if (decoder->warning_count > 0) cpng_copy_message(message, decoder->first_warning);
  return decoder->warning_count;
}

static void cpng_read_memory(png_structp png, png_bytep out, png_size_t count) {
  cpng_decoder *decoder = (cpng_decoder *)png_get_io_ptr(png);
  if (count > decoder->size - decoder->position) {
    png_error(png, "unexpected end of data (file truncated)");
  }
  memcpy(out, decoder->data + decoder->position, count);
  decoder->position += count;
}

int cpng_decoder_create(const uint8_t *data, size_t size, cpng_mode mode, uint64_t max_pixels, int strict,
                        cpng_decoder **out, cpng_info *info, char *message) {
  *out = NULL;
  cpng_decoder *decoder = calloc(1, sizeof(cpng_decoder));
  if (decoder == NULL) {
    cpng_copy_message(message, "out of memory");
    return CPNG_NO_MEMORY;
  }
  decoder->data = data;
  decoder->size = size;
  decoder->strict = strict;
  decoder->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, decoder->message, cpng_on_error, cpng_decoder_on_warning);
  if (decoder->png == NULL) {
    free(decoder);
    cpng_copy_message(message, "out of memory");
    return CPNG_NO_MEMORY;
  }
  decoder->info = png_create_info_struct(decoder->png);
  if (decoder->info == NULL) {
    png_destroy_read_struct(&decoder->png, NULL, NULL);
    free(decoder);
    cpng_copy_message(message, "out of memory");
    return CPNG_NO_MEMORY;
  }
  if (setjmp(png_jmpbuf(decoder->png))) {
    int status = decoder->strict_warning ? CPNG_WARNING : CPNG_ERROR;
    cpng_copy_message(message, decoder->message);
    cpng_decoder_destroy(decoder);
    return status;
  }
  png_set_read_fn(decoder->png, decoder, cpng_read_memory);
#ifdef PNG_IGNORE_ADLER32
  // Not strict: the chunk CRCs are still checked, but a stream whose CRCs were recomputed after a
  // change reaches the pixels unnoticed unless zlib's Adler-32 over the inflated bytes is checked.
  if (!strict) png_set_option(decoder->png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
  // Never let a compressed ancillary chunk (iCCP, zTXt, iTXt) inflate without bound.
  png_set_chunk_malloc_max(decoder->png, 8u << 20);
  png_read_info(decoder->png, decoder->info);

  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(decoder->png, decoder->info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
  info->width = width;
  info->height = height;
  info->png_color_type = color_type;
  info->png_bit_depth = bit_depth;
  info->interlaced = interlace != PNG_INTERLACE_NONE;
  if ((uint64_t)width * (uint64_t)height > max_pixels) {
    cpng_copy_message(message, "image exceeds the pixel limit");
    cpng_decoder_destroy(decoder);
    return CPNG_TOO_LARGE;
  }

  if (mode == CPNG_MODE_EXPANDED) {
    png_set_expand(decoder->png);  // palette -> RGB, gray 1/2/4 -> 8 (scaled), tRNS -> alpha
  } else {
    if (bit_depth < 8) png_set_packing(decoder->png);  // one byte per sample, values unscaled
    if (color_type & PNG_COLOR_MASK_ALPHA) png_set_strip_alpha(decoder->png);
  }
  if (bit_depth == 16) {
    const int probe = 1;
    if (*(const char *)&probe == 1) png_set_swap(decoder->png);  // deliver native byte order
  }
  png_set_interlace_handling(decoder->png);
  png_read_update_info(decoder->png, decoder->info);

  info->channels = png_get_channels(decoder->png, decoder->info);
  info->bit_depth = png_get_bit_depth(decoder->png, decoder->info);
  info->row_bytes = png_get_rowbytes(decoder->png, decoder->info);
  if (info->row_bytes != (size_t)width * (size_t)info->channels * (size_t)(info->bit_depth / 8)) {
    cpng_copy_message(message, "unexpected row layout after transformations");
    cpng_decoder_destroy(decoder);
    return CPNG_ERROR;
  }
  decoder->height = height;
  decoder->row_bytes = info->row_bytes;
  *out = decoder;
  return CPNG_OK;
}

int cpng_decoder_read(cpng_decoder *decoder, uint8_t *pixels, size_t capacity, char *message) {
  if (capacity < decoder->row_bytes * decoder->height) {
    cpng_copy_message(message, "destination buffer too small");
    return CPNG_ERROR;
  }
  png_bytep *rows = malloc(sizeof(png_bytep) * decoder->height);
  if (rows == NULL) {
    cpng_copy_message(message, "out of memory");
    return CPNG_NO_MEMORY;
  }
  for (uint32_t y = 0; y < decoder->height; y++) rows[y] = pixels + (size_t)y * decoder->row_bytes;
  png_bytep *volatile rows_to_free = rows;
  if (setjmp(png_jmpbuf(decoder->png))) {
    free(rows_to_free);
    cpng_copy_message(message, decoder->message);
    return decoder->strict_warning ? CPNG_WARNING : CPNG_ERROR;
  }
  png_read_image(decoder->png, rows);
  png_read_end(decoder->png, NULL);
  free(rows);
  return CPNG_OK;
}

int cpng_decoder_read_row(cpng_decoder *decoder, uint8_t *row, char *message) {
  if (setjmp(png_jmpbuf(decoder->png))) {
    cpng_copy_message(message, decoder->message);
    return decoder->strict_warning ? CPNG_WARNING : CPNG_ERROR;
  }
  png_read_row(decoder->png, row, NULL);
  return CPNG_OK;
}

int cpng_decoder_finish(cpng_decoder *decoder, char *message) {
  if (setjmp(png_jmpbuf(decoder->png))) {
    cpng_copy_message(message, decoder->message);
    return decoder->strict_warning ? CPNG_WARNING : CPNG_ERROR;
  }
  png_read_end(decoder->png, NULL);
  return CPNG_OK;
}

void cpng_decoder_destroy(cpng_decoder *decoder) {
  if (decoder == NULL) return;
  png_destroy_read_struct(&decoder->png, &decoder->info, NULL);
  free(decoder);
}

// MARK: - Encoding

typedef struct {
  uint8_t *bytes;
  size_t size;
  size_t capacity;
  int failed;
} cpng_output;

static void cpng_write_memory(png_structp png, png_bytep data, png_size_t count) {
  cpng_output *output = (cpng_output *)png_get_io_ptr(png);
  if (output->size + count > output->capacity) {
    size_t capacity = output->capacity ? output->capacity : 65536;
    while (capacity < output->size + count) capacity *= 2;
    uint8_t *bytes = realloc(output->bytes, capacity);
    if (bytes == NULL) {
      output->failed = 1;
      png_error(png, "out of memory");
    }
    output->bytes = bytes;
    output->capacity = capacity;
  }
  memcpy(output->bytes + output->size, data, count);
  output->size += count;
}

static void cpng_flush_memory(png_structp png) { (void)png; }

int cpng_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int bit_depth,
                const uint8_t *palette, int palette_entries, int compression_level, int filter, int strategy,
                uint8_t **out, size_t *out_size, char *message) {
  static const int color_types[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                     PNG_COLOR_TYPE_RGB_ALPHA};
  *out = NULL;
  *out_size = 0;
  if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16) || width == 0 || height == 0) {
    cpng_copy_message(message, "unsupported channel count or bit depth");
    return CPNG_ERROR;
  }
  if (palette != NULL && (channels != 1 || bit_depth != 8 || palette_entries < 1 || palette_entries > 256)) {
    cpng_copy_message(message, "a palette image needs one 8-bit channel and 1 to 256 palette entries");
    return CPNG_ERROR;
  }
  char error_text[CPNG_MESSAGE_CAPACITY] = {0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, error_text, cpng_on_error, cpng_on_warning);
  if (png == NULL) {
    cpng_copy_message(message, "out of memory");
    return CPNG_NO_MEMORY;
  }
  png_infop info = png_create_info_struct(png);
  if (info == NULL) {
    png_destroy_write_struct(&png, NULL);
    cpng_copy_message(message, "out of memory");
    return CPNG_NO_MEMORY;
  }
  size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
  // Room for the worst case up front (only the pages written are ever touched), so the output
  // is never reallocated and copied while it grows.
  cpng_output output = {0};
  output.capacity = (size_t)compressBound((uLong)((row_bytes + 1) * height)) + 4096;
  output.bytes = malloc(output.capacity);
  if (output.bytes == NULL) output.capacity = 0;
  cpng_output *volatile output_ref = &output;
  png_bytep *volatile rows = NULL;
  if (setjmp(png_jmpbuf(png))) {
    free(rows);
    free(output_ref->bytes);
    png_destroy_write_struct(&png, &info);
    cpng_copy_message(message, error_text);
    return CPNG_ERROR;
  }
  png_set_write_fn(png, &output, cpng_write_memory, cpng_flush_memory);
  png_set_compression_level(png, compression_level);
  if (strategy >= 0) png_set_compression_strategy(png, strategy);
  if (filter >= 0 && filter <= 4) {
    static const int filters[5] = {PNG_FILTER_NONE, PNG_FILTER_SUB, PNG_FILTER_UP, PNG_FILTER_AVG, PNG_FILTER_PAETH};
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters[filter]);
  }
  png_set_IHDR(png, info, width, height, bit_depth, palette != NULL ? PNG_COLOR_TYPE_PALETTE : color_types[channels],
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette != NULL) {
    png_color colors[256];
    for (int i = 0; i < palette_entries; i++) {
      colors[i].red = palette[3 * i];
      colors[i].green = palette[3 * i + 1];
      colors[i].blue = palette[3 * i + 2];
    }
    png_set_PLTE(png, info, colors, palette_entries);
  }
  png_write_info(png, info);
  if (bit_depth == 16) {
    const int probe = 1;
    if (*(const char *)&probe == 1) png_set_swap(png);
  }
  rows = malloc(sizeof(png_bytep) * height);
  if (rows == NULL) png_error(png, "out of memory");
  for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)y * row_bytes);
  png_write_image(png, rows);
  png_write_end(png, NULL);
  free(rows);
  png_destroy_write_struct(&png, &info);
  *out = output.bytes;
  *out_size = output.size;
  return CPNG_OK;
}

void cpng_free(void *pointer) { free(pointer); }

uint32_t cpng_crc32(const uint8_t *data, size_t size) { return (uint32_t)crc32(0L, data, (uInt)size); }
