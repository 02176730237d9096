import { describe, expect, it } from 'vitest';
import { Rcode, Type } from '../../dns/constants.js';
import { qtypeLabel, rcodeLabel } from './labels.js';

describe('labels', () => {
  it.each([
    [Type.A, 'A'], [Type.AAAA, 'AAAA'], [Type.SRV, 'SRV'], [Type.PTR, 'PTR'], [50, 'NSEC3'], [Type.SVCB, 'SVCB'],
    [Type.AXFR, 'AXFR'], [Type.ANY, 'ANY'], [Type.HINFO, 'other'], [Type.NAPTR, 'other'], [Type.CAA, 'other'], [65280, 'other'],
  ])('type %i -> %s', (code, label) => {
    expect(qtypeLabel(code)).toBe(label);
  });

  it.each([
    [Rcode.NOERROR, 'NOERROR'], [Rcode.NXDOMAIN, 'NXDOMAIN'], [Rcode.SERVFAIL, 'SERVFAIL'], [Rcode.REFUSED, 'REFUSED'],
    [11, 'DSOTYPENI'], [12, 'RCODE12'], [Rcode.BADVERS, 'BADSIG'], [23, 'BADCOOKIE'], [24, 'RCODE24'],
  ])('rcode %i -> %s', (code, label) => {
    expect(rcodeLabel(code)).toBe(label);
  });
});
