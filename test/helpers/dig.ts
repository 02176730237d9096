/** Runs the real `dig +yaml` and parses its answer into typed sections (for end-to-end tests). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import YAML from 'yaml';

const run = promisify(execFile);

/** One dig reply. Records are zone-file lines as dig prints them (`name ttl IN TYPE rdata`). */
export interface DigReply {
  status: string;
  id: number;
  flags: string[];
  question: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  opt?: { version?: number; udp?: number; flags?: string[] };
  /** Raw dig text when something went wrong (timeout). */
  error?: string;
}

/** Queries 127.0.0.1:`port` for `name`/`type` with extra dig options (`+tcp`, `+bufsize=4096`, `+noedns`...). */
export async function dig(port: number, name: string, type = 'A', opts: string[] = [], server = '127.0.0.1'): Promise<DigReply> {
  const args = ['+yaml', `@${server}`, '-p', String(port), name, type, '+tries=1', '+time=3', '+noadflag', ...opts];
  let stdout: string;
  try {
    ({ stdout } = await run('dig', args, { timeout: 15_000 }));
  } catch (e) {
    stdout = (e as { stdout?: string }).stdout ?? '';
  }
  return parseDigYaml(stdout);
}

/** Parses `dig +yaml` output (the first message). */
export function parseDigYaml(text: string): DigReply {
  const docs = YAML.parse(text) as Array<{ type: string; message?: Record<string, unknown> }> | null;
  const first = docs?.[0];
  if (!first || first.type !== 'MESSAGE') {
    return { status: 'TIMEOUT', id: -1, flags: [], question: [], answer: [], authority: [], additional: [], error: text };
  }
  const data = (first.message!.response_message_data ?? {}) as Record<string, unknown>;
  const edns = (data.OPT_PSEUDOSECTION as { EDNS?: Record<string, unknown> } | undefined)?.EDNS;
  const list = (k: string) => ((data[k] as string[] | undefined) ?? []).map(String);
  return {
    status: String(data.status),
    id: Number(data.id),
    flags: String(data.flags ?? '').split(/\s+/).filter(Boolean),
    question: list('QUESTION_SECTION'),
    answer: list('ANSWER_SECTION'),
    authority: list('AUTHORITY_SECTION'),
    additional: list('ADDITIONAL_SECTION'),
    opt: edns ? { version: edns.version as number, udp: edns.udp as number, flags: edns.flags as string[] } : undefined,
  };
}
