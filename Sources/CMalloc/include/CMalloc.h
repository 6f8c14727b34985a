// glibc's malloc tuning, which Swift's Glibc module does not expose. Only the executables import
// this module.
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

/// Keeps freed memory for reuse instead of returning it to the system: allocations up to 32 MiB
/// (glibc's largest mmap threshold) come from the heap, and glibc no longer trims the heap's free
/// top. For the training engine, whose steps allocate and free the same tensor sizes again and
/// again: a fresh mapping per tensor, or a heap trimmed after each step and grown again in the
/// next, costs a page fault and a cleared page for every 4 KiB, every step. Returns 1 on success,
/// 0 where the C library has no such setting.
static inline int cmalloc_keep_freed_memory(void) {
#if defined(M_TRIM_THRESHOLD)
  if (!mallopt(M_TRIM_THRESHOLD, 0x7fffffff)) return 0;
#endif
  return cmalloc_set_mmap_threshold(32 << 20);
}

#endif
