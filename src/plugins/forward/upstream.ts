/**
 * One upstream server (CoreDNS's proxy.Proxy): sends a query over UDP or TCP with a fresh random
 * ID, retries a truncated UDP reply over TCP, counts health-check failures and reports `down`.
 * CoreDNS retries TC over TCP only with `prefer_udp` and otherwise hands TC to the client; asking
 * over TCP at once saves the client a round trip and lets the cache hold the full answer.
 */
import { Type, rcodeName } from '../../dns/constants.js';
import { encode } from '../../dns/encode.js';
import { newQuery, type Msg } from '../../dns/message.js';
import { HealthProbe } from './health.js';
import { connCacheMisses, connCacheHits, healthcheckFailures, requestDuration } from './metrics.js';
import { randomQueryId } from './query-id.js';
import { TcpPool } from './upstream-tcp.js';
import { udpExchange, type Target } from './upstream-udp.js';

/** Transport to the upstream. */
export type UpstreamProto = 'udp' | 'tcp';

/** Per-upstream settings, from the forward block. */
export interface UpstreamOptions {
  /** Idle TCP connections are closed after this (ms). */
  readonly expire: number;
  readonly maxIdleConns: number;
  /** Wait for one reply at most this long (ms). */
  readonly readTimeout: number;
  /** Pause between health checks of a down upstream (ms). */
  readonly hcInterval: number;
  readonly hcRecursionDesired: boolean;
  readonly hcDomain: string;
  /** Health checks over TCP (force_tcp). */
  readonly hcTcp: boolean;
}

const PROXY_NAME = 'forward';
/** Health-check read timeout, as CoreDNS's dnsHc (1 s). */
const HC_TIMEOUT = 1000;

/** An upstream DNS server at `target`; `addr` is its `host:port` metric label. */
export class Upstream {
  /** Consecutive failed health checks. */
  fails = 0;
  private readonly tcp: TcpPool;
  private readonly probe: HealthProbe;

  constructor(
    readonly addr: string,
    readonly target: Target,
    private readonly opts: UpstreamOptions,
  ) {
    this.tcp = new TcpPool(target, {
      expire: opts.expire,
      maxIdle: opts.maxIdleConns,
      onDial: (reused) => (reused ? connCacheHits : connCacheMisses).inc({ proxy_name: PROXY_NAME, to: addr, proto: 'tcp' }),
    });
    this.probe = new HealthProbe(() => this.check(), opts.hcInterval);
  }

  /** True when more than `maxFails` health checks failed in a row (never when maxFails is 0). */
  down(maxFails: number): boolean {
    return maxFails > 0 && this.fails > maxFails;
  }

  /** Starts a health-check loop unless one is running. */
  healthcheck(): void {
    this.probe.kick();
  }

  /**
   * Sends `query` (ID replaced by a random one) and returns the matching reply, as received. A TC
   * reply over UDP is asked again over TCP. Each read waits at most readTimeout, and never past
   * `deadline` (epoch ms).
   */
  async exchange(query: Msg, proto: UpstreamProto, deadline: number): Promise<Msg> {
    const start = performance.now();
    let reply = await this.once(query, proto, deadline);
    if (proto === 'udp' && reply.tc) {
      // If TCP fails too, the truncated reply still tells the client to retry over TCP itself.
      reply = await this.once(query, 'tcp', deadline).catch(() => reply);
    }
    requestDuration.observe({ proxy_name: PROXY_NAME, to: this.addr, rcode: rcodeName(reply.rcode) }, (performance.now() - start) / 1000);
    return reply;
  }

  private once(query: Msg, proto: UpstreamProto, deadline: number, count = true): Promise<Msg> {
    const id = randomQueryId();
    // The question is re-encoded from its name (not its received bytes), so a rewritten name is what goes out.
    const question = query.question.map(({ name, type, class: cls }) => ({ name, type, class: cls }));
    const wire = encode({ ...query, id, question }, 65535);
    const expect = { id, question: query.question[0]! };
    const until = Math.min(deadline, Date.now() + this.opts.readTimeout);
    if (proto === 'tcp') return this.tcp.exchange(wire, expect, until, count);
    // Every UDP query has its own socket, so each one is a connection-cache miss.
    if (count) connCacheMisses.inc({ proxy_name: PROXY_NAME, to: this.addr, proto: 'udp' });
    return udpExchange(this.target, wire, expect, until - Date.now());
  }

  /** One health check: any reply to `DOMAIN IN NS` counts as healthy (CoreDNS dnsHc). */
  private async check(): Promise<boolean> {
    const ping = newQuery(this.opts.hcDomain, Type.NS, { rd: this.opts.hcRecursionDesired });
    try {
      await this.once(ping, this.opts.hcTcp ? 'tcp' : 'udp', Date.now() + HC_TIMEOUT, false);
      this.fails = 0;
      return true;
    } catch {
      healthcheckFailures.inc({ proxy_name: PROXY_NAME, to: this.addr });
      this.fails++;
      return false;
    }
  }

  /** Stops health checks and closes pooled connections. */
  stop(): void {
    this.probe.stop();
    this.tcp.stop();
  }
}
