/** The API simulator process (bench/sim-server.ts) loaded with a generated cluster. */
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NODE, ROOT, type TlsFiles } from './clusterdns.ts';
import { start, type Proc } from './proc.ts';

/** A running simulator. */
export interface Sim {
  proc: Proc;
  /** http://127.0.0.1:PORT, or https:// when started with `tls`. */
  url: string;
  objects: number;
  loadMs: number;
  /** With `tls`: the client certificate, its key and the CA (files), for startClusterDns's `tls` and simWrite. */
  tls?: TlsFiles;
}

/**
 * Starts the simulator with `services` Services (+ EndpointSlices); resolves once all are loaded.
 * `tls`: serve HTTPS and require a client certificate from a fresh CA (written to a temp dir).
 */
export async function startSim(services: number, opts: { cpus?: string; tls?: boolean } = {}): Promise<Sim> {
  const args = [join(ROOT, 'bench', 'sim-server.ts'), '--services', String(services)];
  if (opts.tls) args.push('--tls', mkdtempSync(join(tmpdir(), 'bench-sim-tls-')));
  const proc = start('apiserver-sim', NODE, args, { cpus: opts.cpus });
  try {
    const m = await proc.waitFor(/^(\{"url".*\})$/m, 180_000);
    const info = JSON.parse(m[1]!) as { url: string; objects: number; loadMs: number; tls?: TlsFiles };
    return { proc, ...info };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

/** Sends one write (POST/PUT/DELETE) to the simulator; throws unless it is 2xx. */
export async function simWrite(sim: Sim, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: object): Promise<void> {
  if (sim.tls) return httpsWrite(sim, sim.tls, method, path, body);
  const r = await fetch(`${sim.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
}

/** One keep-alive agent per TLS simulator: its CA and client certificate, one handshake per connection. */
const agents = new WeakMap<Sim, https.Agent>();

/**
 * simWrite over HTTPS. fetch cannot take a CA or a client certificate (undici would need its own
 * Agent, which is not importable from Node's bundled copy), so this uses node:https.
 */
function httpsWrite(sim: Sim, tls: TlsFiles, method: string, path: string, body?: object): Promise<void> {
  let agent = agents.get(sim);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, ca: readFileSync(tls.ca), cert: readFileSync(tls.cert), key: readFileSync(tls.key) });
    agents.set(sim, agent);
  }
  const payload = body ? JSON.stringify(body) : undefined;
  return new Promise<void>((resolve, reject) => {
    const req = https.request(`${sim.url}${path}`, {
      method,
      agent,
      headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {},
      signal: AbortSignal.timeout(10_000),
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) reject(new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`));
        else resolve();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
