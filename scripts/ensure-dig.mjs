#!/usr/bin/env node
// Before `npm test`: the end-to-end tests query the server with the real `dig`. Installs it where
// we can (root on Debian/Ubuntu: bind9-dnsutils), otherwise says how and stops.
import { execFileSync, spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!has('dig')) {
  const root = process.getuid?.() === 0;
  if (root && has('apt-get')) {
    console.log('pretest: dig not found; installing bind9-dnsutils with apt-get');
    try {
      execFileSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bind9-dnsutils'], { stdio: 'inherit' });
    } catch {
      console.error('pretest: apt-get install bind9-dnsutils failed; install dig and run npm test again');
      process.exit(1);
    }
  } else {
    console.error('pretest: the end-to-end tests need dig: install bind9-dnsutils (Debian/Ubuntu), bind-utils (Fedora) or bind (Homebrew), then run npm test again');
    process.exit(1);
  }
}
