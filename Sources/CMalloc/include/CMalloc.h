// glibc's malloc tuning, which Swift's Glibc module does not expose. Only the executables import
// this module.
#ifndef CMALLOC_H
#define CMALLOC_H

#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

/// Keeps freed memory for reuse instead of returning it to the system: allocations up to 32 MiB
/// (glibc's largest mmap threshold, fixed so that glibc does not move it) come from the heap, and
/// glibc no longer trims the heap's free top. Images and tensors of the same sizes are allocated
/// and freed again and again: a fresh mapping per buffer, or a heap trimmed and grown again, costs
/// a page fault and a cleared page for every 4 KiB, every time. Returns 1 on success, 0 where the
/// C library has no such setting.
static inline int cmalloc_keep_freed_memory(void) {
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
  if (!mallopt(M_TRIM_THRESHOLD, 0x7fffffff)) return 0;
  return mallopt(M_MMAP_THRESHOLD, 32 << 20);
#else
  return 0;
#endif
}

#endif
