// CMalloc is header-only; this file gives the target a compilation unit.
