/** Spawns the real CLI (dist/cli.js) on free ports for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '..', '..');

export { freePort } from './free-port.js';
import { freePort } from './free-port.js';

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
