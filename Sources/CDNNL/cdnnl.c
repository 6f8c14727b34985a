#include "cdnnl.h"
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void omp_set_num_threads(int);

/// One argument of a primitive: the caller's plain buffer and the layout the primitive wants,
/// with the reorder between them (none when the layouts agree). A blocked copy (`bytes` > 0) has no
/// memory of its own: it lives in the calling thread's workspace only while a pass runs.
typedef struct {
  dnnl_memory_t user, inner;
  dnnl_primitive_t reorder;
  int into_inner;
  size_t bytes;
} port;

/// The blocked copies of one pass live here, one workspace per thread, grown to the largest pass
/// that thread ran and freed when it exits. Kept per convolution instead, they held several times
/// every layer's activations for the whole run (more than the activations themselves).
typedef struct {
  void *data;
  size_t size;
} workspace;

static pthread_key_t workspace_key;
static pthread_once_t workspace_once = PTHREAD_ONCE_INIT;

static void workspace_free(void *pointer) {
  workspace *space = pointer;
  free(space->data);
  free(space);
}

static void workspace_make_key(void) { pthread_key_create(&workspace_key, workspace_free); }

/// The calling thread's workspace with at least `size` bytes, 64-byte aligned; NULL when out of memory.
static char *workspace_get(size_t size) {
  pthread_once(&workspace_once, workspace_make_key);
  workspace *space = pthread_getspecific(workspace_key);
  if (!space) {
    if (!(space = calloc(1, sizeof *space)) || pthread_setspecific(workspace_key, space)) { free(space); return NULL; }
  }
  if (space->size < size) {
    free(space->data);
    space->data = NULL;
    space->size = 0;
    if (posix_memalign(&space->data, 64, size)) { space->data = NULL; return NULL; }
    space->size = size;
  }
  return space->data;
}

static size_t aligned(size_t bytes) { return (bytes + 63) & ~(size_t)63; }

/// Points the blocked copies of `ports` at consecutive parts of the thread's workspace.
static int ports_attach(port *const *ports, int count) {
  size_t total = 0;
  for (int i = 0; i < count; i++) total += aligned(ports[i]->bytes);
  if (total == 0) return 0;
  char *base = workspace_get(total);
  if (!base) return -1;
  for (int i = 0; i < count; i++) {
    if (!ports[i]->bytes) continue;
    if (dnnl_memory_set_data_handle(ports[i]->inner, base) != dnnl_success) return -1;
    base += aligned(ports[i]->bytes);
  }
  return 0;
}

struct cdnnl_conv {
  dnnl_engine_t engine;
  dnnl_stream_t stream;
  dnnl_primitive_desc_t forward_pd, data_pd, weights_pd;
  dnnl_primitive_t forward, backward_data, backward_weights;
  port x, w, b, y;             /* forward */
  port dy_d, w_d, dx;          /* backward data */
  port x_w, dy_w, dw, db;      /* backward weights */
  int has_bias, training, winograd;
  int dy_shared; /* both backward passes take dy in the same layout */
  const char *implementation;
  /* Inference with Winograd: the transformed weights persist between calls, with the plain weights
     they were made from, so that a forward pass with unchanged weights skips the transform. */
  void *kept_weights;
  float *seen_weights;
  size_t weight_bytes;
  int kept_valid;
};

static int port_init(port *p, const dnnl_memory_desc_t *plain, const dnnl_memory_desc_t *inner, int into_inner,
                     dnnl_engine_t engine) {
  p->into_inner = into_inner;
  if (dnnl_memory_create(&p->user, plain, engine, DNNL_MEMORY_NONE) != dnnl_success) return -1;
  if (dnnl_memory_desc_equal(plain, inner)) {
    p->inner = p->user;
    return 0;
  }
  if (dnnl_memory_create(&p->inner, inner, engine, DNNL_MEMORY_NONE) != dnnl_success) return -1;
  p->bytes = dnnl_memory_desc_get_size(inner);
  dnnl_primitive_desc_t pd;
  dnnl_status_t status = into_inner ? dnnl_reorder_primitive_desc_create(&pd, plain, engine, inner, engine, NULL)
                                    : dnnl_reorder_primitive_desc_create(&pd, inner, engine, plain, engine, NULL);
  if (status != dnnl_success) return -1;
  status = dnnl_primitive_create(&p->reorder, pd);
  dnnl_primitive_desc_destroy(pd);
  return status == dnnl_success ? 0 : -1;
}

static int port_bind(port *p, const void *data) {
  return dnnl_memory_set_data_handle(p->user, (void *)data) == dnnl_success ? 0 : -1;
}

