// The customers pages: the list with its search, and one customer's page with its current period estimate, usage
// chart, entitlements, alerts, credits, invoices, events explorer and history.

import { h } from './dom.js';
import { qs, enc } from './api.js';
import * as f from './format.js';
import { barChart } from './chart.js';
import { amount, badge, copyButton, dataTable, errorBox, field, fill, keyValues, section } from './ui.js';
import { addDecimals, alertsTable, budgetForm, estimateView, invoiceTable } from './views.js';
import { walletsSection } from './wallets.js';
import { historySection } from './history.js';

/** The customers list with its search form. */
export async function customersPage(api, { page }, params) {
  const q = params.get('q') || '';
  const view = page('Customers');
  const input = h('input', { type: 'search', name: 'q', value: q, autocomplete: 'off' });
  view.append(h('form', {
    role: 'search', class: 'card inline-form',
    onsubmit: (e) => {
      e.preventDefault();
      location.hash = `#/customers${qs({ q: input.value.trim() })}`;
    },
  }, field('Search customers by id or name', input), h('button', { type: 'submit' }, 'Search')));
  const list = h('div', { class: 'card' });
  view.append(list);
  await fill(list, 'Customers could not be loaded', async () => {
    const res = await api.get(`/v1/customers${qs({ q })}`);
    return dataTable({
      caption: q ? `Customers matching “${q}”` : 'Customers', captionVisible: true,
      empty: q ? `No customer matches “${q}”.` : 'No customers yet. Create them with POST /v1/customers.',
      rows: res.customers,
      columns: [
        { label: 'Name', rowHeader: true, cell: (c) => h('a', { href: `#/customers/${enc(c.external_id)}` }, c.name) },
        { label: 'External id', cell: (c) => h('code', {}, c.external_id) },
        { label: 'Currency', cell: (c) => c.currency },
        { label: 'Time zone', cell: (c) => c.timezone },
        { label: 'Email', cell: (c) => c.email || '—' },
      ],
    });
  });
}

