/**
 * The exported mutable i32 global through which the host bounds the GC heap
 * of an interpreter wasm that collects garbage during a run (added by
 * `wasm/build/gc-collect.ts`): the total size in bytes the GC's heap areas may
 * reach, 0 for no bound. Its presence is how the host knows the wasm collects
 * during a run.
 */
export const HEAP_LIMIT_EXPORT = 'mpy_gc_heap_limit';
