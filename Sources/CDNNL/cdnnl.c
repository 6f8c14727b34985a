#include "cdnnl.h"
#include <oneapi/dnnl/dnnl.h>
#include <stdlib.h>

void omp_set_num_threads(int);

struct cdnnl_conv {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t conv, reorder_x, reorder_w, reorder_y;
  dnnl_memory_t x, w, b, y;     /* plain, user buffers (handles set per call) */
  dnnl_memory_t xb, wb, yb;     /* blocked, owned */
  const char *implementation;
};

#define TRY(call, message) do { if ((call) != dnnl_success) { *error = message; goto fail; } } while (0)

static int reorder(dnnl_primitive_t *out, const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_engine_t engine) {
  dnnl_primitive_desc_t pd;
  if (dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL) != dnnl_success) return -1;
  dnnl_status_t status = dnnl_primitive_create(out, pd);
  dnnl_primitive_desc_destroy(pd);
  return status == dnnl_success ? 0 : -1;
}

cdnnl_conv *cdnnl_conv_create(int n, int c, int h, int w, int o, int kh, int kw, int stride_y, int stride_x,
                              int pad_y, int pad_x, int dilation_y, int dilation_x, int has_bias, const char **error) {
  cdnnl_conv *conv = calloc(1, sizeof *conv);
  if (!conv) { *error = "out of memory"; return NULL; }
  int ho = (h + 2 * pad_y - dilation_y * (kh - 1) - 1) / stride_y + 1;
  int wo = (w + 2 * pad_x - dilation_x * (kw - 1) - 1) / stride_x + 1;
  dnnl_dims_t src_dims = {n, c, h, w}, weight_dims = {o, c, kh, kw}, bias_dims = {o}, dst_dims = {n, o, ho, wo};
  dnnl_dims_t strides = {stride_y, stride_x}, dilates = {dilation_y - 1, dilation_x - 1}, pads = {pad_y, pad_x};
  dnnl_memory_desc_t src_plain, weight_plain, bias_md, dst_plain, src_any, weight_any, dst_any;
  TRY(dnnl_engine_create(&conv->engine, dnnl_cpu, 0), "cannot create the oneDNN CPU engine");
  TRY(dnnl_stream_create(&conv->stream, conv->engine, dnnl_stream_default_flags), "cannot create a oneDNN stream");
  TRY(dnnl_memory_desc_init_by_tag(&src_plain, 4, src_dims, dnnl_f32, dnnl_nchw), "bad input shape");
  TRY(dnnl_memory_desc_init_by_tag(&weight_plain, 4, weight_dims, dnnl_f32, dnnl_oihw), "bad weight shape");
  TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x), "bad bias shape");
  TRY(dnnl_memory_desc_init_by_tag(&dst_plain, 4, dst_dims, dnnl_f32, dnnl_nchw), "bad output shape");
  TRY(dnnl_memory_desc_init_by_tag(&src_any, 4, src_dims, dnnl_f32, dnnl_format_tag_any), "bad input shape");
  TRY(dnnl_memory_desc_init_by_tag(&weight_any, 4, weight_dims, dnnl_f32, dnnl_format_tag_any), "bad weight shape");
  TRY(dnnl_memory_desc_init_by_tag(&dst_any, 4, dst_dims, dnnl_f32, dnnl_format_tag_any), "bad output shape");
  dnnl_convolution_desc_t desc;
  TRY(dnnl_dilated_convolution_forward_desc_init(&desc, dnnl_forward_inference, dnnl_convolution_direct, &src_any,
        &weight_any, has_bias ? &bias_md : NULL, &dst_any, strides, dilates, pads, pads),
      "oneDNN refuses this convolution geometry");
  TRY(dnnl_primitive_desc_create(&conv->pd, &desc, NULL, conv->engine, NULL), "oneDNN has no kernel for this convolution");
  dnnl_primitive_desc_query(conv->pd, dnnl_query_impl_info_str, 0, &conv->implementation);
  const dnnl_memory_desc_t *src_md = dnnl_primitive_desc_query_md(conv->pd, dnnl_query_src_md, 0);
  const dnnl_memory_desc_t *weight_md = dnnl_primitive_desc_query_md(conv->pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *dst_md = dnnl_primitive_desc_query_md(conv->pd, dnnl_query_dst_md, 0);
  TRY(dnnl_primitive_create(&conv->conv, conv->pd), "cannot create the oneDNN convolution");
  TRY(dnnl_memory_create(&conv->x, &src_plain, conv->engine, DNNL_MEMORY_NONE), "cannot wrap the input");
  TRY(dnnl_memory_create(&conv->w, &weight_plain, conv->engine, DNNL_MEMORY_NONE), "cannot wrap the weight");
  TRY(dnnl_memory_create(&conv->b, &bias_md, conv->engine, DNNL_MEMORY_NONE), "cannot wrap the bias");
  TRY(dnnl_memory_create(&conv->y, &dst_plain, conv->engine, DNNL_MEMORY_NONE), "cannot wrap the output");
  TRY(dnnl_memory_create(&conv->xb, src_md, conv->engine, DNNL_MEMORY_ALLOCATE), "cannot allocate the blocked input");
  TRY(dnnl_memory_create(&conv->wb, weight_md, conv->engine, DNNL_MEMORY_ALLOCATE), "cannot allocate the blocked weight");
  TRY(dnnl_memory_create(&conv->yb, dst_md, conv->engine, DNNL_MEMORY_ALLOCATE), "cannot allocate the blocked output");
  if (reorder(&conv->reorder_x, &src_plain, src_md, conv->engine) || reorder(&conv->reorder_w, &weight_plain, weight_md, conv->engine)
      || reorder(&conv->reorder_y, dst_md, &dst_plain, conv->engine)) {
    *error = "oneDNN cannot reorder between plain and blocked layouts";
    goto fail;
  }
  return conv;
fail:
  cdnnl_conv_destroy(conv);
  return NULL;
}