/** One customer: its details, estimate, usage, entitlements, alerts, credits, invoices, events and history. */
export async function customerPage(api, ctx, id) {
  const { page, add, width, optionalSection } = ctx;
  let c;
  try {
    c = await api.get(`/v1/customers/${enc(id)}`);
  } catch (e) {
    page('Customer').append(errorBox(e, `Customer ${id}`));
    return;
  }
  const tz = c.timezone;
  const cur = c.currency;
  const portal = h('div', { class: 'portal-link' });
  const view = page(c.name, h('button', {
    type: 'button', class: 'secondary',
    onclick: async () => {
      await fill(portal, 'The portal link could not be created', async () => {
        const t = await api.post(`/v1/customers/${enc(id)}/portal-tokens`, { ttl_seconds: 3600 });
        const url = new URL(t.url, location.origin).href;
        const out = h('input', { type: 'text', readonly: true, value: url, class: 'wide portal-url' });
        return h('div', { class: 'callout' },
          field(`Portal link for ${c.name} (valid until ${f.dateTime(t.expires_at, tz)})`, out),
          copyButton(() => url, 'Copy link'), ' ',
          h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Open the portal'));
      });
    },
  }, 'Create a portal link'));
  view.append(portal);
  view.append(h('div', { class: 'card' }, keyValues([
    ['External id', h('code', {}, c.external_id)],
    ['Currency', cur],
    ['Time zone', c.pending_timezone ? [tz, h('small', { class: 'muted block pending-timezone' },
      `${c.pending_timezone.timezone} from ${f.dateTime(c.pending_timezone.effective_at, tz)} (the next period)`)] : tz],
    c.archived_at ? ['Archived', h('span', { class: 'archived' }, `${f.dateTime(c.archived_at, tz)}: not billed; its events count as unmatched`)] : null,
    c.version ? ['Version', h('span', {}, `${c.version}`, h('small', { class: 'muted' }, ` (GET /v1/customers/${c.external_id}/versions)`))] : null,
    ['Email', c.email || '—'],
    ['Subscriptions', c.subscriptions.length === 0 ? 'None' : h('ul', { class: 'plain' }, c.subscriptions.map((sub) => h('li', {},
      h('code', {}, sub.plan), ` v${sub.plan_version} · `, badge(sub.status), ` · since ${f.date(sub.start, tz)}`)))],
  ])));

  const estimate = add(view, section('Current period estimate'));
  const usage = add(view, section('Usage'));
  const entSec = section('Entitlements');
  view.append(entSec.el);
  const alertSec = section('Alerts');
  view.append(alertSec.el);
  const creditSec = section('Credits');
  view.append(creditSec.el);
  const inv = add(view, section('Invoices'));
  const events = add(view, section('Events'));
  const historySec = section('History', { description: 'Every change to this customer, newest first (GET /v1/audit; needs an admin key).' });
  view.append(historySec.el);

  let estimateData = null;
  await fill(estimate, 'The estimate could not be loaded', async () => {
    estimateData = await api.get(`/v1/customers/${enc(id)}/usage`);
    return renderEstimate(estimateData, tz);
  });
  usageChart(api, width, usage, id, c, estimateData);
  optionalSection(entSec, () => entitlements(api, id, tz));
  optionalSection(alertSec, () => customerAlerts(api, optionalSection, id, c, alertSec.body));
  optionalSection(creditSec, () => walletsSection(api, id, c, width(creditSec.body)));
  fill(inv, 'Invoices could not be loaded', async () => [invoiceTable((await api.get(`/v1/invoices${qs({ customer: id })}`)).invoices, tz, 'Invoices'),
    h('p', { class: 'muted' }, `Periods in ${tz}.`)]);
  eventsExplorer(api, events, id, tz);
  optionalSection(historySec, () => historySection(api, 'customer', id, tz));
}

function renderEstimate(est, tz) {
  if (est.subscriptions.length === 0) return h('p', { class: 'muted' }, 'No active subscription: nothing is being billed.');
  const cur = est.currency;
  const out = est.subscriptions.map((sub) => estimateView(sub, cur, tz));
  if (est.subscriptions.length > 1) {
    out.push(h('p', { class: 'total' }, 'All subscriptions: ', amount(est.estimated_total, cur, 'estimate-grand-total')));
  }
  return out;
}

async function usageChart(api, width, host, id, c, estimate) {
  const tz = c.timezone;
  let meterList;
  try {
    meterList = (await api.get('/v1/meters')).meters;
  } catch (e) {
    host.replaceChildren(errorBox(e, 'Meters could not be loaded'));
    return;
  }
  if (meterList.length === 0) {
    host.replaceChildren(h('p', { class: 'muted' }, 'No meters yet.'));
    return;
  }
  const sub = estimate?.subscriptions?.[0];
  const charged = sub?.charges.find((ch) => ch.meter)?.meter;
  const meterSelect = h('select', { name: 'meter' }, meterList.map((m) => h('option', { value: m.key, selected: m.key === charged }, m.name || m.key)));
  const windowSelect = h('select', { name: 'window' },
    [['day', 'Day'], ['hour', 'Hour'], ['month', 'Month']].map(([v, l]) => h('option', { value: v }, l)));
  const groupSelect = h('select', { name: 'group_by' });
  const rangeSelect = h('select', { name: 'range' },
    (sub ? [['period', 'This billing period']] : []).concat([['month', 'This month'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'], ['12m', 'Last 12 months']])
      .map(([v, l]) => h('option', { value: v }, l)));
  const chartHost = h('div', { class: 'chart-host', 'aria-live': 'polite' });
  const refreshGroups = () => {
    const m = meterList.find((x) => x.key === meterSelect.value);
    groupSelect.replaceChildren(h('option', { value: '' }, 'No split'),
      ...(m?.group_by || []).map((g) => h('option', { value: g }, g)));
  };
  const draw = async () => {
    const key = meterSelect.value;
    const now = new Date(estimate?.at || Date.now());
    let from;
    let to;
    switch (rangeSelect.value) {
      case 'period': from = sub.period_start; to = sub.period_end; break;
      case '7d': from = new Date(now - 7 * 864e5).toISOString(); to = now.toISOString(); break;
      case '30d': from = new Date(now - 30 * 864e5).toISOString(); to = now.toISOString(); break;
      case '12m': {
        const d = new Date(now);
        d.setUTCMonth(d.getUTCMonth() - 12);
        from = d.toISOString(); to = now.toISOString(); break;
      }
      default: from = undefined; to = undefined;
    }
    const window = windowSelect.value;
    const groupBy = groupSelect.value;
    await fill(chartHost, 'Usage could not be loaded', async () => {
      const res = await api.get(`/v1/meters/${enc(key)}/usage${qs({ customer: id, window, tz, from, to, group_by: groupBy })}`);
      // every window of the range up to now (empty ones included), keyed by instant
      const norm = (iso) => new Date(iso).toISOString();
      const filled = f.windowStarts(res.rows.length ? [res.from, res.rows.map((r) => r.window_start).sort()[0]].sort()[0] : res.from,
        new Date(Math.min(new Date(res.to).getTime(), now.getTime() + 1)).toISOString(), window, tz).map(norm);
      const categories = [...new Set([...filled, ...res.rows.map((r) => norm(r.window_start))])].sort();
      const bySeries = new Map();
      for (const r of res.rows) {
        const name = groupBy ? (Object.values(r.group).map((v) => v ?? '(none)').join(' · ') || '(none)') : key;
        if (!bySeries.has(name)) bySeries.set(name, new Map());
        bySeries.get(name).set(norm(r.window_start), r.value);
      }
      const series = [...bySeries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, values]) => ({ name, values }));
      const total = addDecimals(res.rows.map((r) => r.value));
      if (res.rows.length === 0) {
        return h('p', { class: 'muted' }, `No usage of ${key} from ${f.dateTime(res.from, tz)} to ${f.dateTime(res.to, tz)}.`);
      }
      return [
        h('p', {}, `Total ${key} from ${f.dateTime(res.from, tz)} to ${f.dateTime(res.to, tz)}: `,
          h('data', { value: total, class: 'usage-total' }, f.quantity(total)), ` (${tz}).`),
        barChart({
          title: `${key} per ${window}${groupBy ? ` by ${groupBy}` : ''}`,
          description: `Usage of meter ${key} for ${c.name}, per ${window} in ${tz}; total ${total}.`,
          categories, series, labelFor: (k) => f.bucketLabel(k, tz, window), format: (v) => f.quantity(v),
          width: width(host), categoryLabel: window.charAt(0).toUpperCase() + window.slice(1),
        }),
      ];
    });
  };
  meterSelect.addEventListener('change', () => { refreshGroups(); draw(); });
  for (const sel of [windowSelect, groupSelect, rangeSelect]) sel.addEventListener('change', draw);
  refreshGroups();
  host.replaceChildren(h('form', { class: 'controls', onsubmit: (e) => e.preventDefault() },
    field('Meter', meterSelect), field('Per', windowSelect), field('Split by', groupSelect), field('Range', rangeSelect)), chartHost);
  await draw();
}

async function entitlements(api, id, tz) {
  const res = await api.optional(`/v1/customers/${enc(id)}/entitlements`);
  if (res === null) return null;
  const list = res.entitlements || [];
  return dataTable({
    caption: 'Entitlements', empty: 'The plan grants no features.', rows: list,
    columns: [
      { label: 'Feature', rowHeader: true, cell: (e) => h('code', {}, e.feature) },
      { label: 'Allowed', cell: (e) => (e.allowed ? badge('allowed') : [badge('denied'), e.reason ? ` ${f.titleCase(e.reason)}` : '']) },
      {
        label: 'Used', cell: (e) => {
          if (e.limit === null || e.limit === undefined) return e.used != null ? f.quantity(e.used) : '—';
          const used = Number(e.used || 0);
          const limit = Number(e.limit);
          return h('span', { class: 'usage-bar' }, h('progress', { max: String(limit || 1), value: String(Math.min(used, limit || 1)), 'aria-label': `${e.feature} used` }),
            ` ${f.quantity(e.used ?? '0')} of ${f.quantity(e.limit)}`);
        },
      },
      { label: 'Remaining', numeric: true, cell: (e) => f.quantity(e.remaining) },
      { label: 'Mode', cell: (e) => (e.mode ? `${e.mode}${e.grace_percent && e.grace_percent !== '0' ? ` (+${e.grace_percent}% grace)` : ''}` : '—') },
      { label: 'Resets', cell: (e) => (e.resets_at ? f.date(e.resets_at, tz) : '—') },
    ],
  });
}

async function customerAlerts(api, optionalSection, id, c, host) {
  const res = await api.optional(`/v1/customers/${enc(id)}/alerts`);
  if (res === null) return null;
  const reload = () => optionalSection({ el: host.parentElement, body: host }, () => customerAlerts(api, optionalSection, id, c, host));
  return [alertsTable(res.alerts || [], c.currency, c.timezone),
    h('h3', {}, 'Add a budget alert'), budgetForm(api, '/v1/alerts', { customer: id }, c.currency, reload)];
}

async function eventsExplorer(api, host, id, tz) {
  let types = [];
  try {
    types = (await api.get('/v1/event-types')).event_types.map((t) => t.type);
  } catch (e) {
    /* the filter still works as free text */
  }
  const type = h('select', { name: 'type' }, h('option', { value: '' }, 'All types'), types.map((t) => h('option', { value: t }, t)));
  const from = h('input', { type: 'datetime-local', name: 'from' });
  const to = h('input', { type: 'datetime-local', name: 'to' });
  const results = h('div', { class: 'events-results' });
  const load = async (cursor, append) => {
    const q = {
      customer: id, type: type.value, from: f.zonedToUtc(from.value, tz), to: f.zonedToUtc(to.value, tz), cursor, limit: 25,
    };
    const target = append ? h('div') : results;
    if (append) results.append(target);
    await fill(target, 'Events could not be loaded', async () => {
      const res = await api.get(`/v1/events${qs(q)}`);
      // the server pages by hour, then arrival: show each page in the order of the time column (stable)
      const rows = res.events.map((e, i) => ({ e, i, t: new Date(e.time).getTime() }))
        .sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.e);
      const table = dataTable({
        caption: `Events, oldest first, times in ${tz}`, empty: 'No events match.', rows, className: 'events',
        columns: [
          { label: `Time (${tz})`, rowHeader: true, cell: (e) => h('time', { datetime: e.time }, f.dateTimeSeconds(e.time, tz)) },
          { label: 'Type', cell: (e) => h('code', {}, e.type) },
          { label: 'Source / id', cell: (e) => h('code', {}, `${e.source}/${e.id}`) },
          { label: 'Data', cell: (e) => h('code', { class: 'json' }, JSON.stringify(e.data ?? {})) },
          { label: 'State', cell: (e) => (e.cancelled ? badge('cancelled') : badge('counted')) },
        ],
      });
      const more = res.next_cursor ? h('button', {
        type: 'button', class: 'secondary',
        onclick: (ev) => { ev.target.remove(); load(res.next_cursor, true); },
      }, 'Load more events') : null;
      return [table, more];
    });
  };
  const rejected = h('div', { class: 'events-rejected' });
  host.replaceChildren(h('form', {
    class: 'controls', onsubmit: (e) => { e.preventDefault(); load(undefined, false); },
  }, field('Type', type), field(`From (${tz})`, from), field(`To (${tz})`, to), h('button', { type: 'submit' }, 'Show events')), results, rejected);
  await load(undefined, false);
  // rejected events are never stored; the server remembers the latest ones with their reasons
  await fill(rejected, 'Rejected events could not be loaded', async () => {
    const res = await api.get(`/v1/events/rejected${qs({ customer: id, limit: 25 })}`);
    return dataTable({
      caption: 'Recently rejected events', captionVisible: true, empty: 'No rejected events.', rows: res.rejected,
      className: 'rejected-events',
      columns: [
        { label: 'Received', rowHeader: true, cell: (e) => f.dateTimeSeconds(e.received_at, tz) },
        { label: 'Type', cell: (e) => h('code', {}, e.type ?? '—') },
        { label: 'Source / id', cell: (e) => h('code', {}, `${e.source ?? '?'}/${e.id ?? '?'}`) },
        { label: 'Reason', cell: (e) => h('code', {}, e.reason) },
        { label: 'Detail', cell: (e) => e.detail },
      ],
    });
  });
}
