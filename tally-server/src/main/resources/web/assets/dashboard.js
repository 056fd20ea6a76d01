// The operator dashboard: sign in with an API key (kept in this tab's sessionStorage only), then a hash router
// over the pages. Every figure comes from the /v1 API of the same server.

import { h } from './dom.js';
import { createApi, qs, enc, ApiError } from './api.js';
import * as f from './format.js';
import { barChart } from './chart.js';
import { renderAnalytics } from './analytics.js';
import {
  amount, badge, copyButton, dataTable, errorBox, field, fill, keyValues, loading, pdfButton, section,
} from './ui.js';
import { addDecimals, alertsTable, budgetForm, estimateView, invoiceTable, paymentBadges, paymentColumns } from './views.js';
import { walletsSection } from './wallets.js';
import { historySection } from './history.js';

const KEY = 'tally.adminKey';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const api = createApi(() => sessionStorage.getItem(KEY) || '', () => {
  sessionStorage.removeItem(KEY);
  showLogin('Your session ended: the API key is no longer valid (revoked or expired). Sign in again.');
});

let navigated = false;

function start() {
  document.querySelector('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  signOut.addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    showLogin('You are signed out.');
  });
  window.addEventListener('hashchange', () => {
    navigated = true;
    route();
  });
  if (sessionStorage.getItem(KEY)) enterApp();
  else showLogin();
}

// ---------------------------------------------------------------- sign in

function showLogin(message) {
  nav.hidden = true;
  signOut.hidden = true;
  document.title = 'Sign in · Tally';
  const input = h('input', {
    type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true, class: 'wide',
  });
  const status = h('div', { class: 'form-status' });
  const form = h('form', {
    class: 'card login', 'aria-labelledby': 'login-title',
    onsubmit: async (e) => {
      e.preventDefault();
      const key = input.value.trim();
      status.replaceChildren(loading('Checking the key…'));
      const probe = createApi(() => key);
      try {
        await probe.get('/v1/stats');
        sessionStorage.setItem(KEY, key);
        if (!location.hash.startsWith('#/')) location.hash = '#/';
        enterApp();
      } catch (err) {
        const text = err instanceof ApiError && err.status === 401
          ? 'That key is not valid (unknown, revoked or expired).'
          : err instanceof ApiError && err.status === 403
            ? 'That key may not read this tenant’s data: it needs the read or admin scope.'
            : err.message;
        status.replaceChildren(h('div', { class: 'error', role: 'alert' }, text));
        input.focus();
      }
    },
  },
  h('h1', { id: 'login-title' }, 'Sign in to Tally'),
  message ? h('p', { class: 'notice', role: 'status' }, message) : null,
  field('Admin API key', input, 'The key stays in this browser tab (sessionStorage) and is sent only to this server. '
    + 'On a fresh install it is in DATA_DIR/bootstrap-key.'),
  h('button', { type: 'submit' }, 'Sign in'),
  status);
  main.replaceChildren(form);
  input.focus();
}

async function enterApp() {
  nav.hidden = false;
  signOut.hidden = false;
  route();
  // optional features: a route another build may not have is hidden when it answers 404
  try {
    if ((await api.optional('/v1/webhook-endpoints')) === null) {
      nav.querySelector('[data-section="webhooks"]')?.closest('li')?.remove();
    }
  } catch (e) {
    /* keep the link; the page shows the error */
  }
}

// ---------------------------------------------------------------- router

const routes = [
  [/^\/?$/, () => overview()],
  [/^\/customers$/, (m, q) => customers(q)],
  [/^\/customers\/([^/]+)$/, (m) => customer(decodeURIComponent(m[1]))],
  [/^\/invoices$/, (m, q) => invoices(q)],
  [/^\/invoices\/([^/]+)$/, (m) => invoice(decodeURIComponent(m[1]))],
  [/^\/meters$/, () => meters()],
  [/^\/plans$/, () => plans()],
  [/^\/plans\/([^/]+)$/, (m) => plan(decodeURIComponent(m[1]))],
  [/^\/subscriptions$/, () => subscriptions()],
  [/^\/webhooks$/, () => webhooks()],
  [/^\/webhooks\/([^/]+)$/, (m) => webhookDeliveries(decodeURIComponent(m[1]))],
  [/^\/keys$/, () => apiKeys()],
  [/^\/analytics$/, () => renderAnalytics(page('Analytics'), api, { add, width })],
  [/^\/anomalies$/, (m, q) => import('./anomalies.js').then((a) => a.renderAnomalies(page('Anomalies'), api, { add }, q))],
];

function route() {
  if (!sessionStorage.getItem(KEY)) {
    showLogin();
    return;
  }
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // an in-page anchor, not a page
  nav.hidden = false;
  signOut.hidden = false;
  const [path, query = ''] = hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  const sectionName = path.split('/')[1] || 'overview';
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.section === sectionName) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const [re, render] of routes) {
    const m = path.match(re);
    if (m) {
      Promise.resolve().then(() => render(m, params)).catch((e) => main.append(errorBox(e)));
      return;
    }
  }
  page('Not found').append(h('p', {}, 'There is no such page. ', h('a', { href: '#/' }, 'Go to the overview.')));
}

/** Starts a page: its h1 (focused after a navigation, for screen readers) and an empty view. */
function page(title, ...extra) {
  document.title = `${title} · Tally`;
  const heading = h('h1', { tabindex: '-1' }, title);
  const view = h('div', { class: 'view' });
  main.replaceChildren(h('div', { class: 'page-head' }, heading, ...extra), view);
  if (navigated) heading.focus();
  return view;
}

function add(view, sec) {
  view.append(sec.el);
  return sec.body;
}

