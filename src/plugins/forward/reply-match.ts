/** Decides whether a datagram or TCP frame is the answer to the query we sent (anti-spoofing). */
import { decode } from '../../dns/decode.js';
import type { Msg, Question } from '../../dns/message.js';
import { lower } from '../../dns/name.js';

/** What a reply must echo: our random ID and the question as sent. */
export interface Expect {
  readonly id: number;
  readonly question: Question;
}

/**
 * Decodes `buf` and returns the message when it is a response (QR set) carrying our ID and our one
 * question (name compared case-insensitively, type and class exactly); otherwise undefined, so the
 * caller keeps waiting. Undecodable bytes are also ignored: a forged packet must not end the wait.
 */
export function matchReply(buf: Uint8Array, expect: Expect): Msg | undefined {
  if (buf.length < 12) return undefined;
  // Header check before the body is decoded: most forgeries fail on the ID.
  if (((buf[0]! << 8) | buf[1]!) !== expect.id || (buf[2]! & 0x80) === 0) return undefined;
  let msg: Msg;
  try {
    msg = decode(buf);
  } catch {
    return undefined;
  }
  if (msg.question.length !== 1) return undefined;
  const q = msg.question[0]!;
  const want = expect.question;
  if (q.type !== want.type || q.class !== want.class) return undefined;
  if (lower(q.name) !== lower(want.name)) return undefined;
  return msg;
}
