/** The whoami handler: tells the client its own address, port and transport. */
import { Type } from '../../dns/constants.js';
import { replyTo, type Msg, type RR } from '../../dns/message.js';
import type { Handler, Request } from '../../plugin/handler.js';

/** The `whoami` plugin's handler. It answers every query, whatever its type, and never calls next. */
export class WhoamiHandler implements Handler {
  readonly name = 'whoami';

  async serveDNS(req: Request): Promise<Msg> {
    const reply = replyTo(req.msg);
    reply.aa = true;
    // Owners keep the client's spelling; TTL 0 so nothing caches a per-client answer.
    const addr: RR = {
      name: req.name,
      type: req.family === 2 ? Type.AAAA : Type.A,
      class: req.qclass,
      ttl: 0,
      address: req.remoteAddress,
    };
    const srv: RR = {
      name: req.name === '.' ? `_${req.proto}.` : `_${req.proto}.${req.name}`,
      type: Type.SRV,
      class: req.qclass,
      ttl: 0,
      priority: 0,
      weight: 0,
      port: req.remotePort,
      target: '.',
    };
    reply.extra = [addr, srv];
    req.responder = this.name;
    return reply;
  }
}
