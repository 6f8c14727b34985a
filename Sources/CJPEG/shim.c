#include "CJPEG.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

typedef struct {
  struct jpeg_error_mgr base;
  jmp_buf jump;
  char message[CJPEG_MESSAGE_CAPACITY];
  int premature_end;
  int lenient;          // warnings are counted (first text kept) instead of ending the decode
  int strict_warning;   // the longjmp came from a warning in strict mode
  char first_warning[CJPEG_MESSAGE_CAPACITY];
} cjpeg_error_manager;

struct cjpeg_decoder {
  struct jpeg_decompress_struct cinfo;
  cjpeg_error_manager error;
};

static void cjpeg_copy_message(char *dst, const char *src) {
  if (dst == NULL) return;
  strncpy(dst, src ? src : "unknown error", CJPEG_MESSAGE_CAPACITY - 1);
  dst[CJPEG_MESSAGE_CAPACITY - 1] = '\0';
}

static void cjpeg_error_exit(j_common_ptr cinfo) {
  cjpeg_error_manager *error = (cjpeg_error_manager *)cinfo->err;
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  cjpeg_copy_message(error->message, text);
  longjmp(error->jump, 1);
}

static void cjpeg_emit_message(j_common_ptr cinfo, int level) {
  cjpeg_error_manager *error = (cjpeg_error_manager *)cinfo->err;
  if (level >= 0) return;  // trace messages
  // A warning (every JWRN_*): libjpeg carries on with data it made up.
  // A truncated file is padded with gray: that is the error it is, in both modes.
  if (cinfo->err->msg_code == JWRN_JPEG_EOF) {
    error->premature_end = 1;
    cinfo->err->num_warnings++;
    return;
  }
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  if (!error->lenient) {  // strict: the warning ends the decode as an error
    cjpeg_copy_message(error->message, text);
    error->strict_warning = 1;
    longjmp(error->jump, 1);
  }
  if (cinfo->err->num_warnings == 0) cjpeg_copy_message(error->first_warning, text);
  cinfo->err->num_warnings++;
}

static void cjpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void cjpeg_install_errors(cjpeg_error_manager *error, j_common_ptr cinfo) {
  cinfo->err = jpeg_std_error(&error->base);
  error->base.error_exit = cjpeg_error_exit;
  error->base.emit_message = cjpeg_emit_message;
  error->base.output_message = cjpeg_output_message;
}

/// Bytes of the whole-image coefficient buffer a multi-scan decode allocates (0 for one scan).
static uint64_t cjpeg_coefficient_bytes(struct jpeg_decompress_struct *cinfo) {
  if (!jpeg_has_multiple_scans(cinfo) && !cinfo->buffered_image) return 0;
  uint64_t total = 0;
  for (int c = 0; c < cinfo->num_components; c++) {
    jpeg_component_info *component = &cinfo->comp_info[c];
    uint64_t h = (uint64_t)component->h_samp_factor, v = (uint64_t)component->v_samp_factor;
    uint64_t columns = ((uint64_t)component->width_in_blocks + h - 1) / h * h;
    uint64_t rows = ((uint64_t)component->height_in_blocks + v - 1) / v * v;
    total += columns * rows * sizeof(JBLOCK);
  }
  return total;
}

/// 8x8 blocks of the component with the most of them (the full-resolution one).
static uint64_t cjpeg_fullest_component_blocks(struct jpeg_decompress_struct *cinfo) {
  uint64_t most = 0;
  for (int c = 0; c < cinfo->num_components; c++) {
    uint64_t blocks = (uint64_t)cinfo->comp_info[c].width_in_blocks * (uint64_t)cinfo->comp_info[c].height_in_blocks;
    if (blocks > most) most = blocks;
  }
  return most;
}

int cjpeg_decoder_warnings(const cjpeg_decoder *decoder, char *message) {
  if (decoder == NULL) return 0;
  int count = decoder->error.base.num_warnings > 0 ? (int)decoder->error.base.num_warnings : 0;
  if (count > 0) cjpeg_copy_message(message, decoder->error.first_warning);
  return count;
}

