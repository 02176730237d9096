import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import { addressRecord, canonicalIP, dashedIP, ipFromDashed } from './addresses.js';

describe('addresses', () => {
  it('types IP literals as CoreDNS does', () => {
    expect(addressRecord('10.0.0.1')).toEqual({ type: Type.A, address: '10.0.0.1' });
    expect(addressRecord('FD00:0:0::0001')).toEqual({ type: Type.AAAA, address: 'fd00::1' });
    expect(addressRecord('::ffff:1.2.3.4')).toEqual({ type: Type.A, address: '1.2.3.4' });
    expect(addressRecord('01.2.3.4')).toBeUndefined();
    expect(addressRecord('example.org')).toBeUndefined();
    expect(addressRecord('')).toBeUndefined();
  });

  it('dashes IPs the way endpoint names need', () => {
    expect(dashedIP('10.244.1.10')).toBe('10-244-1-10');
    expect(dashedIP('fd00:10:244:1::10')).toBe('fd00-10-244-1--10');
    expect(dashedIP('fd00::')).toBe('fd00--0');
  });

  it('reads pod labels back into IP text', () => {
    expect(ipFromDashed('10-244-1-10')).toBe('10.244.1.10');
    expect(ipFromDashed('fd00-10-244-1--10')).toBe('fd00:10:244:1::10');
    expect(ipFromDashed('1-2-3')).toBe('1:2:3');
    expect(canonicalIP('fd00:0::1')).toBe('fd00::1');
  });
});
