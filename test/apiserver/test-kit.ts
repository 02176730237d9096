/** Helpers for the simulator's own tests: a client-node KubeConfig pointed at a simulator, and polling. */
import { KubeConfig } from '@kubernetes/client-node';

/** A KubeConfig whose current context is the simulator at `url`, with an optional bearer token. */
export function kubeConfigFor(url: string, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sim', server: url, skipTLSVerify: true }],
    users: [{ name: 'tester', ...(token ? { token } : {}) }],
    contexts: [{ name: 'sim', cluster: 'sim', user: 'tester' }],
    currentContext: 'sim',
  });
  return kc;
}

/** Polls until pred() is truthy; rejects with `what` after ms. */
export async function waitFor(what: string, pred: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A namespaced Service manifest. */
export function service(namespace: string, name: string, labels: Record<string, string> = {}, clusterIP?: string): any {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: { ...(clusterIP ? { clusterIP } : {}), ports: [{ name: 'http', port: 80 }] },
  };
}

/** A Pod manifest. */
export function pod(namespace: string, name: string, phase: string, nodeName = 'node-1', labels: Record<string, string> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { nodeName, containers: [{ name: 'c', image: 'img' }] },
    status: { phase, podIP: '10.244.0.9' },
  };
}

/** A watch opened through client-node's Watch class, collecting what reaches its callbacks. */
export interface CollectedWatch {
  events: Array<{ type: string; obj: any }>;
  /** Resolves with the argument of the done callback (null for a clean end). */
  done: Promise<unknown>;
  abort(): void;
}

/** Opens a client-node Watch on path with query params. */
export async function collectWatch(kc: KubeConfig, path: string, params: Record<string, string | number | boolean | undefined>): Promise<CollectedWatch> {
  const { Watch } = await import('@kubernetes/client-node');
  const events: CollectedWatch['events'] = [];
  let finish!: (err: unknown) => void;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  const ctrl = await new Watch(kc).watch(path, params, (type, obj) => events.push({ type, obj }), (err) => finish(err));
  return { events, done, abort: () => ctrl.abort() };
}

/** A watch read with plain fetch: raw lines as they arrive. */
export interface RawStream {
  status: number;
  headers: Headers;
  lines: string[];
  /** Resolves 'end' on a clean end of the body, or the error that broke it. */
  ended: Promise<'end' | Error>;
  abort(): void;
}

/** GETs url and reads the body line by line until it ends. */
export async function rawStream(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  const ctrl = new AbortController();
  const res = await fetch(url, { headers, signal: ctrl.signal });
  const lines: string[] = [];
  const ended = (async (): Promise<'end' | Error> => {
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'end';
        buf += dec.decode(value, { stream: true });
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          lines.push(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      }
    } catch (err) {
      return err as Error;
    }
  })();
  return { status: res.status, headers: res.headers, lines, ended, abort: () => ctrl.abort() };
}
