// The OpenBLAS C interface; only the Tensors target imports this module.
#include <cblas.h>