int cjpeg_decoder_create(const uint8_t *data, size_t size, int scale_denominator, const cjpeg_limits *limits,
                         cjpeg_decoder **out, cjpeg_info *info, char *message) {
  *out = NULL;
  cjpeg_decoder *decoder = calloc(1, sizeof(cjpeg_decoder));
  if (decoder == NULL) {
    cjpeg_copy_message(message, "out of memory");
    return CJPEG_NO_MEMORY;
  }
  cjpeg_install_errors(&decoder->error, (j_common_ptr)&decoder->cinfo);
  decoder->error.lenient = limits->lenient;
  if (setjmp(decoder->error.jump)) {
    int status = decoder->error.strict_warning ? CJPEG_WARNING : CJPEG_ERROR;
    cjpeg_copy_message(message, decoder->error.message);
    cjpeg_decoder_destroy(decoder);
    return status;
  }
  jpeg_create_decompress(&decoder->cinfo);
  if (limits->max_memory > 0) decoder->cinfo.mem->max_memory_to_use = (long)limits->max_memory;
  jpeg_mem_src(&decoder->cinfo, data, (unsigned long)size);
  jpeg_read_header(&decoder->cinfo, TRUE);
  if (decoder->error.premature_end) {
    cjpeg_copy_message(message, "premature end of JPEG data (file truncated)");
    cjpeg_decoder_destroy(decoder);
    return CJPEG_ERROR;
  }

  struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
  info->image_width = cinfo->image_width;
  info->image_height = cinfo->image_height;
  info->progressive = jpeg_has_multiple_scans(cinfo) ? 1 : 0;
  info->jpeg_color_space = cinfo->jpeg_color_space;
  if ((uint64_t)cinfo->image_width * (uint64_t)cinfo->image_height > limits->max_pixels) {
    cjpeg_copy_message(message, "image exceeds the pixel limit");
    cjpeg_decoder_destroy(decoder);
    return CJPEG_TOO_LARGE;
  }
  // Huffman coding spends at least one bit on every block of a component it codes (see
  // DecodeOptions.jpegMaxPixelsPerByte); arithmetic coding has no such floor and is not checked.
  if (limits->max_pixels_per_byte > 0 && !cinfo->arith_code &&
      cjpeg_fullest_component_blocks(cinfo) * 64 > (uint64_t)size * limits->max_pixels_per_byte) {
    cjpeg_copy_message(message, "the claimed size cannot be coded in the file's bytes");
    cjpeg_decoder_destroy(decoder);
    return CJPEG_IMPLAUSIBLE;
  }
  uint64_t coefficients = cjpeg_coefficient_bytes(cinfo);
  if (limits->max_memory > 0 && coefficients > limits->max_memory) {
    snprintf(message, CJPEG_MESSAGE_CAPACITY,
             "a multi-scan decode needs %llu bytes of coefficient memory, over the working-memory limit of %llu bytes",
             (unsigned long long)coefficients, (unsigned long long)limits->max_memory);
    cjpeg_decoder_destroy(decoder);
    return CJPEG_MEMORY_LIMIT;
  }
  switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
      cinfo->out_color_space = JCS_GRAYSCALE;
      break;
    case JCS_YCbCr:
    case JCS_RGB:
      cinfo->out_color_space = JCS_RGB;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      cjpeg_copy_message(message, "CMYK/YCCK colour space (convert the file to RGB first)");
      cjpeg_decoder_destroy(decoder);
      return CJPEG_UNSUPPORTED;
    default:
      cjpeg_copy_message(message, "unknown colour space");
      cjpeg_decoder_destroy(decoder);
      return CJPEG_UNSUPPORTED;
  }
  cinfo->scale_num = 1;
  cinfo->scale_denom = (unsigned int)scale_denominator;
  jpeg_calc_output_dimensions(cinfo);
  info->output_width = cinfo->output_width;
  info->output_height = cinfo->output_height;
  info->channels = cinfo->output_components;
  *out = decoder;
  return CJPEG_OK;
}

int cjpeg_decoder_read(cjpeg_decoder *decoder, uint8_t *pixels, size_t capacity, char *message) {
  struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
  if (setjmp(decoder->error.jump)) {
    cjpeg_copy_message(message, decoder->error.message);
    return decoder->error.strict_warning ? CJPEG_WARNING : CJPEG_ERROR;
  }
  jpeg_start_decompress(cinfo);
  size_t row_bytes = (size_t)cinfo->output_width * (size_t)cinfo->output_components;
  if (capacity < row_bytes * cinfo->output_height) {
    cjpeg_copy_message(message, "destination buffer too small");
    return CJPEG_ERROR;
  }
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = pixels + (size_t)cinfo->output_scanline * row_bytes;
    if (jpeg_read_scanlines(cinfo, &row, 1) != 1) break;
    if (decoder->error.premature_end) break;
  }
  if (decoder->error.premature_end || cinfo->output_scanline < cinfo->output_height) {
    cjpeg_copy_message(message, "premature end of JPEG data (file truncated)");
    return CJPEG_ERROR;
  }
  jpeg_finish_decompress(cinfo);
  if (decoder->error.premature_end) {
    cjpeg_copy_message(message, "premature end of JPEG data (file truncated)");
    return CJPEG_ERROR;
  }
  return CJPEG_OK;
}