static int port_sync(port *p, dnnl_stream_t stream) {
  if (!p->reorder) return 0;
  dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, p->into_inner ? p->user : p->inner}, {DNNL_ARG_TO, p->into_inner ? p->inner : p->user}};
  return dnnl_primitive_execute(p->reorder, stream, 2, args) == dnnl_success ? 0 : -1;
}

static void port_destroy(port *p) {
  if (p->reorder) dnnl_primitive_destroy(p->reorder);
  if (p->inner && p->inner != p->user) dnnl_memory_destroy(p->inner);
  if (p->user) dnnl_memory_destroy(p->user);
}

static const dnnl_memory_desc_t *md(dnnl_primitive_desc_t pd, dnnl_query_t what) {
  return dnnl_primitive_desc_query_md(pd, what, 0);
}

#define TRY(call, message) do { if ((call) != dnnl_success) { *error = message; goto fail; } } while (0)
#define PORT(call) do { if ((call) != 0) { *error = "oneDNN cannot reorder between plain and blocked layouts"; goto fail; } } while (0)

/// The shape of a convolution, as `cdnnl_conv_create` takes it.
typedef struct {
  dnnl_dims_t src, weights, bias, dst, strides, dilates, pads;
} conv_shape;

/// The plain (NCHW, OIHW, x) and free (`any`) descriptors of `shape`.
typedef struct {
  dnnl_memory_desc_t src_plain, weight_plain, bias, dst_plain, src_any, weight_any, dst_any;
} conv_descriptors;

static int describe(const conv_shape *shape, conv_descriptors *d) {
  return dnnl_memory_desc_init_by_tag(&d->src_plain, 4, shape->src, dnnl_f32, dnnl_nchw) != dnnl_success
      || dnnl_memory_desc_init_by_tag(&d->weight_plain, 4, shape->weights, dnnl_f32, dnnl_oihw) != dnnl_success
      || dnnl_memory_desc_init_by_tag(&d->bias, 1, shape->bias, dnnl_f32, dnnl_x) != dnnl_success
      || dnnl_memory_desc_init_by_tag(&d->dst_plain, 4, shape->dst, dnnl_f32, dnnl_nchw) != dnnl_success
      || dnnl_memory_desc_init_by_tag(&d->src_any, 4, shape->src, dnnl_f32, dnnl_format_tag_any) != dnnl_success
      || dnnl_memory_desc_init_by_tag(&d->weight_any, 4, shape->weights, dnnl_f32, dnnl_format_tag_any) != dnnl_success
      || dnnl_memory_desc_init_by_tag(&d->dst_any, 4, shape->dst, dnnl_f32, dnnl_format_tag_any) != dnnl_success
           ? -1 : 0;
}

/// The forward primitive and its ports, with a ReLU post-op when `relu` is set.
static int create_forward(cdnnl_conv *conv, const conv_shape *shape, const conv_descriptors *d, dnnl_alg_kind_t algorithm,
                          int relu, const char **error) {
  dnnl_post_ops_t post_ops = NULL;
  dnnl_primitive_attr_t attributes = NULL;
  dnnl_convolution_desc_t forward;
  TRY(dnnl_dilated_convolution_forward_desc_init(&forward, conv->training ? dnnl_forward_training : dnnl_forward_inference,
        algorithm, &d->src_any, &d->weight_any, conv->has_bias ? &d->bias : NULL, &d->dst_any, shape->strides,
        shape->dilates, shape->pads, shape->pads), "oneDNN refuses this convolution geometry");
  if (relu) {
    TRY(dnnl_post_ops_create(&post_ops), "cannot create oneDNN post-ops");
    TRY(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f), "oneDNN refuses a ReLU post-op");
    TRY(dnnl_primitive_attr_create(&attributes), "cannot create oneDNN primitive attributes");
    TRY(dnnl_primitive_attr_set_post_ops(attributes, post_ops), "oneDNN refuses the post-ops");
  }
  TRY(dnnl_primitive_desc_create(&conv->forward_pd, &forward, attributes, conv->engine, NULL), "oneDNN has no kernel for this convolution");
  dnnl_primitive_desc_query(conv->forward_pd, dnnl_query_impl_info_str, 0, &conv->implementation);
  TRY(dnnl_primitive_create(&conv->forward, conv->forward_pd), "cannot create the oneDNN convolution");
  PORT(port_init(&conv->x, &d->src_plain, md(conv->forward_pd, dnnl_query_src_md), 1, conv->engine));
  PORT(port_init(&conv->w, &d->weight_plain, md(conv->forward_pd, dnnl_query_weights_md), 1, conv->engine));
  PORT(port_init(&conv->b, &d->bias, &d->bias, 1, conv->engine));
  PORT(port_init(&conv->y, &d->dst_plain, md(conv->forward_pd, dnnl_query_dst_md), 0, conv->engine));
  if (attributes) dnnl_primitive_attr_destroy(attributes);
  if (post_ops) dnnl_post_ops_destroy(post_ops);
  return 0;
