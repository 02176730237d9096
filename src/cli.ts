#!/usr/bin/env node
/** clusterdns's command line: CoreDNS's flags, signals (TERM/INT stop, USR1 reload). */
import { readFile, rename, writeFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { defaultWorkers } from './core/cpus.js';
import { parseFlags, FlagError, USAGE } from './core/flags.js';
import { Server } from './core/server.js';
import { root } from './core/log.js';
import { NAME, VERSION } from './version.js';
import { availablePlugins } from './plugins.js';
import { reloadWorkers, startWorkers, stopWorkers } from './core/workers.js';

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseFlags(process.argv.slice(2), defaultWorkers());
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const banner = `${NAME}-${VERSION}\n${process.platform}/${process.arch}, node ${process.version}\n`;
  if (flags.version) {
    process.stdout.write(banner);
    return 0;
  }
  if (flags.plugins) {
    const names = await availablePlugins();
    process.stdout.write(`Server types:\n  dns\n\nOther plugins:\n${names.map((n) => `  dns.${n}\n`).join('')}`);
    return 0;
  }
  const file = resolve(flags.conf);
  const readCorefile = async () => ({ text: await readFile(file, 'utf8'), file: flags.conf });
  let first: { text: string; file: string };
  try {
    first = await readCorefile();
  } catch (e) {
    process.stderr.write(`Error: cannot read Corefile ${flags.conf}: ${(e as Error).message}\n`);
    return 1;
  }
  // SO_REUSEPORT always, as CoreDNS on Linux: a new instance can take over the port before the old
  // one leaves (rolling restart), and -workers threads share it.
  const server = new Server({ defaultPort: flags.port, readCorefile, reusePort: true, onReloaded: reloadWorkers });

  // Signal handlers go in before anything announces the server (banner, pidfile): whoever reacts to
  // those may signal at once, and a SIGINT/SIGTERM that finds no handler kills the process uncleanly.
  // A stop that arrives during startup waits for startup to finish, then stops what it started.
  let starting: Promise<unknown> = Promise.resolve();
  let started = false;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    root.info(`[${signal}] shutting down`);
    await starting.catch(() => undefined);
    if (!started) return; // startup failed: main reports it and exits 1
    // Lameduck first (workers keep serving through it), then the workers, then the primary's sockets.
    await server.stop(() => stopWorkers());
    if (flags.pidfile) await rm(flags.pidfile, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGUSR1', () => {
    if (!started || stopping) {
      root.info(`SIGUSR1 ignored: the server is ${stopping ? 'stopping' : 'still starting'}`);
      return;
    }
    server.restart().then(
      () => root.info('Reloaded configuration (SIGUSR1)'),
      (err: Error) => root.error(`Reload failed, keeping the running configuration: ${err.message}`),
    );
  });

  try {
    starting = (async () => {
      await server.start(first.text, first.file);
      if (flags.workers > 1) await startWorkers(flags.workers - 1, file, first.file, flags.port);
      started = true;
    })();
    await starting;
  } catch (e) {
    await stopWorkers();
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  if (stopping) return -1;
  if (flags.pidfile) {
    // Written whole, then renamed: whoever sees the file sees the pid.
    await writeFile(`${flags.pidfile}.tmp`, `${process.pid}\n`);
    await rename(`${flags.pidfile}.tmp`, flags.pidfile);
  }
  if (!flags.quiet) process.stdout.write(`${server.describe()}${banner}`);
  return -1;
}

process.on('uncaughtException', (err) => {
  root.error({ err }, `uncaught exception: ${err.stack ?? err.message}`);
});
process.on('unhandledRejection', (err) => {
  root.error({ err }, `unhandled rejection: ${(err as Error)?.stack ?? String(err)}`);
});

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
