// Why the query path does not use dns2: encode/decode cost per message, ours vs dns2 (npm run build first).
// node bench/codec-vs-dns2.mjs
import dns2 from 'dns2';
import { encode } from '../dist/dns/encode.js';
import { decode } from '../dist/dns/decode.js';
import { newQuery } from '../dist/dns/message.js';
const { Packet } = dns2;
const q = newQuery('web.shop.svc.cluster.local.', 1, { id: 5 });
const ours = { ...q, qr: true, aa: true, answer: [{ name: 'web.shop.svc.cluster.local.', type: 1, class: 1, ttl: 30, address: '10.96.10.20' }] };
const pkt = new Packet({ id: 5, qr: 1, aa: 1, rd: 1 });
pkt.questions.push({ name: 'web.shop.svc.cluster.local', type: 1, class: 1 });
pkt.answers.push({ name: 'web.shop.svc.cluster.local', type: 1, class: 1, ttl: 30, address: '10.96.10.20' });
const qb = encode(q);
const time = (label, fn) => { for (let i = 0; i < 5000; i++) fn(); const N = 50000; const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(); console.log(label, (Number(process.hrtime.bigint() - t) / N / 1000).toFixed(2), 'us'); };
time('dns2 encode A reply', () => pkt.toBuffer());
time('ours encode A reply', () => encode(ours, 512));
time('dns2 parse query', () => Packet.parse(qb));
time('ours decode query', () => decode(qb));