fail:
  if (attributes) dnnl_primitive_attr_destroy(attributes);
  if (post_ops) dnnl_post_ops_destroy(post_ops);
  return -1;
}

/// Gives an inference convolution a transformed copy of its weights of its own, kept between calls.
static int keep_weights(cdnnl_conv *conv, const conv_descriptors *d) {
  conv->weight_bytes = dnnl_memory_desc_get_size(&d->weight_plain);
  if (posix_memalign(&conv->kept_weights, 64, aligned(conv->w.bytes)) || !(conv->seen_weights = malloc(conv->weight_bytes))) return -1;
  if (dnnl_memory_set_data_handle(conv->w.inner, conv->kept_weights) != dnnl_success) return -1;
  conv->w.bytes = 0; /* no longer in the workspace */
  return 0;
}

/// Both backward primitives and their ports, with `algorithm` (the forward one's).
static int create_backward(cdnnl_conv *conv, const conv_shape *shape, const conv_descriptors *d, dnnl_alg_kind_t algorithm,
                           const char **error) {
  dnnl_convolution_desc_t data, weights;
  TRY(dnnl_dilated_convolution_backward_data_desc_init(&data, algorithm, &d->src_any, &d->weight_any, &d->dst_any,
        shape->strides, shape->dilates, shape->pads, shape->pads), "oneDNN refuses this convolution's backward pass");
  TRY(dnnl_primitive_desc_create(&conv->data_pd, &data, NULL, conv->engine, conv->forward_pd), "oneDNN has no backward-data kernel");
  TRY(dnnl_primitive_create(&conv->backward_data, conv->data_pd), "cannot create the oneDNN backward-data pass");
  PORT(port_init(&conv->dy_d, &d->dst_plain, md(conv->data_pd, dnnl_query_diff_dst_md), 1, conv->engine));
  PORT(port_init(&conv->w_d, &d->weight_plain, md(conv->data_pd, dnnl_query_weights_md), 1, conv->engine));
  PORT(port_init(&conv->dx, &d->src_plain, md(conv->data_pd, dnnl_query_diff_src_md), 0, conv->engine));
  TRY(dnnl_dilated_convolution_backward_weights_desc_init(&weights, algorithm, &d->src_any, &d->weight_any,
        conv->has_bias ? &d->bias : NULL, &d->dst_any, shape->strides, shape->dilates, shape->pads, shape->pads),
      "oneDNN refuses this convolution's weight gradient");
  TRY(dnnl_primitive_desc_create(&conv->weights_pd, &weights, NULL, conv->engine, conv->forward_pd), "oneDNN has no backward-weights kernel");
  TRY(dnnl_primitive_create(&conv->backward_weights, conv->weights_pd), "cannot create the oneDNN backward-weights pass");
  PORT(port_init(&conv->x_w, &d->src_plain, md(conv->weights_pd, dnnl_query_src_md), 1, conv->engine));
  PORT(port_init(&conv->dy_w, &d->dst_plain, md(conv->weights_pd, dnnl_query_diff_dst_md), 1, conv->engine));
  PORT(port_init(&conv->dw, &d->weight_plain, md(conv->weights_pd, dnnl_query_diff_weights_md), 0, conv->engine));
  PORT(port_init(&conv->db, &d->bias, &d->bias, 0, conv->engine));
  conv->dy_shared = dnnl_memory_desc_equal(md(conv->data_pd, dnnl_query_diff_dst_md), md(conv->weights_pd, dnnl_query_diff_dst_md));
  return 0;
fail:
  return -1;
}