function width(el) {
  return Math.max(300, (el.clientWidth || main.clientWidth || 720) - 4);
}

// ---------------------------------------------------------------- overview

async function overview() {
  const view = page('Overview');
  const kpis = add(view, section('Ingest', { description: 'Counted by this server process since it started.' }));
  const rate = add(view, section('Events per second, last 24 hours'));
  const reasons = add(view, section('Top rejection reasons'));
  const subjects = add(view, section('Events of no customer', { description: 'Stored events whose subject is no customer\'s external id (or an archived customer\'s): no invoice will bill them until the customer exists. A webhook endpoint can subscribe to events.unknown_subject to hear of each new one.' }));
  const unmatched = add(view, section('Unmatched event types', { description: 'Stored events whose type no meter reads yet; they become billable when a meter for them is created.' }));
  const revenue = add(view, section('Revenue'));
  let stats;
  try {
    stats = await api.get(`/v1/stats${qs({ tz: browserZone })}`);
  } catch (e) {
    view.replaceChildren(errorBox(e, 'The statistics could not be loaded'));
    return;
  }
  const ev = stats.events;
  const stat = (label, value, cls) => h('div', { class: ['stat', cls] }, h('dt', {}, label), h('dd', {}, value));
  // a process younger than a day has no "last day": its window is the time since it started
  const fullDay = (stats.rate.last_day_window_seconds ?? 86400) >= 86400;
  const dayLabel = fullDay ? 'over the last day' : `since the server started (${f.duration(stats.rate.last_day_window_seconds)} ago)`;
  kpis.replaceChildren(h('dl', { class: 'stats' },
    stat('Events/s now (last minute)', f.quantity(stats.rate.per_second_last_minute, 3), 'rate-now'),
    stat(`Events/s ${dayLabel}`, f.quantity(stats.rate.per_second_last_day, 3), 'rate-day'),
    stat(fullDay ? 'Accepted in the last day' : 'Accepted since the server started', f.integer(stats.rate.last_day.events.reduce((a, n) => a + n, 0)), 'last-day'),
    stat('Accepted', f.integer(ev.accepted), 'accepted'),
    stat('Duplicates', f.integer(ev.duplicates), 'duplicates'),
    stat('Rejected', f.integer(ev.rejected), 'rejected'),
    stat('Stored events (all time)', f.integer(ev.stored), 'stored'),
    ev.unmatched_subjects ? stat('Events of no customer', f.integer(ev.unmatched_subjects.events), 'unmatched-subjects') : null),
  h('p', { class: 'muted' }, `Counts since ${f.dateTime(stats.since, browserZone)} (${browserZone}).`));

  const day = stats.rate.last_day;
  const start = new Date(day.start).getTime();
  const keys = day.events.map((_, i) => new Date(start + i * day.bucket_seconds * 1000).toISOString());
  const values = new Map(keys.map((k, i) => [k, (day.events[i] / day.bucket_seconds).toFixed(3)]));
  rate.replaceChildren(barChart({
    title: 'Accepted events per second, per 15 minutes, last 24 hours',
    description: `Average ${stats.rate.per_second_last_day} events per second ${dayLabel}.`,
    categories: keys, series: [{ name: 'Events per second', values }],
    labelFor: (k) => f.bucketLabel(k, undefined, 'minute'), format: (v) => f.quantity(v, 3),
    width: width(rate), height: 200, categoryLabel: 'From',
  }));

  reasons.replaceChildren(dataTable({
    caption: 'Top rejection reasons', empty: 'No event has been rejected.',
    rows: ev.rejected_by_reason,
    columns: [
      { label: 'Reason', rowHeader: true, cell: (r) => h('code', {}, r.reason) },
      { label: 'Events', numeric: true, cell: (r) => f.integer(r.events) },
    ],
  }));
  unmatched.replaceChildren(dataTable({
    caption: 'Unmatched event types', empty: 'Every stored event type is read by a meter.',
    rows: ev.unmatched_types,
    columns: [
      { label: 'Event type', rowHeader: true, cell: (r) => h('code', {}, r.type) },
      { label: 'Stored events', numeric: true, cell: (r) => f.integer(r.events) },
    ],
  }));
  fill(subjects, 'The unmatched subjects could not be loaded', async () => {
    const res = await api.get(`/v1/events/unmatched-subjects${qs({ limit: 10 })}`);
    return [dataTable({
      caption: 'Subjects that match no customer', empty: 'Every event subject is a customer.', rows: res.subjects, className: 'unmatched-subjects',
      columns: [
        { label: 'Subject', rowHeader: true, cell: (r) => h('code', {}, r.subject) },
        { label: 'Events', numeric: true, cell: (r) => h('data', { value: String(r.events), class: 'subject-events' }, f.integer(r.events)) },
        { label: 'First seen', wide: true, cell: (r) => f.dateTime(r.first_seen, browserZone) },
        { label: 'Last seen', cell: (r) => f.dateTime(r.last_seen, browserZone) },
      ],
    }), res.subjects_total > res.subjects.length ? h('p', { class: 'muted' }, `${res.subjects_total} subjects in all (GET /v1/events/unmatched-subjects).`) : null,
    res.subjects.length ? h('p', { class: 'muted' }, `Times in ${browserZone}.`) : null];
  });
  const rv = stats.revenue;
  revenue.replaceChildren(
    h('p', { class: 'muted' }, `This period: ${f.period(rv.period_start, rv.period_end, browserZone)} in ${browserZone} (invoices finalized in it).`),
    dataTable({
      caption: 'Revenue by currency', empty: 'No invoice and no open period yet.', rows: rv.currencies,
      columns: [
        { label: 'Currency', rowHeader: true, cell: (r) => r.currency },
        { label: 'Invoiced this period', numeric: true, cell: (r) => [amount(r.invoiced, r.currency, 'invoiced'), h('small', { class: 'muted' }, ` (${r.invoices})`)] },
        { label: 'In draft', numeric: true, cell: (r) => amount(r.draft, r.currency) },
        { label: 'Estimated, open periods', numeric: true, cell: (r) => [amount(r.estimated_open, r.currency, 'estimated-open'), h('small', { class: 'muted' }, ` (${r.open_periods})`)] },
      ],
    }));
}

