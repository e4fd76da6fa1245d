import { describe, expect, it } from 'vitest';
import { makeSpan } from '../../test/spanFactory.js';
import { PendingRequests, type PendingRequest } from './PendingRequests.js';

const request = (spans: number, bytes = 10): PendingRequest => ({
  spans: Array.from({ length: spans }, () => makeSpan()),
  signals: null,
  size: spans,
  bytes,
  raw: null,
  walSeq: null,
  resolve: () => undefined,
  reject: () => undefined,
});

describe('PendingRequests', () => {
  it('takes the oldest requests up to the batch size, always at least one, and keeps their room until released', () => {
    const q = new PendingRequests();
    for (const n of [3, 4, 10]) q.push(request(n));
    const first = q.takeBatch(8);
    expect(first.batch.map((r) => r.spans.length)).toEqual([3, 4]);
    expect(first.spans).toHaveLength(7);
    expect(q).toMatchObject({ length: 1, spans: 17, bytes: 30, pushed: 3, taken: 2 });
    q.release(first.batch);
    expect(q).toMatchObject({ spans: 10, bytes: 10 });
    const big = q.takeBatch(8); // larger than a batch, taken alone
    expect(big.batch).toHaveLength(1);
    expect(big.spans).toBe(big.batch[0]!.spans);
  });

  it('counts held room for a request not yet pushed', () => {
    const q = new PendingRequests();
    q.hold(5, 100);
    expect(q).toMatchObject({ spans: 5, bytes: 100, length: 0 });
    q.unhold(5, 100);
    q.push(request(2));
    const all = q.takeAll();
    expect(all).toHaveLength(1);
    expect(q).toMatchObject({ length: 0, spans: 2, taken: 1 });
    q.release(all);
    expect(q.spans).toBe(0);
  });
});