static cdnnl_conv *create(const conv_shape *shape, dnnl_alg_kind_t algorithm, int has_bias, int training, int relu,
                          const char **error) {
  conv_descriptors d;
  cdnnl_conv *conv = calloc(1, sizeof *conv);
  if (!conv) { *error = "out of memory"; return NULL; }
  conv->has_bias = has_bias;
  conv->training = training;
  conv->winograd = algorithm == dnnl_convolution_winograd;
  TRY(dnnl_engine_create(&conv->engine, dnnl_cpu, 0), "cannot create the oneDNN CPU engine");
  TRY(dnnl_stream_create(&conv->stream, conv->engine, dnnl_stream_default_flags), "cannot create a oneDNN stream");
  if (describe(shape, &d)) { *error = "bad convolution shape"; goto fail; }
  if (create_forward(conv, shape, &d, algorithm, relu, error)) goto fail;
  if (training && create_backward(conv, shape, &d, algorithm, error)) goto fail;
  if (!training && conv->winograd && conv->w.bytes && keep_weights(conv, &d)) { *error = "out of memory"; goto fail; }
  return conv;
fail:
  cdnnl_conv_destroy(conv);
  return NULL;
}

cdnnl_conv *cdnnl_conv_create(int n, int c, int h, int w, int o, int kh, int kw, int stride_y, int stride_x,
                              int pad_y, int pad_x, int dilation_y, int dilation_x, int has_bias, int training,
                              int relu, int winograd, const char **error) {
  if (relu && training) { *error = "a fused ReLU is for evaluation only"; return NULL; }
  int ho = (h + 2 * pad_y - dilation_y * (kh - 1) - 1) / stride_y + 1;
  int wo = (w + 2 * pad_x - dilation_x * (kw - 1) - 1) / stride_x + 1;
  conv_shape shape = {{n, c, h, w}, {o, c, kh, kw}, {o}, {n, o, ho, wo}, {stride_y, stride_x}, {dilation_y - 1, dilation_x - 1},
                      {pad_y, pad_x}};
  if (winograd && kh == 3 && kw == 3 && stride_y == 1 && stride_x == 1 && dilation_y == 1 && dilation_x == 1) {
    const char *ignored;
    cdnnl_conv *conv = create(&shape, dnnl_convolution_winograd, has_bias, training, relu, &ignored);
    if (conv) return conv;
  }
  return create(&shape, dnnl_convolution_direct, has_bias, training, relu, error);
}

static int run(dnnl_primitive_t primitive, dnnl_stream_t stream, int count, dnnl_exec_arg_t *args) {
  return dnnl_primitive_execute(primitive, stream, count, args) == dnnl_success ? 0 : -1;
}

/// Brings the weights into the forward primitive's layout: every call, or for kept weights only
/// when they differ from those of the last call.
static int weights_sync(cdnnl_conv *conv, const float *weight) {
  if (!conv->kept_weights) return port_sync(&conv->w, conv->stream);
  if (conv->kept_valid && !memcmp(conv->seen_weights, weight, conv->weight_bytes)) return 0;
  conv->kept_valid = 0;
  if (port_sync(&conv->w, conv->stream) || dnnl_stream_wait(conv->stream) != dnnl_success) return -1;
  memcpy(conv->seen_weights, weight, conv->weight_bytes);
  conv->kept_valid = 1;
  return 0;
}

int cdnnl_conv_forward(cdnnl_conv *conv, const float *x, const float *weight, const float *bias, float *y,
                       const char **error) {
  if ((conv->has_bias && !bias) || port_bind(&conv->x, x) || port_bind(&conv->w, weight) || port_bind(&conv->y, y)
      || (bias && port_bind(&conv->b, bias)) || ports_attach((port *const[]){&conv->x, &conv->w, &conv->y, &conv->b}, 4)) {
    *error = "cannot attach the buffers";
    return -1;
  }
  dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, conv->x.inner}, {DNNL_ARG_WEIGHTS, conv->w.inner}, {DNNL_ARG_DST, conv->y.inner},
                             {DNNL_ARG_BIAS, conv->b.inner}};
  if (port_sync(&conv->x, conv->stream) || weights_sync(conv, weight)
      || run(conv->forward, conv->stream, conv->has_bias ? 4 : 3, args) || port_sync(&conv->y, conv->stream)
      || dnnl_stream_wait(conv->stream) != dnnl_success) {
    *error = "the oneDNN convolution failed";
    return -1;
  }
  return 0;
}

