/**
 * The conformance corpus (cases.yaml): named Corefile configs and DNS questions with CoreDNS's
 * answers for the objects in cluster.yaml. See README.md beside this file for the rules.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** One question and the answer CoreDNS gives. Record lists use zone-file text; see README.md. */
export interface ConformanceCase {
  id: string;
  config: string;
  q: string;
  /** Query type name (`A`, `SRV`, ...). */
  type: string;
  /** Expected rcode name (`NOERROR`, `NXDOMAIN`, ...). */
  rcode: string;
  answer?: string[];
  authority?: string[];
  additional?: string[];
  tags: string[];
  /** Answer (partly) comes from the stub upstream: TTLs not compared. */
  upstream: boolean;
  transport?: 'udp' | 'tcp';
  tc?: boolean;
  edns_bufsize?: number;
  source?: string;
  note?: string;
  /** The cluster zone of the corpus (`cluster.local`). */
  zone: string;
  /** The kubernetes plugin's `ttl` in this case's config (default 5). */
  ttl: number;
}

/** The whole corpus. */
export interface Corpus {
  zone: string;
  /** Corefile texts by name, with `{port}`, `{endpoint}`, `{upstream}` placeholders. */
  configs: Record<string, string>;
  cases: ConformanceCase[];
}

/** Path of the fixture cluster (Kubernetes objects, multi-document YAML). */
export const CLUSTER_YAML = new URL('./cluster.yaml', import.meta.url);
/** Path of the cases. */
export const CASES_YAML = new URL('./cases.yaml', import.meta.url);

/** The `ttl` option of the kubernetes block in a Corefile text (CoreDNS's default is 5). */
export function configTtl(corefile: string): number {
  const m = /^\s*ttl\s+(\d+)\s*$/m.exec(corefile);
  return m ? Number(m[1]) : 5;
}

/** A config with its placeholders filled in. */
export function renderConfig(text: string, values: { port: number | string; endpoint: string; upstream: string }): string {
  return text.replaceAll('{port}', String(values.port)).replaceAll('{endpoint}', values.endpoint).replaceAll('{upstream}', values.upstream);
}

/** Loads and checks the corpus. */
export function loadCases(path: URL | string = CASES_YAML): Corpus {
  const doc = parse(readFileSync(path, 'utf8')) as { zone: string; configs: Record<string, string>; cases: Array<Record<string, unknown>> };
  const cases = doc.cases.map((raw): ConformanceCase => {
    const config = String(raw.config);
    const text = doc.configs[config];
    if (text === undefined) throw new Error(`case ${String(raw.id)}: unknown config '${config}'`);
    return {
      ...(raw as unknown as ConformanceCase),
      tags: (raw.tags as string[] | undefined) ?? [],
      upstream: raw.upstream === true,
      zone: doc.zone,
      ttl: configTtl(text),
    };
  });
  return { zone: doc.zone, configs: doc.configs, cases };
}
