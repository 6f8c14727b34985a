// glibc's malloc tuning, which Swift's Glibc module does not expose. Only the `dance` executable
// imports this module.
#ifndef CMALLOC_H
#define CMALLOC_H

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

/// Serves allocations of at least `bytes` with their own mapping (returned to the system when
/// freed) and stops glibc from raising that threshold dynamically. Returns 1 on success, 0 where
/// the C library has no such setting.
static inline int cmalloc_set_mmap_threshold(int bytes) {
#if defined(M_MMAP_THRESHOLD)
  return mallopt(M_MMAP_THRESHOLD, bytes);
#else
  (void)bytes;
  return 0;
#endif
}

#endif
