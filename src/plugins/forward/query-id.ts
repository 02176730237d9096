/**
 * Upstream query IDs from the OS CSPRNG. One `randomBytes` call fills a pool of 256 IDs, so the
 * per-query cost is an array read; the pool is never reused, so IDs stay unpredictable
 * (an off-path spoofer must guess 16 bits of ID on top of the random source port, RFC 5452 §9.2).
 */
import { randomBytes } from 'node:crypto';

const POOL_IDS = 256;
let pool = randomBytes(POOL_IDS * 2);
let next = 0;

/** A fresh, uniformly random 16-bit query ID. */
export function randomQueryId(): number {
  if (next >= POOL_IDS) {
    pool = randomBytes(POOL_IDS * 2);
    next = 0;
  }
  const id = pool.readUInt16BE(next * 2);
  next++;
  return id;
}
