// The customer portal: one customer's usage, estimate, invoices and alerts, read with the customer-portal token
// from the link's URL fragment (never sent to a server by the browser; moved to sessionStorage and removed from
// the address bar), sent as a bearer token to the /v1/portal routes of this server only.

import { h } from './dom.js';
import { createApi, enc, qs } from './api.js';
import * as f from './format.js';
import { barChart } from './chart.js';
import { amount, dataTable, errorBox, fill, loading, pdfButton, section } from './ui.js';
import { addDecimals, alertsTable, budgetForm, estimateView, invoiceTable } from './views.js';
import { liveFigures } from './wallets.js';

const TOKEN = 'tally.portalToken';
const main = document.getElementById('main');

function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    let token = m[1];
    try {
      token = decodeURIComponent(token);
    } catch (e) {
      /* a token is base64url: keep it as it is */
    }
    sessionStorage.setItem(TOKEN, token);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN);
}

function expired() {
  sessionStorage.removeItem(TOKEN);
  main.replaceChildren(h('div', { class: 'card' }, h('h1', {}, 'This link has expired'),
    h('p', {}, 'Portal links are valid for a limited time. Ask your provider for a new link.')));
}

const api = createApi(() => sessionStorage.getItem(TOKEN) || '', expired);

function add(sec) {
  main.append(sec.el);
  return sec.body;
}

function width(el) {
  return Math.max(300, (el.clientWidth || main.clientWidth || 720) - 4);
}

