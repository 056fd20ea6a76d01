// The invoices pages: the list with its filters, and one invoice with its actions, payment section (ledger and
// dunning), lines and the events behind each line.

import { h } from './dom.js';
import { qs, enc } from './api.js';
import * as f from './format.js';
import { amount, badge, dataTable, errorBox, field, fill, keyValues, pdfButton, section } from './ui.js';
import { addDecimals, paymentBadges, paymentColumns } from './views.js';
import { historySection } from './history.js';

/** The invoices list with its status and payment filters. */
export async function invoicesPage(api, { page }, params) {
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

/** One invoice: its actions, details, payment, lines (with the events behind each), credit notes and history. */
export async function invoicePage(api, ctx, id) {
  const { page, add, optionalSection } = ctx;
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
        invoicePage(api, ctx, id);
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
  if (inv.status !== 'draft') paymentSection(api, add, view, inv, tz);
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
          lineEvents(api, detail.firstChild, inv.id, l, tz);
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
function paymentSection(api, add, view, inv, tz) {
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

async function lineEvents(api, cell, invoiceId, line, tz, after) {
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
      type: 'button', class: 'secondary', onclick: (ev) => { ev.target.remove(); lineEvents(api, cell, invoiceId, line, tz, res.next_after); },
    }, 'Load more') : null;
    return [table, more];
  });
}
