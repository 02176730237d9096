/**
 * The manifest files under a path: the path itself, or every *.yaml, *.yml and *.json below a
 * directory. Hidden entries are skipped, which also skips the `..data` / `..2024_...` twins of a
 * mounted ConfigMap. Symlinks are followed; a directory seen twice (a loop) is not entered again.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A manifest file and what tells us it changed. */
export interface ManifestFile {
  path: string;
  /** `mtimeMs:size:ino`; a different stamp means re-read. */
  stamp: string;
}

const EXT = /\.(ya?ml|json)$/i;
const MAX_FILES = 10_000;
const MAX_DEPTH = 32;

/** Lists the manifest files under `root`, sorted by path. Throws when `root` cannot be read. */
export async function listManifestFiles(root: string): Promise<ManifestFile[]> {
  const st = await stat(root);
  if (!st.isDirectory()) return [{ path: root, stamp: stampOf(st) }];
  const out: ManifestFile[] = [];
  const seen = new Set<string>();
  await walk(root, 0, out, seen);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function walk(dir: string, depth: number, out: ManifestFile[], seen: Set<string>): Promise<void> {
  const real = await realpath(dir);
  if (seen.has(real) || depth > MAX_DEPTH) return;
  seen.add(real);
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.') || out.length >= MAX_FILES) continue;
    const path = join(dir, e.name);
    let st;
    try {
      st = await stat(path); // follows symlinks
    } catch {
      continue; // dangling symlink, or removed while we looked
    }
    if (st.isDirectory()) await walk(path, depth + 1, out, seen);
    else if (st.isFile() && EXT.test(e.name)) out.push({ path, stamp: stampOf(st) });
  }
}

function stampOf(st: { mtimeMs: number; size: number; ino: number }): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}`;
}
