import { describe, expect, it } from 'vitest';
import { matchFields, parseFieldSelector } from './field-selector.ts';
import { SelectorError } from './label-selector.ts';
import { resourceByKind } from './resources.ts';

const pods = resourceByKind('Pod')!.fields;
const running = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIPs: [{ ip: '10.0.0.1' }] } };
const failed = { ...running, status: { phase: 'Failed' } };

describe('field selectors', () => {
  it.each([
    ['', running, true],
    ['status.phase=Running', running, true],
    ['status.phase==Running', running, true],
    ['status.phase!=Running', running, false],
    ['status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown', running, true],
    ['status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown', failed, false],
    ['spec.nodeName=n1,metadata.namespace=ns', running, true],
    ['spec.nodeName=n2', running, false],
    ['metadata.name=p', running, true],
    ['status.podIP=10.0.0.1', running, true],
    ['spec.hostNetwork=false', running, true],
  ])('%j on %j -> %s', (sel, obj, want) => {
    expect(matchFields(parseFieldSelector(sel, pods), pods, obj)).toBe(want);
  });

  it('unescapes \\, and \\= in values', () => {
    const req = parseFieldSelector('metadata.name=a\\,b\\=c', pods);
    expect(req).toEqual([{ field: 'metadata.name', op: '=', value: 'a,b=c' }]);
  });

  it('rejects unsupported field labels per resource, as the real server does', () => {
    expect(() => parseFieldSelector('spec.foo=x', pods)).toThrow(/field label not supported: spec.foo/);
    expect(() => parseFieldSelector('status.phase=Running', resourceByKind('Service')!.fields)).toThrow(SelectorError);
    expect(() => parseFieldSelector('nonsense', pods)).toThrow(/can't understand/);
  });
});
