/**
 * The loop handler: counts how often the startup probe query comes back to us. Seen more than
 * twice means our own query was forwarded back to us: a forwarding loop, fatal as in CoreDNS.
 */
import { Type } from '../../dns/constants.js';
import type { Msg } from '../../dns/message.js';
import { isSubdomain } from '../../dns/name.js';
import type { Handler, Next, Request } from '../../plugin/handler.js';
import type { Logger } from '../../core/log.js';

/** Ends the process (injectable for tests). */
export type Exit = (code: number) => void;

/** Detects a forwarding loop for one server block's first zone. */
export class Loop implements Handler {
  readonly name = 'loop';
  private seen = 0;
  private off = false;
  private exited = false;

  constructor(
    /** Zone the probe is sent in (lower-case FQDN). */
    readonly zone: string,
    /** The probe name, `<random>.<random>.<zone>`. */
    readonly qname: string,
    /** How the fatal message names our address, CoreDNS-style (`:53`). */
    private readonly address: string,
    private readonly log: Logger,
    private readonly exit: Exit = (code) => process.exit(code),
  ) {}

  /** Wire cache: only the probe's own HINFO queries matter to loop. */
  transparent(req: Request): boolean {
    return this.off || req.qtype !== Type.HINFO;
  }

  async serveDNS(req: Request, next: Next): Promise<Msg> {
    // After the probe period this is the whole cost: one field read.
    if (this.off || req.qtype !== Type.HINFO) return next(req);
    if (!isSubdomain(req.qname, this.zone)) return next(req);
    if (req.qname === this.qname) this.seen++;
    if (this.seen > 2) this.fatal(req);
    return next(req);
  }

  /** Stops looking (the probe got an answer, or its time ran out). */
  disable(): void {
    this.off = true;
  }

  /** Forgets sightings (a probe attempt failed and will be retried). */
  reset(): void {
    this.seen = 0;
  }

  /** True once the handler passes everything through. */
  get disabled(): boolean {
    return this.off;
  }

  private fatal(req: Request): void {
    if (this.exited) return;
    this.exited = true;
    const remote = req.remoteAddress.includes(':') ? `[${req.remoteAddress}]:${req.remotePort}` : `${req.remoteAddress}:${req.remotePort}`;
    this.log.fatal(
      `Loop (${remote} -> ${this.address}) detected for zone ${JSON.stringify(this.zone)}, see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${this.qname}"`,
    );
    this.exit(1);
  }
}