int cdnnl_conv_backward(cdnnl_conv *conv, const float *x, const float *dy, const float *weight, float *dx, float *dw,
                        float *db, const char **error) {
  if (!conv->training) { *error = "not created for training"; return -1; }
  /* Both passes read dy in the same blocked layout (the usual case): reorder it once. */
  int shared = dx && conv->dy_shared;
  if ((conv->has_bias && !db) || port_bind(&conv->x_w, x) || port_bind(&conv->dy_w, dy) || port_bind(&conv->dw, dw)
      || (db && port_bind(&conv->db, db)) || (dx && (port_bind(&conv->dy_d, dy) || port_bind(&conv->w_d, weight) || port_bind(&conv->dx, dx)))
      || ports_attach((port *const[]){&conv->x_w, &conv->dy_w, &conv->dw, &conv->db, &conv->w_d, &conv->dx, &conv->dy_d},
                      dx ? (shared ? 6 : 7) : 4)) {
    *error = "cannot attach the buffers";
    return -1;
  }
  dnnl_exec_arg_t weight_args[4] = {{DNNL_ARG_SRC, conv->x_w.inner}, {DNNL_ARG_DIFF_DST, conv->dy_w.inner},
                                    {DNNL_ARG_DIFF_WEIGHTS, conv->dw.inner}, {DNNL_ARG_DIFF_BIAS, conv->db.inner}};
  if (port_sync(&conv->x_w, conv->stream) || port_sync(&conv->dy_w, conv->stream)
      || run(conv->backward_weights, conv->stream, conv->has_bias ? 4 : 3, weight_args) || port_sync(&conv->dw, conv->stream)) {
    *error = "the oneDNN backward-weights pass failed";
    return -1;
  }
  dnnl_exec_arg_t data_args[3] = {{DNNL_ARG_DIFF_DST, shared ? conv->dy_w.inner : conv->dy_d.inner},
                                  {DNNL_ARG_WEIGHTS, conv->w_d.inner}, {DNNL_ARG_DIFF_SRC, conv->dx.inner}};
  if (dx && ((!shared && port_sync(&conv->dy_d, conv->stream)) || port_sync(&conv->w_d, conv->stream)
             || run(conv->backward_data, conv->stream, 3, data_args) || port_sync(&conv->dx, conv->stream))) {
    *error = "the oneDNN backward-data pass failed";
    return -1;
  }
  if (dnnl_stream_wait(conv->stream) != dnnl_success) {
    *error = "the oneDNN backward pass failed";
    return -1;
  }
  return 0;
}

const char *cdnnl_conv_implementation(const cdnnl_conv *conv) { return conv->implementation ? conv->implementation : "unknown"; }

int cdnnl_conv_is_winograd(const cdnnl_conv *conv) { return conv->winograd; }

void cdnnl_conv_destroy(cdnnl_conv *conv) {
  if (!conv) return;
  port *ports[] = {&conv->x, &conv->w, &conv->b, &conv->y, &conv->dy_d, &conv->w_d, &conv->dx,
                   &conv->x_w, &conv->dy_w, &conv->dw, &conv->db};
  for (size_t i = 0; i < sizeof ports / sizeof *ports; i++) port_destroy(ports[i]);
  dnnl_primitive_t primitives[] = {conv->forward, conv->backward_data, conv->backward_weights};
  for (int i = 0; i < 3; i++) if (primitives[i]) dnnl_primitive_destroy(primitives[i]);
  dnnl_primitive_desc_t descriptors[] = {conv->forward_pd, conv->data_pd, conv->weights_pd};
  for (int i = 0; i < 3; i++) if (descriptors[i]) dnnl_primitive_desc_destroy(descriptors[i]);
  free(conv->kept_weights);
  free(conv->seen_weights);
  if (conv->stream) dnnl_stream_destroy(conv->stream);
  if (conv->engine) dnnl_engine_destroy(conv->engine);
  free(conv);
}

void cdnnl_set_threads(int threads) { omp_set_num_threads(threads > 0 ? threads : 1); }

/* libgomp's entry points, as GCC's `#pragma omp parallel` calls them. This file is compiled by the
   Swift toolchain's clang, whose -fopenmp would need LLVM's libomp, a second OpenMP runtime beside
   the libgomp oneDNN uses; calling libgomp's stable ABI directly keeps one pool of threads. */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

typedef struct {
  long count;
  void *context;
  cdnnl_range_body body;
} ranges_job;

static void run_range(void *data) {
  const ranges_job *job = data;
  long threads = omp_get_num_threads(), thread = omp_get_thread_num();
  long begin = job->count * thread / threads, end = job->count * (thread + 1) / threads;
  if (begin < end) job->body(job->context, begin, end);
}

void cdnnl_parallel_ranges(long count, int threads, void *context, cdnnl_range_body body) {
  if (threads < 2 || count < 2) {
    if (count > 0) body(context, 0, count);
    return;
  }
  ranges_job job = {count, context, body};
  GOMP_parallel(run_range, &job, (unsigned)(threads < count ? threads : count), 0);
}