int cdnnl_conv_forward(cdnnl_conv *conv, const float *x, const float *weight, const float *bias, float *y,
                       const char **error) {
  if (dnnl_memory_set_data_handle(conv->x, (void *)x) != dnnl_success
      || dnnl_memory_set_data_handle(conv->w, (void *)weight) != dnnl_success
      || dnnl_memory_set_data_handle(conv->y, y) != dnnl_success
      || (bias && dnnl_memory_set_data_handle(conv->b, (void *)bias) != dnnl_success)) {
    *error = "cannot attach the buffers";
    return -1;
  }
  dnnl_exec_arg_t rx[2] = {{DNNL_ARG_FROM, conv->x}, {DNNL_ARG_TO, conv->xb}};
  dnnl_exec_arg_t rw[2] = {{DNNL_ARG_FROM, conv->w}, {DNNL_ARG_TO, conv->wb}};
  dnnl_exec_arg_t ry[2] = {{DNNL_ARG_FROM, conv->yb}, {DNNL_ARG_TO, conv->y}};
  dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, conv->xb}, {DNNL_ARG_WEIGHTS, conv->wb}, {DNNL_ARG_DST, conv->yb}, {DNNL_ARG_BIAS, conv->b}};
  if (dnnl_primitive_execute(conv->reorder_x, conv->stream, 2, rx) != dnnl_success
      || dnnl_primitive_execute(conv->reorder_w, conv->stream, 2, rw) != dnnl_success
      || dnnl_primitive_execute(conv->conv, conv->stream, bias ? 4 : 3, args) != dnnl_success
      || dnnl_primitive_execute(conv->reorder_y, conv->stream, 2, ry) != dnnl_success
      || dnnl_stream_wait(conv->stream) != dnnl_success) {
    *error = "the oneDNN convolution failed";
    return -1;
  }
  return 0;
}

const char *cdnnl_conv_implementation(const cdnnl_conv *conv) { return conv->implementation ? conv->implementation : "unknown"; }

void cdnnl_conv_destroy(cdnnl_conv *conv) {
  if (!conv) return;
  dnnl_primitive_t primitives[] = {conv->conv, conv->reorder_x, conv->reorder_w, conv->reorder_y};
  for (int i = 0; i < 4; i++) if (primitives[i]) dnnl_primitive_destroy(primitives[i]);
  dnnl_memory_t memories[] = {conv->x, conv->w, conv->b, conv->y, conv->xb, conv->wb, conv->yb};
  for (int i = 0; i < 7; i++) if (memories[i]) dnnl_memory_destroy(memories[i]);
  if (conv->pd) dnnl_primitive_desc_destroy(conv->pd);
  if (conv->stream) dnnl_stream_destroy(conv->stream);
  if (conv->engine) dnnl_engine_destroy(conv->engine);
  free(conv);
}

void cdnnl_set_threads(int threads) { omp_set_num_threads(threads > 0 ? threads : 1); }