// ---------------------------------------------------------------- customers

async function customers(params) {
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

async function customer(id) {
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
  usageChart(usage, id, c, estimateData);
  optionalSection(entSec, () => entitlements(id, tz));
  optionalSection(alertSec, () => customerAlerts(id, c, alertSec.body));
  optionalSection(creditSec, () => walletsSection(api, id, c, width(creditSec.body)));
  fill(inv, 'Invoices could not be loaded', async () => [invoiceTable((await api.get(`/v1/invoices${qs({ customer: id })}`)).invoices, tz, 'Invoices'),
    h('p', { class: 'muted' }, `Periods in ${tz}.`)]);
  eventsExplorer(events, id, tz);
  optionalSection(historySec, () => historySection(api, 'customer', id, tz));
}

/** Fills an optional section, or removes it when its route answers 404 on this server. */
async function optionalSection(sec, work) {
  sec.body.replaceChildren(loading());
  try {
    const content = await work();
    if (content === null) sec.el.remove();
    else sec.body.replaceChildren(...[content].flat());
  } catch (e) {
    sec.body.replaceChildren(errorBox(e));
  }
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

async function usageChart(host, id, c, estimate) {
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

async function entitlements(id, tz) {
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

async function customerAlerts(id, c, host) {
  const res = await api.optional(`/v1/customers/${enc(id)}/alerts`);
  if (res === null) return null;
  const reload = () => optionalSection({ el: host.parentElement, body: host }, () => customerAlerts(id, c, host));
  return [alertsTable(res.alerts || [], c.currency, c.timezone),
    h('h3', {}, 'Add a budget alert'), budgetForm(api, '/v1/alerts', { customer: id }, c.currency, reload)];
}

async function eventsExplorer(host, id, tz) {
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

// ---------------------------------------------------------------- invoices

async function invoices(params) {
  const status = params.get('status') || '';
  const payment = params.get('payment') || '';
  const view = page('Invoices');
  const select = h('select', { name: 'status' }, [['', 'Any status'], ['draft', 'Draft'], ['finalized', 'Finalized'], ['paid', 'Paid'], ['void', 'Void']]
    .map(([v, l]) => h('option', { value: v, selected: v === status }, l)));
  const paymentSelect = h('select', { name: 'payment' }, [['', 'Any payment status'], ['overdue', 'Overdue'],
    ['failed', 'Failed'], ['pending', 'Pending'], ['processing', 'Processing'], ['succeeded', 'Succeeded'],
    ['partially_refunded', 'Partially refunded'], ['refunded', 'Refunded'], ['disputed', 'Disputed']]
    .map(([v, l]) => h('option', { value: v, selected: v === payment }, l)));
  const go = () => { location.hash = `#/invoices${qs({ status: select.value, payment: paymentSelect.value })}`; };
  select.addEventListener('change', go);
  paymentSelect.addEventListener('change', go);
  view.append(h('form', { class: 'card inline-form', onsubmit: (e) => e.preventDefault() }, field('Status', select),
    field('Payment', paymentSelect, 'Overdue: finalized, not paid, due date passed (customer\'s time zone).')));
  const list = h('div', { class: 'card' });
  view.append(list);
  const filter = payment === 'overdue' ? { overdue: 'true' } : { payment_status: payment };
  await fill(list, 'Invoices could not be loaded', async () => {
    const [res, active, archived] = await Promise.all([api.get(`/v1/invoices${qs({ status, ...filter, limit: 200 })}`),
      api.get('/v1/customers').then((r) => r.customers, () => []),
      api.get(`/v1/customers${qs({ archived: 'true' })}`).then((r) => r.customers, () => [])]);
    const zones = new Map([...active, ...archived].map((c) => [c.external_id, c.timezone]));
    const zoneOf = (i) => zones.get(i.customer) || 'UTC';
    return dataTable({
      caption: 'Invoices', empty: 'No invoices.', rows: res.invoices, className: 'invoices',
      columns: [
        { label: 'Invoice', rowHeader: true, cell: (i) => h('a', { href: `#/invoices/${enc(i.id)}` }, i.number || `Draft ${i.id.slice(0, 12)}`) },
        { label: 'Customer', cell: (i) => h('a', { href: `#/customers/${enc(i.customer)}` }, i.customer) },
        { label: 'Status', cell: (i) => badge(i.status) },
        { label: 'Period (customer\'s time zone)', cell: (i) => [h('span', { class: 'period' }, f.period(i.period_start, i.period_end, zoneOf(i))), h('small', { class: 'muted block zone' }, zoneOf(i))] },
        { label: 'Total', numeric: true, cell: (i) => amount(i.total, i.currency) },
        ...paymentColumns(),
      ],
    });
  });
}

async function invoice(id) {
  let inv;
  let c;
  try {
    inv = await api.get(`/v1/invoices/${enc(id)}`);
    c = await api.get(`/v1/customers/${enc(inv.customer)}`);
  } catch (e) {
    page('Invoice').append(errorBox(e, `Invoice ${id}`));
    return;
  }
  const tz = c.timezone;
  const cur = inv.currency;
  const actions = h('div', { class: 'actions' }, pdfButton(api, `/v1/invoices/${enc(inv.id)}`, `${inv.number || inv.id}.pdf`));
  const act = (label, verb, cls) => h('button', {
    type: 'button', class: cls || 'secondary',
    onclick: async () => {
      try {
        await api.post(`/v1/invoices/${enc(inv.id)}/${verb}`);
        invoice(id);
      } catch (e) {
        actions.append(errorBox(e, `${label} failed`));
      }
    },
  }, label);
  if (inv.status === 'draft') actions.append(act('Finalize now', 'finalize'));
  if (inv.status === 'finalized') actions.append(act('Mark paid', 'mark-paid'), act('Void', 'void', 'danger'));
  const retryable = inv.status === 'finalized' && ['pending', 'failed'].includes(inv.payment_status)
    && addDecimals([inv.amount_remaining]) !== '0';
  if (retryable) actions.append(act('Retry payment', 'payments/retry', 'retry-payment'));
  const view = page(inv.number ? `Invoice ${inv.number}` : 'Draft invoice', actions);
  view.append(h('div', { class: 'card' }, keyValues([
    ['Status', badge(inv.status)],
    ['Customer', h('a', { href: `#/customers/${enc(c.external_id)}` }, c.name)],
    ['Period', [h('span', { class: 'period' }, f.period(inv.period_start, inv.period_end, tz)), ` (${tz})`]],
    ['Issued for', f.dateTime(inv.issued_for, tz)],
    inv.status === 'draft' ? ['Finalizes after', f.dateTime(inv.finalize_after, tz)] : ['Finalized', f.dateTime(inv.finalized_at, tz)],
    inv.paid_at ? ['Paid', f.dateTime(inv.paid_at, tz)] : null,
    inv.voided_at ? ['Voided', f.dateTime(inv.voided_at, tz)] : null,
    ['Total', amount(inv.total, cur, 'invoice-total')],
  ])));
  if (inv.status !== 'draft') paymentSection(view, inv, tz);
  const lines = add(view, section('Lines', { description: 'Every line records the meter and price versions, the quantity and the events it was computed from.' }));
  const rows = [];
  const captionId = 'lines-caption';
  const tbody = h('tbody');
  inv.lines.forEach((l) => {
    const detailId = `line-events-${l.id}`;
    const detail = h('tr', { id: detailId, class: 'line-events', hidden: true }, h('td', { colspan: '7' }));
    const verb = h('span', {}, 'Show events');
    const toggle = l.kind === 'usage' || l.events > 0 ? h('button', {
      type: 'button', class: 'link-button show-events', 'aria-expanded': 'false', 'aria-controls': detailId,
      onclick: async () => {
        const open = toggle.getAttribute('aria-expanded') === 'true';
        toggle.setAttribute('aria-expanded', String(!open));
        detail.hidden = open;
        verb.textContent = open ? 'Show events' : 'Hide events';
        if (!open && !detail.dataset.loaded) {
          detail.dataset.loaded = 'yes';
          lineEvents(detail.firstChild, inv.id, l, tz);
        }
      },
    }, verb, h('span', { class: 'visually-hidden' }, ` behind ${l.description}`)) : null;
    const row = h('tr', { class: 'line', dataset: { line: l.id } },
      h('th', { scope: 'row' }, l.description,
        l.period_start !== inv.period_start || l.period_end !== inv.period_end
          ? h('small', { class: 'muted block line-period' }, `for ${f.period(l.period_start, l.period_end, tz)}`) : null,
        l.meter ? h('small', { class: 'muted block' }, `meter ${l.meter} v${l.meter_version} · plan ${l.plan} v${l.plan_version}`) : null),
      h('td', {}, l.kind),
      h('td', { class: 'num' }, f.quantity(l.quantity)),
      h('td', { class: 'num' }, f.unitPrice(l.unit_price, cur)),
      h('td', { class: 'num' }, amount(l.amount, cur, 'line-amount')),
      h('td', { class: 'num' }, f.integer(l.events)),
      h('td', {}, toggle));
    rows.push(row, detail);
  });
  tbody.append(...rows);
  const foot = h('tfoot', {},
    h('tr', {}, h('th', { scope: 'row', colspan: '4' }, 'Subtotal'), h('td', { class: 'num' }, amount(inv.subtotal, cur)), h('td', { colspan: '2' })),
    inv.taxes.map((t) => h('tr', {}, h('th', { scope: 'row', colspan: '4' }, `${t.name} (${t.percent}%)`), h('td', { class: 'num' }, amount(t.amount, cur)), h('td', { colspan: '2' }))),
    h('tr', { class: 'grand' }, h('th', { scope: 'row', colspan: '4' }, 'Total'), h('td', { class: 'num' }, amount(inv.total, cur, 'total')), h('td', { colspan: '2' })));
  lines.append(h('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId, tabindex: '0' },
    h('table', { class: 'data invoice-lines' },
      h('caption', { id: captionId, class: 'visually-hidden' }, 'Invoice lines'),
      h('thead', {}, h('tr', {}, ['Description', 'Kind', 'Quantity', 'Unit price', 'Amount', 'Events', 'Behind it'].map((l, i) => h('th', { scope: 'col', class: i >= 2 && i <= 5 ? 'num' : null }, l)))),
      tbody, foot)));
  if (inv.credit_notes && inv.credit_notes.length) {
    const cn = add(view, section('Credit notes'));
    cn.append(dataTable({
      caption: 'Credit notes', rows: inv.credit_notes,
      columns: [
        { label: 'Credit note', rowHeader: true, cell: (n) => n.number || n.id },
        { label: 'Reason', cell: (n) => n.reason || '—' },
        { label: 'Amount', numeric: true, cell: (n) => amount(n.total ?? n.amount, cur) },
      ],
    }));
  }
  const historySec = section('History', { description: 'Every transition of this invoice, newest first (GET /v1/audit; needs an admin key).' });
  view.append(historySec.el);
  optionalSection(historySec, () => historySection(api, 'invoice', id, tz));
}

/** The invoice's payment state, its payment ledger and its dunning steps (history and what is scheduled). */
function paymentSection(view, inv, tz) {
  const cur = inv.currency;
  const sec = add(view, section('Payment', { className: 'payment', description: 'What is due and paid after credits; every change is a fact in the payment ledger.' }));
  sec.append(keyValues([
    ['Payment status', h('span', { class: 'payment-state' }, paymentBadges(inv))],
    ['Due date', inv.due_date || '—'],
    ['Amount due', amount(inv.amount_due, cur, 'amount-due')],
    ['Paid', amount(inv.amount_paid, cur, 'amount-paid')],
    inv.amount_refunded && addDecimals([inv.amount_refunded]) !== '0' ? ['Refunded', amount(inv.amount_refunded, cur, 'amount-refunded')] : null,
    ['Remaining', amount(inv.amount_remaining, cur, 'amount-remaining')],
    inv.uncollectible_at ? ['Marked uncollectible', f.dateTime(inv.uncollectible_at, tz)] : null,
  ]));
  const history = h('div', { class: 'payment-history' });
  sec.append(history);
  fill(history, 'The payment history could not be loaded', async () => {
    const [ledger, dunning] = await Promise.all([api.get(`/v1/invoices/${enc(inv.id)}/payments`),
      api.get(`/v1/invoices/${enc(inv.id)}/dunning`)]);
    return [
      dataTable({
        caption: 'Payment history', captionVisible: true, empty: 'No payment recorded yet.', rows: ledger.payments, className: 'payments',
        columns: [
          { label: 'When', rowHeader: true, cell: (p) => f.dateTime(p.occurred_at, tz) },
          { label: 'Outcome', cell: (p) => badge(p.outcome) },
          { label: 'Amount', numeric: true, cell: (p) => amount(p.amount, p.currency, 'payment-amount') },
          { label: 'Provider', cell: (p) => p.provider },
          { label: 'Reference', wide: true, cell: (p) => p.reference },
          { label: 'Reason', wide: true, cell: (p) => p.reason },
        ],
      }),
      dataTable({
        caption: 'Dunning', captionVisible: true, className: 'dunning-steps',
        empty: dunning.policy_enabled ? 'No dunning step yet.' : 'Dunning is off for this tenant (PUT /v1/dunning-policy).',
        rows: [...dunning.steps.map((st) => ({ ...st, done: true })), ...dunning.upcoming.map((u) => ({ ...u, done: false }))],
        columns: [
          { label: 'When', rowHeader: true, cell: (st) => f.dateTime(st.done ? st.done_at : st.due_at, tz) },
          { label: 'Step', cell: (st) => st.kind.replaceAll('_', ' ') },
          { label: 'State', cell: (st) => badge(st.done ? 'done' : 'scheduled') },
          { label: 'Detail', wide: true, cell: (st) => (st.detail ? (st.detail.message || st.detail.reason || st.detail.suspension || '') : '') },
        ],
      }),
      dunning.customer_suspension ? h('p', { class: 'suspension muted' }, `The customer's entitlements are suspended (${dunning.customer_suspension.mode}) until the unpaid invoices are settled.`) : null,
    ];
  });
}

async function lineEvents(cell, invoiceId, line, tz, after) {
  const target = h('div');
  cell.append(target);
  await fill(target, 'The events could not be loaded', async () => {
    const res = await api.get(`/v1/invoices/${enc(invoiceId)}/lines/${enc(line.id)}/events${qs({ after, limit: 50 })}`);
    const table = dataTable({
      caption: `Events behind “${line.description}”`, captionVisible: !after, empty: 'No events behind this line.', rows: res.events, className: 'events',
      columns: [
        { label: 'Time', rowHeader: true, cell: (e) => f.dateTimeSeconds(e.time, tz) },
        { label: 'Type', cell: (e) => h('code', {}, e.type) },
        { label: 'Source / id', cell: (e) => h('code', {}, `${e.source}/${e.id}`) },
        { label: 'Data', cell: (e) => h('code', { class: 'json' }, JSON.stringify(e.data ?? {})) },
      ],
    });
    const more = res.next_after != null ? h('button', {
      type: 'button', class: 'secondary', onclick: (ev) => { ev.target.remove(); lineEvents(cell, invoiceId, line, tz, res.next_after); },
    }, 'Load more') : null;
    return [table, more];
  });
}

// ---------------------------------------------------------------- meters, plans, subscriptions

async function meters() {
  const view = page('Meters');
  const card = h('div', { class: 'card' });
  view.append(card);
  await fill(card, 'Meters could not be loaded', async () => {
    const res = await api.get('/v1/meters');
    return dataTable({
      caption: 'Meters', empty: 'No meters yet. Create one with POST /v1/meters.', rows: res.meters,
      columns: [
        { label: 'Meter', rowHeader: true, cell: (m) => [h('code', {}, m.key), m.name && m.name !== m.key ? h('small', { class: 'muted block' }, m.name) : null] },
        { label: 'Event type', cell: (m) => h('code', {}, m.event_type) },
        { label: 'Aggregation', cell: (m) => m.aggregation + (m.time_unit ? ` (${m.time_unit})` : '') },
        { label: 'Value', cell: (m) => (m.expression ? h('code', {}, m.expression) : m.value_path ? h('code', {}, m.value_path) : '—') },
        { label: 'Group by', cell: (m) => (m.group_by.length ? m.group_by.join(', ') : '—') },
        { label: 'Filters', cell: (m) => (Object.keys(m.filters || {}).length ? Object.entries(m.filters).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join('; ') : '—') },
        { label: 'Versions', numeric: true, cell: (m) => `${m.versions.length} (v${m.version} ${meterSince(m)})` },
      ],
    });
  });
}

/** When the meter's latest version took effect: its effective date, or, for all events, since its creation. */
function meterSince(m) {
  const allEvents = m.for_all_events ?? m.effective_from?.startsWith('1970-01-01T00:00:00');
  if (allEvents) return m.created_at ? `for all events, created ${f.date(m.created_at, browserZone)}` : 'for all events';
  return `in force since ${f.dateTime(m.effective_from, browserZone)} (${browserZone})`;
}

function priceSummary(ch, currency) {
  if (ch.type === 'flat') return `${f.money(ch.amount, currency)} ${ch.timing === 'in_advance' ? 'in advance' : 'in arrears'}`;
  const p = ch.price || {};
  switch (p.model) {
    case 'unit': return `${f.unitPrice(p.unit_price, currency)} per unit`;
    case 'package': return `${f.unitPrice(p.package_price, currency)} per ${f.quantity(p.package_size)}`;
    case 'graduated':
    case 'volume': return `${p.model}, ${p.tiers.length} tiers`;
    case 'percentage': return `${p.rate}% per event`;
    default: return p.model || (ch.prices_by_dimension ? 'by dimension' : '—');
  }
}

const SAMPLES = {
  unit: { model: 'unit', unit_price: '0.01' },
  package: { model: 'package', package_size: '100', package_price: '5', free_units: '0', rounding: 'up' },
  graduated: { model: 'graduated', tiers: [{ up_to: '100', unit_price: '1', flat_fee: '0' }, { up_to: null, unit_price: '0.5', flat_fee: '10' }] },
  volume: { model: 'volume', tiers: [{ up_to: '100', unit_price: '1' }, { up_to: null, unit_price: '0.5' }] },
  percentage: { model: 'percentage', rate: '1.5', fixed_fee: '0.10' },
};

/** The price preview form: a price model (from a plan's charge or a sample), a quantity or event values. */
function pricePreview(currency, charges = []) {
  const priced = charges.filter((ch) => ch.price);
  const source = h('select', { name: 'source' },
    priced.map((ch) => h('option', { value: `charge:${ch.key}` }, `Charge: ${ch.name}`)),
    Object.keys(SAMPLES).map((k) => h('option', { value: `sample:${k}` }, `Example: ${k}`)));
  const price = h('textarea', { name: 'price', rows: '10', spellcheck: 'false', class: 'code wide' });
  const cur = h('input', { type: 'text', name: 'currency', value: currency || 'USD', size: '4', maxlength: '3', autocomplete: 'off' });
  const quantity = h('input', { type: 'text', name: 'quantity', inputmode: 'decimal', value: '250', size: '12', autocomplete: 'off' });
  const events = h('textarea', { name: 'events', rows: '3', class: 'code', spellcheck: 'false' });
  const result = h('div', { class: 'preview-result', 'aria-live': 'polite' });
  const setSource = () => {
    const [kind, key] = source.value.split(':');
    const model = kind === 'charge' ? priced.find((ch) => ch.key === key).price : SAMPLES[key];
    price.value = JSON.stringify(model, null, 2);
  };
  source.addEventListener('change', setSource);
  if (source.options.length) setSource();
  const form = h('form', {
    class: 'preview-form',
    onsubmit: async (e) => {
      e.preventDefault();
      let model;
      try {
        model = JSON.parse(price.value);
      } catch (err) {
        result.replaceChildren(h('div', { class: 'error', role: 'alert' }, 'The price model is not valid JSON.'));
        price.focus();
        return;
      }
      const body = { currency: cur.value.trim().toUpperCase(), price: model };
      const values = events.value.split(/[\s,;]+/).filter(Boolean);
      if (values.length) body.events = values.map((v) => ({ value: v }));
      else body.quantity = quantity.value.trim();
      await fill(result, 'The preview failed', async () => {
        const res = await api.post('/v1/prices/preview', body);
        return [
          dataTable({
            caption: 'Preview lines', rows: res.lines, className: 'preview-lines', empty: 'No lines (nothing to charge).',
            columns: [
              { label: 'Line', rowHeader: true, cell: (l) => l.description },
              { label: 'Quantity', numeric: true, cell: (l) => h('data', { value: l.quantity, class: 'line-quantity' }, f.quantity(l.quantity)) },
              { label: 'Unit price', numeric: true, cell: (l) => f.unitPrice(l.unit_price, res.currency) },
              { label: 'Amount', numeric: true, cell: (l) => amount(l.amount, res.currency, 'line-amount') },
            ],
          }),
          h('p', { class: 'total' }, 'Amount: ', amount(res.amount, res.currency, 'preview-amount')),
        ];
      });
    },
  },
  h('div', { class: 'grid-2' },
    h('div', {}, field('Start from', source), field('Price model (JSON)', price, 'Any model of docs/PRICING.md; amounts as decimal strings.')),
    h('div', {}, field('Currency', cur), field('Quantity', quantity),
      field('Or event values, one per line', events, 'For per-event models (percentage, dynamic): each event’s value.'),
      h('button', { type: 'submit' }, 'Preview price'))),
  result);
  return form;
}

async function plans() {
  const view = page('Plans');
  const list = h('div', { class: 'card' });
  view.append(list);
  let res = { plans: [] };
  await fill(list, 'Plans could not be loaded', async () => {
    res = await api.get('/v1/plans');
    return dataTable({
      caption: 'Plans', empty: 'No plans yet. Create one with POST /v1/plans.', rows: res.plans,
      columns: [
        { label: 'Plan', rowHeader: true, cell: (p) => h('a', { href: `#/plans/${enc(p.key)}` }, p.name) },
        { label: 'Key', cell: (p) => h('code', {}, p.key) },
        { label: 'Version', numeric: true, cell: (p) => `v${p.version}` },
        { label: 'Currency', cell: (p) => p.currency },
        { label: 'Interval', cell: (p) => p.interval },
        { label: 'Charges', cell: (p) => p.charges.map((ch) => ch.name).join(', ') },
      ],
    });
  });
  add(view, section('Price preview', { description: 'Rate a price model for a quantity without storing anything (POST /v1/prices/preview).' }))
    .append(pricePreview(res.plans[0]?.currency || 'USD', res.plans.flatMap((p) => p.charges)));
}

async function plan(key) {
  let p;
  try {
    p = await api.get(`/v1/plans/${enc(key)}`);
  } catch (e) {
    page('Plan').append(errorBox(e, `Plan ${key}`));
    return;
  }
  const view = page(`Plan ${p.name}`);
  view.append(h('div', { class: 'card' }, keyValues([
    ['Key', h('code', {}, p.key)], ['Version', `v${p.version} (versions ${p.versions.join(', ')})`], ['Currency', p.currency],
    ['Interval', p.interval], ['Trial', p.trial_days ? `${p.trial_days} days` : 'none'],
    ['Taxes', p.tax_rates.length ? p.tax_rates.map((t) => `${t.name} ${t.percent}%`).join(', ') : 'none'],
  ])));
  add(view, section('Charges')).append(dataTable({
    caption: 'Charges', rows: p.charges,
    columns: [
      { label: 'Charge', rowHeader: true, cell: (ch) => ch.name },
      { label: 'Type', cell: (ch) => ch.type },
      { label: 'Meter', cell: (ch) => (ch.meter ? h('code', {}, ch.meter) : '—') },
      { label: 'Included', numeric: true, cell: (ch) => (ch.included_quantity ? f.quantity(ch.included_quantity) : '—') },
      { label: 'Price', cell: (ch) => priceSummary(ch, p.currency) },
    ],
  }));
  if (Array.isArray(p.features) && p.features.length) {
    add(view, section('Features')).append(dataTable({
      caption: 'Features', rows: p.features,
      columns: [
        { label: 'Feature', rowHeader: true, cell: (x) => h('code', {}, x.key) },
        { label: 'Type', cell: (x) => x.type },
        { label: 'Limit', cell: (x) => (x.limit ? `${f.quantity(x.limit)} ${x.meter || ''} (${x.mode || 'hard'})` : (x.enabled === false ? 'off' : 'on')) },
      ],
    }));
  }
  add(view, section('Price preview', { description: 'Try a charge’s price (or an edited one) on any quantity; nothing is stored.' }))
    .append(pricePreview(p.currency, p.charges));
  const historySec = section('History', { description: 'Every change to this plan, newest first (GET /v1/audit; needs an admin key).' });
  view.append(historySec.el);
  optionalSection(historySec, () => historySection(api, 'plan', key, 'UTC'));
}

async function subscriptions() {
  const view = page('Subscriptions');
  const card = h('div', { class: 'card' });
  view.append(card);
  await fill(card, 'Subscriptions could not be loaded', async () => {
    const res = await api.get('/v1/subscriptions');
    return dataTable({
      caption: 'Subscriptions', empty: 'No subscriptions yet.', rows: res.subscriptions,
      columns: [
        { label: 'Customer', rowHeader: true, cell: (x) => h('a', { href: `#/customers/${enc(x.customer)}` }, x.customer) },
        { label: 'Plan', cell: (x) => [h('a', { href: `#/plans/${enc(x.plan)}` }, x.plan), ` v${x.plan_version}`] },
        { label: 'Status', cell: (x) => badge(x.status) },
        { label: 'Billing', cell: (x) => x.billing },
        { label: 'Start', cell: (x) => f.date(x.start) },
        { label: 'Next invoice', cell: (x) => (x.next_invoice_at ? f.dateTime(x.next_invoice_at) : '—') },
        { label: 'Id', cell: (x) => h('code', {}, x.id) },
      ],
    });
  });
}

// ---------------------------------------------------------------- webhooks

async function webhooks() {
  const view = page('Webhook endpoints');
  const card = h('div', { class: 'card' });
  view.append(card);
  const load = () => fill(card, 'Webhook endpoints could not be loaded', async () => {
    const res = await api.optional('/v1/webhook-endpoints');
    if (res === null) return h('p', { class: 'muted' }, 'This server has no webhooks.');
    return dataTable({
      caption: 'Webhook endpoints', empty: 'No endpoints yet.', rows: res.webhook_endpoints || [],
      columns: [
        { label: 'URL', rowHeader: true, cell: (w) => h('a', { href: `#/webhooks/${enc(w.id)}` }, w.url) },
        { label: 'Description', cell: (w) => w.description || '—' },
        { label: 'Messages', cell: (w) => (w.event_types && w.event_types.length ? w.event_types.join(', ') : 'all') },
        { label: 'Status', cell: (w) => [badge(w.status), w.failing_since ? h('small', { class: 'muted block' }, `failing since ${f.dateTime(w.failing_since)}`) : null] },
      ],
    });
  });
  const url = h('input', { type: 'url', name: 'url', required: true, class: 'wide' });
  const desc = h('input', { type: 'text', name: 'description' });
  const status = h('div', { class: 'form-status' });
  add(view, section('Add an endpoint')).append(h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const w = await api.post('/v1/webhook-endpoints', { url: url.value, description: desc.value });
        status.replaceChildren(h('div', { class: 'callout', role: 'status' },
          h('p', {}, 'Endpoint added. Its signing secret is shown only now:'),
          h('code', { class: 'secret' }, w.secret || '—'), ' ', copyButton(() => w.secret || '')));
        url.value = '';
        load();
      } catch (err) {
        status.replaceChildren(errorBox(err, 'The endpoint could not be added'));
      }
    },
  }, field('URL', url), field('Description', desc), h('button', { type: 'submit' }, 'Add endpoint'), status));
  await load();
}

async function webhookDeliveries(id) {
  const view = page('Webhook deliveries');
  const card = h('div', { class: 'card' });
  view.append(card);
  const load = () => fill(card, 'Deliveries could not be loaded', async () => {
    const res = await api.get(`/v1/webhook-deliveries${qs({ endpoint: id, limit: 100 })}`);
    const list = res.deliveries || [];
    return [
      res.endpoint ? h('p', {}, 'Endpoint ', h('code', {}, res.endpoint.url), ' ', badge(res.endpoint.status)) : null,
      dataTable({
        caption: 'Delivery log', captionVisible: true, empty: 'No deliveries yet.', rows: list,
        columns: [
          { label: 'Created', rowHeader: true, cell: (d) => f.dateTimeSeconds(d.created_at) },
          { label: 'Message', cell: (d) => [h('code', {}, d.type), h('small', { class: 'muted block' }, d.message_id)] },
          { label: 'Status', cell: (d) => badge(d.status) },
          { label: 'Attempts', numeric: true, cell: (d) => String(d.attempt_count) },
          {
            label: 'Last answer', cell: (d) => {
              const a = (d.attempts || [])[d.attempts.length - 1];
              if (!a) return '—';
              return `${a.status_code ?? a.error ?? '—'} · ${a.duration_ms} ms · ${f.dateTime(a.at)}`;
            },
          },
          { label: 'Next attempt', cell: (d) => (d.next_attempt_at ? f.dateTime(d.next_attempt_at) : '—') },
          {
            label: 'Action', cell: (d) => h('button', {
              type: 'button', class: 'secondary', 'aria-label': `Retry delivery ${d.id}`,
              onclick: async (ev) => {
                ev.target.disabled = true;
                try {
                  await api.post(`/v1/webhook-deliveries/${enc(d.id)}/retry`);
                  load();
                } catch (err) {
                  ev.target.after(errorBox(err, 'Retry failed'));
                  ev.target.disabled = false;
                }
              },
            }, 'Retry'),
          },
        ],
      }),
    ];
  });
  await load();
}

// ---------------------------------------------------------------- API keys

async function apiKeys() {
  const view = page('API keys');
  const created = h('div');
  const name = h('input', { type: 'text', name: 'name', required: true, autocomplete: 'off' });
  const scopes = ['ingest', 'read', 'admin'].map((sc) => h('input', { type: 'checkbox', name: 'scopes', value: sc, checked: sc === 'read', id: `scope-${sc}` }));
  const expires = h('input', { type: 'date', name: 'expires' });
  const listCard = h('div', { class: 'card' });
  const load = () => fill(listCard, 'API keys could not be loaded', async () => {
    const res = await api.get('/v1/api-keys');
    return dataTable({
      caption: 'API keys', captionVisible: true, rows: res.api_keys, className: 'keys',
      columns: [
        { label: 'Name', rowHeader: true, cell: (k) => k.name },
        { label: 'Prefix', cell: (k) => h('code', {}, `${k.prefix}…`) },
        { label: 'Scopes', cell: (k) => k.scopes.join(', ') },
        { label: 'Created', cell: (k) => f.date(k.created_at) },
        { label: 'Expires', cell: (k) => (k.expires_at ? f.dateTime(k.expires_at) : 'never') },
        { label: 'Status', cell: (k) => (k.revoked_at ? badge('revoked') : badge('active')) },
        {
          label: 'Action', cell: (k) => (k.revoked_at ? '—' : h('button', {
            type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.name}`,
            onclick: async (ev) => {
              const b = ev.target;
              if (b.dataset.confirm !== 'yes') {
                b.dataset.confirm = 'yes';
                b.textContent = 'Confirm revoke';
                return;
              }
              try {
                await api.del(`/v1/api-keys/${enc(k.id)}`);
                load();
              } catch (err) {
                b.after(errorBox(err, 'Revoke failed'));
              }
            },
          }, 'Revoke')),
        },
      ],
    });
  });
  add(view, section('Create a key')).append(h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const body = { name: name.value.trim(), scopes: scopes.filter((x) => x.checked).map((x) => x.value) };
      if (expires.value) body.expires_at = `${expires.value}T00:00:00Z`;
      try {
        const k = await api.post('/v1/api-keys', body);
        const secret = h('input', { type: 'text', readonly: true, value: k.key, class: 'wide new-key' });
        created.replaceChildren(h('div', { class: 'callout', role: 'status' },
          h('p', {}, h('strong', {}, 'Copy this key now: '), 'it is shown only once; Tally keeps only a hash of it.'),
          field(`Key “${k.name}”`, secret), copyButton(() => k.key)));
        name.value = '';
        load();
      } catch (err) {
        created.replaceChildren(errorBox(err, 'The key could not be created'));
      }
    },
  },
  field('Name', name),
  h('fieldset', { class: 'scopes' }, h('legend', {}, 'Scopes'),
    scopes.map((cb) => h('label', { class: 'check', for: cb.id }, cb, ` ${cb.value}`))),
  field('Expires (optional, UTC)', expires),
  h('button', { type: 'submit' }, 'Create key')), created);
  view.append(listCard);
  await load();
}

start();