void cjpeg_decoder_destroy(cjpeg_decoder *decoder) {
  if (decoder == NULL) return;
  jpeg_destroy_decompress(&decoder->cinfo);
  free(decoder);
}

// MARK: - Encoding

int cjpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels, int quality,
                 int subsampling, int progressive, uint8_t **out, size_t *out_size, char *message) {
  *out = NULL;
  *out_size = 0;
  if ((channels != 1 && channels != 3) || width == 0 || height == 0 || width > 65500 || height > 65500) {
    cjpeg_copy_message(message, "JPEG holds 1 (gray) or 3 (RGB) channels and at most 65500 pixels a side");
    return CJPEG_ERROR;
  }
  // The output pointer and size live on the heap so that their values survive a longjmp.
  struct {
    unsigned char *bytes;
    unsigned long size;
  } *const destination = calloc(1, sizeof(*destination));
  if (destination == NULL) {
    cjpeg_copy_message(message, "out of memory");
    return CJPEG_NO_MEMORY;
  }
  struct jpeg_compress_struct cinfo;
  cjpeg_error_manager error;
  memset(&error, 0, sizeof(error));
  error.lenient = 1;  // encoder warnings do not make the output wrong
  cjpeg_install_errors(&error, (j_common_ptr)&cinfo);
  if (setjmp(error.jump)) {
    jpeg_destroy_compress(&cinfo);
    free(destination->bytes);
    free(destination);
    cjpeg_copy_message(message, error.message);
    return CJPEG_ERROR;
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, &destination->bytes, &destination->size);
  cinfo.image_width = width;
  cinfo.image_height = height;
  cinfo.input_components = channels;
  cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  cinfo.dct_method = JDCT_ISLOW;
  if (channels == 3) {
    cinfo.comp_info[0].h_samp_factor = subsampling == 444 ? 1 : 2;
    cinfo.comp_info[0].v_samp_factor = subsampling == 420 ? 2 : 1;
    for (int c = 1; c < 3; c++) {
      cinfo.comp_info[c].h_samp_factor = 1;
      cinfo.comp_info[c].v_samp_factor = 1;
    }
  }
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  size_t row_bytes = (size_t)width * (size_t)channels;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row_bytes);
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  *out = destination->bytes;
  *out_size = destination->size;
  free(destination);
  return CJPEG_OK;
}

void cjpeg_free(void *pointer) { free(pointer); }

// MARK: - Reference decode (tests)

static void cjpeg_silent_output(j_common_ptr cinfo) { (void)cinfo; }

int cjpeg_reference_decode(const uint8_t *data, size_t size, uint8_t **pixels, uint32_t *width, uint32_t *height,
                           int *channels, long *warnings, char *message) {
  *pixels = NULL;
  *warnings = 0;
  struct jpeg_decompress_struct cinfo;
  cjpeg_error_manager error;
  memset(&error, 0, sizeof(error));
  cinfo.err = jpeg_std_error(&error.base);
  error.base.error_exit = cjpeg_error_exit;        // longjmp instead of exit()
  error.base.output_message = cjpeg_silent_output;  // libjpeg's own emit_message counts the warnings
  uint8_t *volatile buffer = NULL;
  if (setjmp(error.jump)) {
    *warnings = error.base.num_warnings;
    jpeg_destroy_decompress(&cinfo);
    free(buffer);
    cjpeg_copy_message(message, error.message);
    return CJPEG_ERROR;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, (unsigned long)size);
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
  buffer = malloc(row_bytes * cinfo.output_height + 1);
  if (buffer == NULL) ERREXIT1(&cinfo, JERR_OUT_OF_MEMORY, 0);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = buffer + (size_t)cinfo.output_scanline * row_bytes;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  *width = cinfo.output_width;
  *height = cinfo.output_height;
  *channels = cinfo.output_components;
  *warnings = error.base.num_warnings;
  *pixels = buffer;
  jpeg_destroy_decompress(&cinfo);
  return CJPEG_OK;
}
