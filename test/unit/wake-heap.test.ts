import { describe, expect, it } from 'vitest';
import { heapPush, heapRemove, reheap, type HeapEntry } from '../../src/call/wake-heap.js';
import { mulberry32 } from '../helpers/prng.js';

/** Where `heap` breaks its rules (an entry that does not know its slot, a parent due after its child), or ''. */
function broken(heap: HeapEntry[]): string {
  for (let i = 0; i < heap.length; i++) {
    const e = heap[i]!;
    if (e.heapIndex !== i) return `slot ${i} holds an entry that says ${e.heapIndex}`;
    if (i > 0 && heap[(i - 1) >> 1]!.wakeAt > e.wakeAt) return `slot ${i} is due before its parent`;
  }
  return '';
}

describe('wake-heap (the deadline wheel\'s entries due out of order)', () => {
  it('keeps the earliest first through random pushes, removals and moves, and marks removed entries -1', () => {
    const random = mulberry32(7);
    const heap: HeapEntry[] = [];
    const all: HeapEntry[] = [];
    for (let step = 0; step < 2_000; step++) {
      const r = random();
      const inHeap = all.filter((e) => e.heapIndex >= 0);
      if (r < 0.5 || inHeap.length === 0) {
        const e = { wakeAt: Math.floor(random() * 100), heapIndex: -1 };
        all.push(e);
        heapPush(heap, e);
      } else if (r < 0.8) {
        const e = inHeap[Math.floor(random() * inHeap.length)]!;
        heapRemove(heap, e);
        expect(e.heapIndex).toBe(-1);
      } else {
        const e = inHeap[Math.floor(random() * inHeap.length)]!;
        e.wakeAt = Math.floor(random() * 100);
        reheap(heap, e.heapIndex);
      }
      expect(broken(heap)).toBe('');
    }
    expect(heap.length).toBe(all.filter((e) => e.heapIndex >= 0).length);
  });
});