async function start() {
  document.querySelector('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  if (!takeToken()) {
    main.replaceChildren(h('div', { class: 'card' }, h('h1', {}, 'Billing portal'),
      h('p', {}, 'This page needs the link your provider sent you (it ends in #token=…).')));
    return;
  }
  main.replaceChildren(loading());
  let c;
  let usage;
  try {
    [c, usage] = await Promise.all([api.get('/v1/portal/customer'), api.get('/v1/portal/usage')]);
  } catch (e) {
    if (e.status !== 401) main.replaceChildren(errorBox(e, 'Your billing data could not be loaded'));
    return;
  }
  const tz = c.timezone;
  const cur = c.currency;
  document.title = `${c.name} · Billing portal`;
  document.getElementById('customer-name').textContent = c.name;
  main.replaceChildren(h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, `Usage and billing for ${c.name}`)),
    h('p', { class: 'muted' }, `Amounts in ${cur}; dates in ${tz}. Figures update as usage arrives.`));

  const estimate = add(section('Estimated bill this period'));
  if (usage.subscriptions.length === 0) {
    estimate.append(h('p', { class: 'muted' }, 'You have no active subscription.'));
  }
  for (const sub of usage.subscriptions) {
    estimate.append(h('div', { class: 'estimate-block' },
      h('p', { class: 'headline' }, amount(sub.estimated_total, cur, 'estimate-headline big'),
        h('span', { class: 'muted' }, ` so far for ${f.period(sub.period_start, sub.period_end, tz)}`)),
      estimateView(sub, cur, tz, { plan: false })));
  }
  if (usage.subscriptions.length > 1) {
    estimate.append(h('p', { class: 'total' }, 'All subscriptions: ', amount(usage.estimated_total, cur, 'estimate-grand-total')));
  }

  const creditsHost = add(section('Your credits'));
  fill(creditsHost, 'Your credits could not be loaded', async () => {
    const res = await api.optional('/v1/portal/wallets');
    if (res === null || res.wallets.length === 0) {
      creditsHost.closest('section')?.remove();
      return null;
    }
    return res.wallets.map((w) => h('div', { class: 'wallet', dataset: { currency: w.currency } },
      h('h3', {}, `${w.currency} credits`), liveFigures(w, tz),
      h('p', { class: 'muted' }, 'The burn rate is this period\'s usage charges so far per day; it lasts as long as the '
        + 'live balance at that rate.')));
  });

  const usageHost = add(section('Usage this period'));
  const charts = usage.subscriptions.flatMap((sub) => sub.charges.filter((ch) => ch.meter).map((ch) => ({ sub, ch })));
  if (charts.length === 0) usageHost.append(h('p', { class: 'muted' }, 'Your plan has no usage-based charges.'));
  for (const { sub, ch } of charts) {
    const host = h('div', { class: 'meter-usage', dataset: { meter: ch.meter } });
    usageHost.append(h('h3', {}, ch.name), host);
    fill(host, `Usage of ${ch.name} could not be loaded`, async () => {
      const res = await api.get(`/v1/portal/meters/${enc(ch.meter)}/usage${qs({ window: 'day', tz, from: sub.period_start, to: sub.period_end })}`);
      const values = new Map(res.rows.map((r) => [r.window_start, r.value]));
      const days = [];
      for (let t = new Date(sub.period_start); t < new Date(sub.period_end) && days.length < 400;) {
        days.push(t.toISOString().replace('.000Z', 'Z'));
        // the next midnight in the customer's zone
        const next = f.zonedToUtc(f.utcToZoned(new Date(t.getTime() + 26 * 3600e3).toISOString(), tz).slice(0, 10) + 'T00:00', tz);
        t = new Date(next);
      }
      const keyed = new Map();
      for (const d of days) {
        const match = [...values.keys()].find((k) => new Date(k).getTime() === new Date(d).getTime());
        keyed.set(d, match ? values.get(match) : '0');
      }
      const total = addDecimals(res.rows.map((r) => r.value));
      const included = ch.included && ch.included !== '0' ? ch.included : null;
      return [
        h('p', {}, h('data', { value: total, class: 'usage-total' }, f.quantity(total)), ' used this period',
          included ? [' of ', h('data', { value: included, class: 'included' }, f.quantity(included)), ' included'] : null,
          included && Number(total) > Number(included) ? h('strong', { class: 'over' }, ' — over the allowance') : null, '.'),
        barChart({
          title: `${ch.name}: cumulative usage this period`,
          description: `${total} used${included ? ` of ${included} included` : ''}, per day in ${tz}.`,
          categories: days, series: [{ name: ch.name, values: keyed }], cumulative: true,
          cutoff: days.filter((d) => new Date(d) <= new Date(usage.at || Date.now())).length,
          labelFor: (k) => f.bucketLabel(k, tz, 'day'), format: (v) => f.quantity(v),
          threshold: included ? { value: included, label: `Included: ${f.quantity(included)}` } : null,
          width: width(usageHost), categoryLabel: 'Day',
        }),
      ];
    });
  }

  const alertSec = section('Alerts');
  main.append(alertSec.el);
  const loadAlerts = async () => {
    try {
      const res = await api.optional('/v1/portal/alerts');
      if (res === null) {
        alertSec.el.remove();
        return;
      }
      const remove = async (a) => {
        await api.del(`/v1/portal/alerts/${enc(a.id)}`);
        loadAlerts();
      };
      alertSec.body.replaceChildren(
        h('p', { class: 'muted' }, 'Get notified when your spend this period reaches a share of a budget you set.'),
        alertsTable(res.alerts || [], cur, tz, remove), h('h3', {}, 'Add a budget alert'),
        budgetForm(api, '/v1/portal/alerts', {}, cur, loadAlerts));
    } catch (e) {
      alertSec.body.replaceChildren(errorBox(e));
    }
  };
  loadAlerts();

  const history = add(section('Past periods and invoices'));
  fill(history, 'Invoices could not be loaded', async () => {
    const all = (await api.get('/v1/portal/invoices')).invoices;
    // an invoice of a period that has not ended yet (the opening invoice's in-advance fee) is not a past one:
    // the estimate above says it is already invoiced
    const now = new Date(usage.at || Date.now());
    const list = all.filter((i) => new Date(i.period_end) <= now);
    const billed = list.filter((i) => i.status !== 'draft' && i.status !== 'void').slice().reverse();
    const chart = billed.length > 1 ? barChart({
      title: 'Invoice totals by period', description: `${billed.length} invoices.`,
      categories: billed.map((i) => i.id), series: [{ name: 'Total', values: new Map(billed.map((i) => [i.id, i.total])) }],
      labelFor: (id) => billed.find((x) => x.id === id).number,
      format: (v) => f.money(v, cur), width: width(history), height: 200, categoryLabel: 'Period',
    }) : null;
    const current = all.filter((i) => new Date(i.period_end) > now);
    const note = current.length ? h('p', { class: 'muted current-invoices' }, `${current.length === 1 ? 'An invoice' : `${current.length} invoices`} of the current period (`,
      current.map((i) => i.number || 'not issued yet').join(', '), ') ', current.length === 1 ? 'is' : 'are', ' part of the estimate above.') : null;
    return [chart, invoiceTable(list, tz, 'Your invoices', null, [{
      label: 'Document',
      cell: (i) => (i.status === 'draft' ? h('span', { class: 'muted' }, 'Not issued yet')
        : pdfButton(api, `/v1/portal/invoices/${enc(i.id)}`, `${i.number || i.id}.pdf`, `PDF ${i.number || ''}`.trim())),
    }]), note];
  });
}

start();
