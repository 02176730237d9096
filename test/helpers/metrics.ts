/** HTTP probes for end-to-end tests: GET with status and body, and /metrics scraped into samples. */
import http from 'node:http';

/** Status and body of one GET (status 0 when the connection failed). */
export interface HttpReply {
  status: number;
  body: string;
}

/** GETs `url` (loopback), giving up after `ms`. Never rejects. */
export function httpGet(url: string, ms = 2000): Promise<HttpReply> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
  });
}

/** One sample of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (comments skipped). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
export function metricSum(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
}

/** Scrapes `http://HOST:PORT/metrics`; throws when it does not answer 200. */
export async function scrape(address: string): Promise<Sample[]> {
  const r = await httpGet(`http://${address}/metrics`, 5000);
  if (r.status !== 200) throw new Error(`GET /metrics on ${address}: ${r.status} ${r.body.slice(0, 200)}`);
  return parseMetrics(r.body);
}
