// The catalog pages: meters, plans (with the price preview of POST /v1/prices/preview) and subscriptions.

import { h } from './dom.js';
import { enc } from './api.js';
import * as f from './format.js';
import { amount, badge, dataTable, errorBox, field, fill, keyValues, section } from './ui.js';
import { historySection } from './history.js';

/** The meters list. */
export async function metersPage(api, { page, browserZone }) {
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
        { label: 'Versions', numeric: true, cell: (m) => `${m.versions.length} (v${m.version} ${meterSince(m, browserZone)})` },
      ],
    });
  });
}

/** When the meter's latest version took effect: its effective date, or, for all events, since its creation. */
function meterSince(m, browserZone) {
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
function pricePreview(api, currency, charges = []) {
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

/** The plans list and a price preview. */
export async function plansPage(api, { page, add }) {
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
    .append(pricePreview(api, res.plans[0]?.currency || 'USD', res.plans.flatMap((p) => p.charges)));
}

/** One plan: its details, charges, features, a price preview on its charges and its history. */
export async function planPage(api, ctx, key) {
  const { page, add, optionalSection } = ctx;
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
    .append(pricePreview(api, p.currency, p.charges));
  const historySec = section('History', { description: 'Every change to this plan, newest first (GET /v1/audit; needs an admin key).' });
  view.append(historySec.el);
  optionalSection(historySec, () => historySection(api, 'plan', key, 'UTC'));
}

/** The subscriptions list. */
export async function subscriptionsPage(api, { page }) {
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
