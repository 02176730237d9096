/** Reads the YAML manifests of a deploy/ folder and validates them against the Kubernetes schemas. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';

/** A Kubernetes object as written in a manifest (plain data). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** One object and the file it came from. */
export interface Manifest {
  file: string;
  obj: KubeObject;
}

// The kinds deploy/ may use, by `apiVersion/kind`. A kind missing here fails validation loudly
// rather than passing unchecked.
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
};

/** The `*.yaml` files of `dir` (not recursive), kustomization.yaml excluded, sorted. */
export function manifestFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name) && e.name !== 'kustomization.yaml')
    .map((e) => e.name)
    .sort();
}

/** Every object of every manifest file in `dir`; a YAML syntax error throws naming the file. */
export function loadManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  for (const file of manifestFiles(dir)) {
    const docs = YAML.parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
    for (const doc of docs) {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as KubeObject | null;
      if (obj !== null) out.push({ file, obj });
    }
  }
  return out;
}

/** Validates one object against its Kubernetes schema; throws `file: Kind/name: reason`. */
export function validateObject(m: Manifest): void {
  const { apiVersion, kind, metadata } = m.obj;
  const where = `${m.file}: ${kind}/${metadata?.name ?? '?'}`;
  const Model = MODELS[`${apiVersion}/${kind}`];
  if (!Model) throw new Error(`${where}: no schema for apiVersion ${apiVersion} kind ${kind}`);
  try {
    new Model(structuredClone(m.obj) as never).validate();
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

/** The one object of `kind` named `name` (throws when missing). */
export function find<T = KubeObject>(all: Manifest[], kind: string, name: string): T {
  const hit = all.find((m) => m.obj.kind === kind && m.obj.metadata.name === name);
  if (!hit) throw new Error(`no ${kind}/${name} in the manifests`);
  return hit.obj as T;
}

/** True when every label of `selector` is on `labels`. */
export function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}
