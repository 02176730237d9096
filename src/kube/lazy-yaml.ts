/**
 * The `yaml` package, loaded on first use. Only the manifests source and kubeconfig files need it;
 * a server reading the API through `endpoint` or in-cluster never parses YAML, and loading the
 * package costs a few MB of RSS. `yaml` is CommonJS, so `require` gives it synchronously (callers
 * stay synchronous) and shares the one instance with any `import 'yaml'` elsewhere.
 */
import { createRequire } from 'node:module';

type Yaml = typeof import('yaml');

let loaded: Yaml | undefined;

/** The `yaml` module, required on the first call. */
export function yaml(): Yaml {
  loaded ??= createRequire(import.meta.url)('yaml') as Yaml;
  return loaded;
}
