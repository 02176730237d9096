/** Spawns the real CLI (dist/cli.js) on free ports for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

/** A free port on 127.0.0.1 for both UDP and TCP (best effort: bound then released). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const tcp = net.createServer();
    const port = await new Promise<number>((res, rej) => {
      tcp.once('error', rej);
      tcp.listen(0, '127.0.0.1', () => res((tcp.address() as net.AddressInfo).port));
    });
    const udp = dgram.createSocket('udp4');
    const ok = await new Promise<boolean>((res) => {
      udp.once('error', () => res(false));
      udp.bind(port, '127.0.0.1', () => res(true));
    });
    await new Promise<void>((r) => tcp.close(() => r()));
    await new Promise<void>((r) => { try { udp.close(() => r()); } catch { r(); } });
    if (ok) return port;
  }
  throw new Error('no free port');
}

/** A running clusterdns. */
export interface Running {
  proc: ChildProcess;
  port: number;
  dir: string;
  corefile: string;
  /** Everything printed so far (stdout + stderr). */
  output(): string;
  /** Waits until the output matches. */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  /** Sends a signal and waits for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Writes `corefile` (with `{port}` replaced) to a temp dir and starts the CLI on it.
 * Resolves once the server printed its startup banner (or rejects with its output if it exited).
 */
export async function startCli(corefile: string, opts: { args?: string[]; port?: number; env?: NodeJS.ProcessEnv; files?: Record<string, string>; wait?: boolean } = {}): Promise<Running> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'clusterdns-'));
  for (const [name, text] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), text);
  const path = join(dir, 'Corefile');
  writeFileSync(path, corefile.replaceAll('{port}', String(port)));
  // One serving thread unless a test asks for more: per-thread state (cache) must not depend on which
  // thread the kernel's SO_REUSEPORT hash picks for each of dig's random source ports.
  const args = opts.args ?? [];
  const workers = args.some((a) => /^--?workers/.test(a)) ? [] : ['-workers', '1'];
  const proc = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), '-conf', path, ...workers, ...args], {
    cwd: dir,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const waitFor = async (re: RegExp, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!re.test(out)) {
      if (proc.exitCode !== null) throw new Error(`clusterdns exited (${proc.exitCode}) before ${re}: ${out}`);
      if (Date.now() > end) throw new Error(`timeout waiting for ${re}; output: ${out}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const running: Running = {
    proc, port, dir, corefile: path,
    output: () => out,
    waitFor,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  if (opts.wait !== false) await waitFor(/clusterdns-\d/);
  return running;
}
