#ifndef CDNNL_H
#define CDNNL_H
#include <stddef.h>

/// A oneDNN convolution for one fixed geometry: plain NCHW input and output, OIHW weights,
/// reordered internally into the blocked layouts oneDNN's fastest kernels use. It computes the
/// forward pass and, when created for training, both backward passes. The blocked copies exist
/// only during a call, in a workspace of the calling thread (grown to the largest call it made,
/// freed when the thread exits), so a convolution holds no activation-sized memory between calls;
/// what one may keep is an evaluation convolution's Winograd-transformed weights (4x the weights).
typedef struct cdnnl_conv cdnnl_conv;

/// Creates the primitives for an `n x c x h x w` input, `o` output channels, a `kh x kw` kernel,
/// strides, paddings and dilations (1 = none) per axis, with or without a bias, and with the
/// backward passes when `training` is nonzero. With `relu` nonzero (evaluation only) the forward
/// pass ends with `max(y, 0)` inside the same kernel. With `winograd` nonzero, a 3x3 convolution
/// with stride 1 and no dilation uses Winograd's F(4x4, 3x3) algorithm where oneDNN has a kernel
/// for it (AVX-512 CPUs), and the direct one otherwise; an evaluation convolution then keeps its
/// transformed weights between calls and transforms them again only when they change. Returns
/// NULL and fills `error` (a static message) when oneDNN refuses.
cdnnl_conv *cdnnl_conv_create(int n, int c, int h, int w, int o, int kh, int kw, int stride_y, int stride_x,
                              int pad_y, int pad_x, int dilation_y, int dilation_x, int has_bias, int training,
                              int relu, int winograd, const char **error);

/// Runs the forward pass: `y = conv(x, weight) + bias` (then the ReLU if created with one).
/// Returns 0, or -1 with `error` set.
int cdnnl_conv_forward(cdnnl_conv *conv, const float *x, const float *weight, const float *bias, float *y,
                       const char **error);

/// Writes `dw = dL/dw`, with a bias `db = dL/db`, and unless `dx` is NULL `dx = dL/dx`, from the
/// forward input `x` and `dy = dL/dy` (overwriting all three); `dy` is reordered into the blocked
/// layout once for both passes when they take the same one. Needs a training convolution.
int cdnnl_conv_backward(cdnnl_conv *conv, const float *x, const float *dy, const float *weight, float *dx, float *dw,
                        float *db, const char **error);

/// The forward implementation oneDNN chose, e.g. `jit:avx512_core`.
const char *cdnnl_conv_implementation(const cdnnl_conv *conv);

/// Whether the convolution runs Winograd's algorithm (1) or the direct one (0).
int cdnnl_conv_is_winograd(const cdnnl_conv *conv);

/// Frees the primitives and their scratch memory.
void cdnnl_conv_destroy(cdnnl_conv *conv);

/// Sets the number of threads oneDNN's (OpenMP) kernels use.
void cdnnl_set_threads(int threads);

/// A piece of a parallel loop: `body(context, begin, end)` handles indices `begin ..< end`.
typedef void (*cdnnl_range_body)(void *context, long begin, long end);

/// Runs `body` over `0 ..< count` split into `threads` contiguous ranges of nearly equal size, one
/// per thread of OpenMP's pool (libgomp's, the one oneDNN's kernels run on), and returns when all
/// have finished. With one thread (or `count` < 2) it calls `body(context, 0, count)` directly.
void cdnnl_parallel_ranges(long count, int threads, void *context, cdnnl_range_body body);

#endif
