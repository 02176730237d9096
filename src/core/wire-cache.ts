/**
 * Replies kept as bytes, so a repeated question costs a map lookup and a buffer copy: the ID, RD/CD
 * and the question's spelling are patched in (owners point at the question, so they follow its
 * case). Only replies whose answering plugin vouches for them with a WireToken are kept, and only
 * when every plugin before it in the chain says it would have let the query through untouched.
 * That answer may depend only on the key (name, type, DO, size) and the config, so it is asked once,
 * when the reply is kept, not on every hit.
 */
import type { Msg } from '../dns/message.js';
import type { Handler, Request, WireToken } from '../plugin/handler.js';

interface Entry {
  bytes: Buffer;
  token: WireToken;
  rcode: number;
  responder: string;
  /** The handlers before the responder that count replayed replies (fastHit). */
  observers: readonly Handler[];
}

/** Most entries per server block; past it the cache starts over (cheap, and a flood of names can't grow it). */
const MAX_ENTRIES = 100_000;

/** The wire cache of one server block. */
export class WireCache {
  private readonly entries = new Map<string, Entry>();
  /** False when a plugin in the chain cannot say it is transparent: then nothing is kept. */
  readonly enabled: boolean;

  constructor(private readonly handlers: readonly Handler[]) {
    // Only the kubernetes plugin vouches for its replies today.
    this.enabled = handlers.some((h) => h.name === 'kubernetes');
  }

  /** The cache key: the reply bytes depend on these and nothing else once the token vouches. */
  static key(req: Request): string {
    return req.name + '|' + (req.qtype * 4 + (req.msg.opt ? (req.do ? 2 : 1) : 0)) + '|' + req.size;
  }

  /** A reply for `req` patched from a kept one, or undefined. */
  get(req: Request, key: string): Buffer | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (!e.token.valid) {
      this.entries.delete(key);
      return undefined;
    }
    const out = Buffer.allocUnsafe(e.bytes.length);
    e.bytes.copy(out);
    const q = req.msg;
    out.writeUInt16BE(q.id, 0);
    // RD and CD come from the query (RFC 1035 §4.1.1, RFC 4035 §3.2.2).
    out[2] = (out[2]! & ~0x01) | (q.rd ? 0x01 : 0);
    out[3] = (out[3]! & ~0x10) | (q.cd ? 0x10 : 0);
    const raw = q.question[0]!.raw;
    if (raw) out.set(raw, 12);
    for (const h of e.observers) h.fastHit!(req, e.rcode, e.responder, out.length);
    return out;
  }

  /** Keeps `bytes` (the finished reply to `req`) when the answering plugin vouched for it. */
  put(req: Request, key: string, reply: Msg, bytes: Buffer): void {
    const token = req.wireToken;
    if (!this.enabled || !token || !token.valid || !req.responder) return;
    const at = this.handlers.findIndex((h) => h.name === req.responder);
    if (at < 0) return;
    const before = this.handlers.slice(0, at);
    for (const h of before) if (!h.transparent?.(req)) return;
    for (const h of this.handlers) if (h.cacheable && !h.cacheable(reply)) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const observers = before.filter((h) => typeof h.fastHit === 'function');
    this.entries.set(key, { bytes: Buffer.from(bytes), token, rcode: reply.rcode, responder: req.responder, observers });
  }
}
