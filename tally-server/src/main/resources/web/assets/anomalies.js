// The anomalies page: incidents anomaly detection raised (GET /v1/anomalies, newest first, a page at a time),
// filtered by review status, with acknowledge / dismiss buttons (POST /v1/anomalies/{id}/acknowledge|dismiss) and
// the tenant's hold policy (GET /v1/anomaly-policy). See docs/ANOMALIES.md.

import { h } from './dom.js';
import { enc, qs, ApiError } from './api.js';
import * as f from './format.js';
import { badge, dataTable, errorBox, keyValues, loading, section } from './ui.js';

const PAGE = 50;
const KINDS = {
  usage_spike: 'Usage spike',
  usage_stopped: 'Usage stopped',
  duplicate_storm: 'Duplicate storm',
  rejected_storm: 'Rejected-event storm',
  new_source: 'New source in bulk',
  timestamp_skew: 'Timestamps far off',
  key_customer_spread: 'Key sending for new customers',
};
const HOLDS = { none: 'none', draft_hold: 'invoices held in draft', entitlement_cut: 'entitlements cut' };

function figure(value) {
  return h('data', { value }, f.quantity(value, 2));
}

function what(a) {
  if (a.customer) return [h('a', { href: `#/customers/${enc(a.customer)}` }, a.customer), a.meter ? ` · ${a.meter}` : ''];
  return a.kind === 'key_customer_spread' ? `key ${a.subject}` : `source ${a.subject}`;
}

function reviewButtons(api, a, done) {
  if (a.status !== 'open') {
    return h('span', { class: 'muted' }, a.reviewed_at ? `${a.status} ${f.dateTime(a.reviewed_at)}` : a.status);
  }
  const status = h('span', { class: 'form-status', role: 'status' });
  const act = (verb) => async (e) => {
    e.target.disabled = true;
    try {
      await api.post(`/v1/anomalies/${enc(a.id)}/${verb}`);
      done();
    } catch (err) {
      e.target.disabled = false;
      status.replaceChildren(errorBox(err));
    }
  };
  return h('span', { class: 'actions' },
    h('button', { type: 'button', class: 'anomaly-acknowledge', onclick: act('acknowledge'), 'aria-label': `Acknowledge ${KINDS[a.kind] || a.kind} ${a.id}` }, 'Acknowledge'),
    ' ',
    h('button', { type: 'button', class: 'secondary anomaly-dismiss', onclick: act('dismiss'), 'aria-label': `Dismiss ${KINDS[a.kind] || a.kind} ${a.id}` }, 'Dismiss'),
    status);
}

function table(api, rows, reload) {
  return dataTable({
    caption: 'Anomalies, newest first',
    className: 'anomalies-table',
    rows,
    empty: 'No anomalies: nothing unusual detected.',
    columns: [
      { label: 'Detected', rowHeader: true, cell: (a) => h('span', { class: 'anomaly-row', dataset: { id: a.id } }, f.dateTime(a.detected_at)) },
      { label: 'Kind', cell: (a) => h('span', { class: 'anomaly-kind', dataset: { kind: a.kind } }, KINDS[a.kind] || a.kind) },
      { label: 'Customer or source', cell: what },
      { label: 'Window', wide: true, cell: (a) => `${f.dateTime(a.window.start)} – ${a.window.end ? f.dateTime(a.window.end) : 'ongoing'}` },
      { label: 'Observed', numeric: true, cell: (a) => h('span', { class: 'anomaly-observed' }, figure(a.observed)) },
      { label: 'Expected', numeric: true, cell: (a) => h('span', { class: 'anomaly-expected' }, figure(a.expected)) },
      { label: 'Score', numeric: true, wide: true, cell: (a) => figure(a.score) },
      { label: 'Hold', wide: true, cell: (a) => HOLDS[a.hold] || a.hold },
      { label: 'Status', cell: (a) => h('span', { class: 'anomaly-status' }, badge(a.status)) },
      { label: 'Review', cell: (a) => reviewButtons(api, a, reload) },
    ],
  });
}

/** Renders the page into view; add(view, section) appends a section and returns its body. */
export async function renderAnomalies(view, api, { add }, params) {
  const status = params && params.get('status') ? params.get('status') : 'open';
  const policyBody = add(view, section('Policy', { description: 'What an anomaly of a customer does until it is reviewed. Acknowledging or dismissing it ends the hold.' }));
  const listBody = add(view, section('Anomalies'));
  try {
    const p = await api.get('/v1/anomaly-policy');
    policyBody.replaceChildren(keyValues([
      ['Hold', h('span', { class: 'anomaly-policy-hold' }, HOLDS[p.hold] || p.hold)],
      ['Spike', `${p.spike_ratio}× the baseline, ${p.spike_z} deviations, at least ${p.spike_min_events} events an hour`],
      ['Stop', `${p.stop_hours} hours without events where at least ${p.stop_min_expected} were expected`],
    ]));
  } catch (e) {
    policyBody.replaceChildren(errorBox(e, 'The policy could not be loaded'));
  }
  const filter = h('nav', { class: 'filters', 'aria-label': 'Review status' },
    ['open', 'acknowledged', 'dismissed', 'all'].map((s) => [h('a', {
      href: s === 'open' ? '#/anomalies' : `#/anomalies?status=${s}`,
      'aria-current': s === status ? 'page' : null,
    }, f.titleCase(s)), ' ']));
  const host = h('div', {});
  listBody.replaceChildren(filter, host);
  let rows = [];
  let cursor;
  const more = h('button', { type: 'button', class: 'secondary anomalies-more', hidden: true }, 'Show more');
  async function load(reset) {
    if (reset) {
      rows = [];
      cursor = undefined;
      host.replaceChildren(loading());
    }
    try {
      const page = await api.get(`/v1/anomalies${qs({ status: status === 'all' ? undefined : status, limit: PAGE, cursor })}`);
      rows.push(...page.anomalies);
      cursor = page.next_cursor || undefined;
      more.hidden = !cursor;
      host.replaceChildren(table(api, rows, () => load(true)), more);
    } catch (e) {
      host.replaceChildren(errorBox(e, e instanceof ApiError ? 'The anomalies could not be loaded' : undefined));
    }
  }
  more.addEventListener('click', () => load(false));
  await load(true);
}
