import { describe, expect, it } from 'vitest';
import { head, query, QType } from './wire.ts';

describe('bench wire helpers', () => {
  it('builds a query with RD, one question and no EDNS', () => {
    const q = query(0x1234, 'a.bc.', QType.SRV);
    expect([...q]).toEqual([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 97, 2, 98, 99, 0, 0, 33, 0, 1]);
    expect(query(1, 'a.bc', QType.SRV).subarray(2)).toEqual(q.subarray(2));
  });

  it('refuses a label over 63 bytes', () => {
    expect(() => query(1, `${'x'.repeat(64)}.example.`, QType.A)).toThrow(/label too long/);
  });

  it('reads ID, RCODE and the answer count from a reply header; rejects short messages', () => {
    const r = Buffer.from([0xab, 0xcd, 0x85, 0x83, 0, 1, 0, 2, 0, 0, 0, 0]);
    expect(head(r)).toEqual({ id: 0xabcd, rcode: 3, answers: 2 });
    expect(() => head(Buffer.alloc(5))).toThrow(/short/);
  });
});
