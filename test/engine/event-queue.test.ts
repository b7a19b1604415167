import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventPriority, EventQueue } from '../../sim/engine/event-queue.js';

function drain<T>(q: EventQueue<T>): T[] {
  const out: T[] = [];
  for (let x = q.pop(); x !== undefined; x = q.pop()) out.push(x);
  return out;
}

describe('EventQueue', () => {
  it('pops in time order', () => {
    const q = new EventQueue<string>(2);
    q.push(3, 'c');
    q.push(1, 'a');
    q.push(2, 'b');
    expect(q.peekTime()).toBe(1);
    expect(drain(q)).toEqual(['a', 'b', 'c']);
    expect(q.pop()).toBeUndefined();
  });

  it('breaks ties at equal time by creation order', () => {
    const q = new EventQueue<number>();
    for (let i = 0; i < 50; i++) q.push(5, i);
    q.push(4, -1);
    expect(drain(q)).toEqual([-1, ...Array.from({ length: 50 }, (_, i) => i)]);
  });

  it('lets urgent events leave first at the same time', () => {
    const q = new EventQueue<string>();
    q.push(1, 'normal-1');
    q.push(1, 'urgent', EventPriority.urgent);
    q.push(1, 'normal-2');
    q.push(0.5, 'earlier');
    expect(drain(q)).toEqual(['earlier', 'urgent', 'normal-1', 'normal-2']);
  });

  it('rejects non-finite times', () => {
    expect(() => new EventQueue<number>().push(Number.NaN, 1)).toThrow(/finite/);
  });

  it('matches a stable sort on random pushes and interleaved pops', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 300 }), (ops) => {
        const q = new EventQueue<number>(1);
        const model: { t: number; id: number }[] = [];
        const popped: number[] = [];
        const expected: number[] = [];
        ops.forEach(([t, popAfter], id) => {
          q.push(t, id);
          model.push({ t, id });
          if (popAfter) {
            popped.push(q.pop()!);
            model.sort((a, b) => a.t - b.t || a.id - b.id);
            expected.push(model.shift()!.id);
          }
        });
        expect(popped).toEqual(expected);
        expect(q.size).toBe(model.length);
      }),
    );
  });
});
