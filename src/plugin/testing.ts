/** Helpers for plugin unit tests: build a Request and run a handler chain without sockets. */
import { Class } from '../dns/constants.js';
import { newQuery, replyTo, type Msg } from '../dns/message.js';
import { lower } from '../dns/name.js';
import type { Handler, Next, Request } from './handler.js';

/** A Request for `name`/`type` as if received over UDP from 10.0.0.1 (override any field). */
export function makeRequest(name: string, type: number, over: Partial<Request> & { msg?: Msg } = {}): Request {
  const msg = over.msg ?? newQuery(name, type, { id: 4242 });
  const q = msg.question[0]!;
  return {
    msg,
    qname: lower(q.name),
    name: q.name,
    qtype: q.type,
    qclass: q.class ?? Class.IN,
    do: msg.opt?.do ?? false,
    size: 512,
    proto: 'udp',
    family: 1,
    remoteAddress: '10.0.0.1',
    remotePort: 40000,
    localAddress: '127.0.0.1',
    localPort: 53,
    zone: '.',
    server: 'dns://:53',
    ...over,
  };
}

/** The end of a chain in tests: answers SERVFAIL and records that it was reached. */
export function terminal(): Next & { calls: Request[] } {
  const calls: Request[] = [];
  const fn = (async (req: Request) => {
    calls.push(req);
    return replyTo(req.msg, 2);
  }) as Next & { calls: Request[] };
  fn.calls = calls;
  return fn;
}

/** Runs `handlers` as a chain ending in `last`. */
export function runChain(handlers: Handler[], req: Request, last: Next = terminal()): Promise<Msg> {
  const call = (i: number): Next => (r) => (i < handlers.length ? handlers[i]!.serveDNS(r, call(i + 1)) : last(r));
  return call(0)(req);
}
