/** The API simulator process (bench/sim-server.ts) loaded with a generated cluster. */
import { join } from 'node:path';
import { NODE, ROOT } from './clusterdns.ts';
import { start, type Proc } from './proc.ts';

/** A running simulator. */
export interface Sim {
  proc: Proc;
  url: string;
  objects: number;
  loadMs: number;
}

/** Starts the simulator with `services` Services (+ EndpointSlices); resolves once all are loaded. */
export async function startSim(services: number, opts: { cpus?: string } = {}): Promise<Sim> {
  const proc = start('apiserver-sim', NODE, [join(ROOT, 'bench', 'sim-server.ts'), '--services', String(services)], { cpus: opts.cpus });
  try {
    const m = await proc.waitFor(/^(\{"url".*\})$/m, 180_000);
    const info = JSON.parse(m[1]!) as { url: string; objects: number; loadMs: number };
    return { proc, ...info };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

/** Sends one write (POST/PUT/DELETE) to the simulator; throws unless it is 2xx. */
export async function simWrite(sim: Sim, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: object): Promise<void> {
  const r = await fetch(`${sim.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  if (r.status < 200 || r.status > 299) throw new Error(`${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
}
