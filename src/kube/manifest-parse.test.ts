import { describe, expect, it } from 'vitest';
import { parseManifest } from './manifest-parse.js';

const SVC = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: prod }
spec: { clusterIP: 10.0.0.10, ports: [{ name: http, port: 80 }] }
`;

describe('parseManifest', () => {
  it('reads multi-document YAML, skips unknown kinds and empty documents, unwraps lists', () => {
    const text = `${SVC}---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
---
# only a comment
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: { name: prod }
- apiVersion: v1
  kind: ConfigMap
  metadata: { name: cm }
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: { name: web-1, namespace: prod, labels: { kubernetes.io/service-name: web } }
  addressType: IPv4
  endpoints: [{ addresses: [10.1.0.1] }]
---
`;
    const { objects, errors } = parseManifest('a.yaml', text);
    expect(errors).toEqual([]);
    expect(objects.map((o) => `${o.kind} ${'namespace' in o.obj ? `${o.obj.namespace}/` : ''}${o.obj.name}`)).toEqual([
      'Service prod/web',
      'Namespace prod',
      'EndpointSlice prod/web-1',
    ]);
  });

  it('reads JSON, and a ServiceList; a missing namespace is "default"', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'ServiceList', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { clusterIP: '10.0.0.1' } }] });
    const { objects, errors } = parseManifest('l.json', json);
    expect(errors).toEqual([]);
    expect(objects[0]!.obj).toMatchObject({ namespace: 'default', name: 'a', clusterIPs: '10.0.0.1' });
  });

  it('versions objects by content, so an edit changes the version and a copy does not', () => {
    const a = parseManifest('a.yaml', SVC).objects[0]!.obj.resourceVersion;
    const same = parseManifest('b.yaml', `# comment\n${SVC}`).objects[0]!.obj.resourceVersion;
    const edited = parseManifest('a.yaml', SVC.replace('port: 80', 'port: 81')).objects[0]!.obj.resourceVersion;
    expect(a).toMatch(/^m-[0-9a-f]{16}$/);
    expect(same).toBe(a);
    expect(edited).not.toBe(a);
  });

  it('names the file, document and line of a YAML syntax error, and returns no objects', () => {
    const text = `${SVC}---\napiVersion: v1\nkind: Service\nmetadata: { name: bad\n`;
    const { objects, errors } = parseManifest('dir/svc.yaml', text);
    expect(objects).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^dir\/svc\.yaml: document 2 \(line (6|7|8|9)\): /);
  });

  it('names the field of a conversion error, and the list item', () => {
    const bad = `${SVC}---\napiVersion: v1\nkind: Service\nmetadata: { name: x }\nspec: { ports: 80 }\n`;
    expect(parseManifest('s.yaml', bad).errors).toEqual(['s.yaml: document 2 (line 6): spec.ports must be a list, got number 80']);
    const list = `apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {}\n`;
    expect(parseManifest('l.yaml', list).errors).toEqual(['l.yaml: document 1 (line 1), item 1: Namespace without metadata.name']);
    expect(parseManifest('x.yaml', '- a\n- b\n').errors).toEqual(['x.yaml: document 1 (line 1): expected a Kubernetes object (a mapping), got a list']);
  });
});
