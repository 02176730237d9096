import { describe, expect, it } from 'vitest';
import { Type } from '../../dns/constants.js';
import { replyTo } from '../../dns/message.js';
import { parseCorefile } from '../../corefile/parser.js';
import { makeRequest, runChain } from '../../plugin/testing.js';
import { RewriteHandler } from './rewrite.js';
import { parseRewrite } from './setup.js';

const COREFILE = String.raw`
. {
    rewrite continue {
        name regex (.*)-(us-west-1)\.example\.org {1}.service.{2}.consul
        answer name (.*)\.service\.(us-west-1)\.consul {1}-{2}.example.org
    }
    rewrite ttl regex "(.*)\.consul\." 10-20
}
`;

describe('rewrite from a parsed Corefile', () => {
  it('keeps regex backslashes and applies both lines', async () => {
    const [block] = parseCorefile(COREFILE, 'Corefile', { env: {} });
    const h = new RewriteHandler(parseRewrite(block!.directives.filter((d) => d.name === 'rewrite')));
    let sent = '';
    const reply = await runChain([h], makeRequest('ftp-us-west-1.example.org.', Type.A), async (req) => {
      sent = req.name;
      return { ...replyTo(req.msg), answer: [{ name: req.name, type: Type.A, class: 1, ttl: 300, address: '10.10.10.10' }] };
    });
    expect(sent).toBe('ftp.service.us-west-1.consul.');
    expect(reply.answer.map((rr) => `${rr.name} ${rr.ttl}`)).toEqual(['ftp-us-west-1.example.org. 20']);
  });
});
