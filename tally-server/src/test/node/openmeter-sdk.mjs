// Drives Tally's OpenMeter-compatible API (/api/v1) with the official @openmeter/sdk, exactly as an OpenMeter
// user's code would, and prints one JSON object with what came back. Run by OpenMeterSdkTest:
//   OPENMETER_URL=http://localhost:PORT OPENMETER_KEY=... OTHER_TENANT_KEY=... node openmeter-sdk.mjs
import { OpenMeter } from '@openmeter/sdk';

const baseUrl = process.env.OPENMETER_URL;
const apiKey = process.env.OPENMETER_KEY;
if (!baseUrl || !apiKey) {
  console.error('set OPENMETER_URL and OPENMETER_KEY');
  process.exit(2);
}
const om = new OpenMeter({ baseUrl, apiKey });
const other = new OpenMeter({ baseUrl, apiKey: process.env.OTHER_TENANT_KEY });
const out = {};

/** What an SDK call that should fail threw: the status and problem fields. */
async function failure(call) {
  try {
    await call();
    return { status: 'no error' };
  } catch (e) {
    return { status: e.status, type: e.type, detail: e.getField?.('detail') ?? e.message, errors: e.getField?.('errors') };
  }
}

// meters
out.created = await om.meters.create({
  slug: 'tokens_total',
  name: 'Tokens total',
  aggregation: 'SUM',
  eventType: 'prompt',
  valueProperty: '$.tokens',
  groupBy: { model: '$.model' },
});
await om.meters.create({ slug: 'prompts', aggregation: 'COUNT', eventType: 'prompt', valueProperty: '$.tokens' });
out.renamedGroupBy = await failure(() => om.meters.create({
  slug: 'bad_group', aggregation: 'SUM', eventType: 'prompt', valueProperty: '$.tokens', groupBy: { kind: '$.type' },
}));
out.duplicateMeter = await failure(() => om.meters.create({ slug: 'prompts', aggregation: 'COUNT', eventType: 'prompt' }));

// events: a batch, a single event (the SDK sends both as a batch), a retry of the same id, and an invalid one
const hourStart = new Date(Math.floor(Date.now() / 3600000) * 3600000);
const at = new Date(Math.max(hourStart.getTime() + 1000, Date.now() - 60000));
out.ingestBatch = await om.events.ingest([
  { type: 'prompt', subject: 'acme', time: at, data: { tokens: 1200, model: 'big' } },
  { type: 'prompt', subject: 'acme', time: at, data: { tokens: '300.5', model: 'small' } },
  { type: 'prompt', subject: 'globex', time: at, data: { tokens: 7, model: 'big' } },
]) ?? null;
const single = { id: 'fixed-id-1', source: 'sdk-test', type: 'prompt', subject: 'acme', time: at, data: { tokens: 10, model: 'big' } };
out.ingestSingle = await om.events.ingest(single) ?? null;
out.ingestRetry = await om.events.ingest(single) ?? null;
out.ingestInvalid = await failure(() => om.events.ingest([
  { type: 'prompt', subject: 'acme', time: at, data: { tokens: 1, model: 'big' } },
  { type: 'prompt', subject: '', time: at, data: { tokens: 1 } },
]));
out.ingestUnmeterable = await failure(() => om.events.ingest({ type: 'prompt', subject: 'acme', time: at, data: { model: 'big' } }));

// reading meters back
out.list = (await om.meters.list()).map((m) => ({ slug: m.slug, aggregation: m.aggregation, createdAt: m.createdAt instanceof Date }));
out.secondPage = (await om.meters.list({ params: { query: { page: 2, pageSize: 1 } } })).map((m) => m.slug);
out.listUnknownParam = await failure(() => om.meters.list({ params: { query: { limit: 5 } } }));
out.got = await om.meters.get('tokens_total');
out.missing = await failure(() => om.meters.get('no_such_meter'));

// queries
const q = (query) => om.meters.query('tokens_total', query);
const rows = (r) => r.data.map((d) => ({ value: d.value, valueType: typeof d.value, subject: d.subject, groupBy: d.groupBy,
  windowStart: d.windowStart.toISOString(), windowEnd: d.windowEnd.toISOString() }));
out.total = rows(await q({}));
out.acmeByModel = rows(await q({ subject: ['acme'], groupBy: ['model'] }));
out.bySubject = rows(await q({ groupBy: ['subject'] }));
out.bigOnly = rows(await q({ groupBy: ['subject'], filterGroupBy: { model: 'big' } }));
out.hourly = await q({ subject: ['acme'], windowSize: 'HOUR', from: hourStart, to: new Date(hourStart.getTime() + 3600000) });
out.hourly = { windowSize: out.hourly.windowSize, from: out.hourly.from.toISOString(), rows: rows(out.hourly) };
out.prompts = rows(await om.meters.query('prompts', { subject: ['acme', 'globex', 'nobody'] }));
out.minute = await failure(() => q({ windowSize: 'MINUTE' }));
out.unknownParam = await failure(() => q({ subject: ['acme'], customer: 'acme' }));
out.unknownGroupBy = await failure(() => q({ groupBy: ['region'] }));

// another tenant's key sees none of this
out.otherTenantMeters = await other.meters.list();
out.otherTenantQuery = await failure(() => other.meters.query('tokens_total', {}));

console.log(JSON.stringify(out));
