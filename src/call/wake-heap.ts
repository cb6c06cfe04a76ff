// The deadline wheel's min-heap (deadline-wheel.ts): the entries that arrived out of wake order,
// ordered by `wakeAt`, each keeping its position in `heapIndex` so it can be moved or taken out.

/** What the heap orders: a wake time, and where the entry sits (-1 when not in the heap). */
export interface HeapEntry {
  wakeAt: number;
  heapIndex: number;
}

/**
 * Adds `entry` to `heap`.
 *
 * @example
 * const heap: HeapEntry[] = [];
 * heapPush(heap, { wakeAt: 5, heapIndex: -1 });
 * heap[0]!.wakeAt; // 5: the earliest is first
 */
export function heapPush(heap: HeapEntry[], entry: HeapEntry): void {
  entry.heapIndex = heap.length;
  heap.push(entry);
  up(heap, entry.heapIndex);
}

/**
 * Takes `entry` out of `heap` (it must be in it).
 *
 * @example
 * heapRemove(heap, entry); // entry.heapIndex === -1
 */
export function heapRemove(heap: HeapEntry[], entry: HeapEntry): void {
  const i = entry.heapIndex;
  const last = heap.pop()!;
  entry.heapIndex = -1;
  if (last !== entry) {
    heap[i] = last;
    last.heapIndex = i;
    reheap(heap, i);
  }
}

/**
 * Moves the entry at `i`, whose `wakeAt` changed, to where it now belongs.
 *
 * @example
 * entry.wakeAt = 1;
 * reheap(heap, entry.heapIndex);
 */
export function reheap(heap: HeapEntry[], i: number): void {
  down(heap, up(heap, i));
}

function up(heap: HeapEntry[], i: number): number {
  const entry = heap[i]!;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent]!;
    if (p.wakeAt <= entry.wakeAt) break;
    heap[i] = p;
    p.heapIndex = i;
    i = parent;
  }
  heap[i] = entry;
  entry.heapIndex = i;
  return i;
}

function down(heap: HeapEntry[], i: number): void {
  const n = heap.length;
  const entry = heap[i]!;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap[child + 1]!.wakeAt < heap[child]!.wakeAt) child++;
    const c = heap[child]!;
    if (c.wakeAt >= entry.wakeAt) break;
    heap[i] = c;
    c.heapIndex = i;
    i = child;
  }
  heap[i] = entry;
  entry.heapIndex = i;
}
