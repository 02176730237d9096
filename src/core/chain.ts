/** Composes handlers into one function, in plugin order (not Corefile order). */
import { replyTo, type Msg } from '../dns/message.js';
import { Rcode } from '../dns/constants.js';
import type { Handler, Next, Request } from '../plugin/handler.js';
import { PluginError } from '../plugin/handler.js';

/**
 * The chain for one server block. Past the last handler CoreDNS answers SERVFAIL
 * ("no next plugin found"); an empty chain answers REFUSED (core/dnsserver/server.go).
 */
export function compose(handlers: readonly Handler[]): Next {
  if (handlers.length === 0) {
    return async (req: Request) => replyTo(req.msg, Rcode.REFUSED);
  }
  const last = handlers[handlers.length - 1]!.name;
  const end: Next = async () => {
    throw new PluginError(last, 'no next plugin found');
  };
  let next = end;
  for (let i = handlers.length - 1; i >= 0; i--) {
    const h = handlers[i]!;
    const after = next;
    next = (req: Request): Promise<Msg> => h.serveDNS(req, after);
  }
  return next;
}
