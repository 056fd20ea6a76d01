// Views shared by the dashboard and the portal: invoice lists, alert tables, the budget alert form.

import { h } from './dom.js';
import { enc } from './api.js';
import * as f from './format.js';
import { amount, badge, dataTable, errorBox, field } from './ui.js';

/** The exact sum of decimal strings. */
export function addDecimals(values) {
  let scale = 0;
  for (const v of values) scale = Math.max(scale, (String(v).split('.')[1] || '').length);
  let total = 0n;
  for (const v of values) {
    const [i, frac = ''] = String(v).split('.');
    const neg = i.startsWith('-');
    const n = BigInt(i.replace('-', '') + frac.padEnd(scale, '0'));
    total += neg ? -n : n;
  }
  if (scale === 0) return total.toString();
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
}

/** The alerts with their state this period; with onRemove, a remove button per alert. */
export function alertsTable(list, currency, tz, onRemove) {
  return dataTable({
    caption: 'Alerts', empty: 'No alerts are set.', rows: list,
    columns: [
      { label: 'Alert', rowHeader: true, cell: (a) => a.name || a.id },
      {
        label: 'Watches', cell: (a) => (a.metric === 'spend' ? 'Spend'
          : a.metric === 'balance' ? `Credit balance${a.currency ? ` (${a.currency})` : ''}`
            : ['Usage of ', h('code', {}, a.meter || '?')]),
      },
      {
        label: 'Thresholds', cell: (a) => {
          const fmtV = (v) => (a.metric === 'spend' || a.metric === 'balance' ? f.money(v, a.currency || currency) : f.quantity(v));
          if (a.percent_thresholds) {
            return `${a.percent_thresholds.map((p) => `${p}%`).join(', ')} of ${a.of === 'budget' ? fmtV(a.budget) : 'included'}`;
          }
          return (a.thresholds || []).map(fmtV).join(', ');
        },
      },
      { label: 'Now', numeric: true, cell: (a) => (a.value == null ? '—' : (a.metric === 'spend' || a.metric === 'balance' ? f.money(a.value, a.currency || currency) : f.quantity(a.value))) },
      {
        label: 'Crossed', cell: (a) => {
          const st = a.state || [];
          const crossed = st.filter((x) => x.crossed);
          const fired = crossed.map((x) => x.fired_at).filter(Boolean).sort();
          return st.length === 0 ? '—' : `${crossed.length} of ${st.length}${fired.length ? ` (last ${f.dateTime(fired[fired.length - 1], tz)})` : ''}`;
        },
      },
      onRemove ? {
        label: 'Action', cell: (a) => h('button', {
          type: 'button', class: 'danger', 'aria-label': `Remove alert ${a.name || a.id}`,
          onclick: async (ev) => {
            ev.target.disabled = true;
            try {
              await onRemove(a);
            } catch (err) {
              ev.target.after(errorBox(err, 'The alert could not be removed'));
              ev.target.disabled = false;
            }
          },
        }, 'Remove'),
      } : null,
    ],
  });
}

/** A form to add a spend budget alert; posts to `path` with `extra` fields. */
export function budgetForm(apiClient, path, extra, currency, onAdded) {
  const budget = h('input', { type: 'text', inputmode: 'decimal', name: 'budget', required: true, pattern: '[0-9]+([.][0-9]+)?', size: '10' });
  const pct = h('input', { type: 'text', name: 'percent', value: '50, 80, 100', size: '14' });
  const status = h('div', { class: 'form-status' });
  return h('form', {
    class: 'inline-form budget-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const percents = pct.value.split(/[ ,;]+/).filter(Boolean);
      try {
        await apiClient.post(path, { ...extra, metric: 'spend', name: `Budget ${budget.value} ${currency}`, budget: budget.value, of: 'budget', percent_thresholds: percents });
        status.replaceChildren(h('p', { role: 'status' }, 'Alert added.'));
        budget.value = '';
        onAdded();
      } catch (err) {
        status.replaceChildren(errorBox(err, 'The alert could not be added'));
      }
    },
  }, field(`Budget per billing period (${currency})`, budget), field('Alert at (% of the budget)', pct), h('button', { type: 'submit' }, 'Add budget alert'), status);
}

export function invoiceTable(list, tz, caption, linkFor = (i) => `#/invoices/${enc(i.id)}`, extraColumns = []) {
  return dataTable({
    caption, empty: 'No invoices yet.', rows: list, className: 'invoices',
    columns: [
      { label: 'Invoice', rowHeader: true, cell: (i) => (linkFor ? h('a', { href: linkFor(i) }, i.number || `Draft ${i.id.slice(0, 12)}`) : (i.number || 'Draft')) },
      { label: 'Status', cell: (i) => badge(i.status) },
      { label: `Period (${tz})`, cell: (i) => h('span', { class: 'period' }, f.period(i.period_start, i.period_end, tz)) },
      { label: 'Total', numeric: true, cell: (i) => amount(i.total, i.currency) },
      { label: 'Finalized', wide: true, cell: (i) => (i.finalized_at ? f.date(i.finalized_at, tz) : '—') },
      ...extraColumns,
    ],
  });
}


/** "1,000 of 1,000" or, when the allowance is prorated to part of the period, "967.74 (1,000 for a whole period)". */
function includedCell(ch) {
  if (!ch.meter) return '—';
  const inc = ch.included_quantity ?? ch.included;
  const full = ch.included_quantity_full ?? inc;
  const node = h('data', { value: inc, class: 'included' }, f.quantity(inc, 4));
  if (addDecimals([full, `-${inc}`]) === '0') return node;
  return [node, h('small', { class: 'muted prorated' }, ` (prorated; ${f.quantity(full, 4)} for a whole period)`)];
}

/**
 * The estimate of one subscription's current period, as its invoice will compute it: per charge the usage, the
 * included quantity actually subtracted (prorated for a partial period), the billable quantity, the unit price when
 * the charge is priced per unit, and the amount; then every line it is made of (quantity × unit price = amount), and
 * what is already on an invoice.
 */
export function estimateView(sub, cur, customerZone, { plan = true } = {}) {
  // the zone the period is computed in (a running subscription keeps the zone it started in)
  const tz = sub.timezone || customerZone;
  const periodText = f.period(sub.period_start, sub.period_end, tz);
  const footer = [['Subtotal', sub.subtotal, 'subtotal'], ['Tax', sub.tax, 'tax'], ['Estimated total', sub.estimated_total, 'estimate-total']]
    .map(([label, v, cls]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', { class: 'wide-only' }), h('td'),
      h('td', { class: 'wide-only' }), h('td', { class: 'wide-only' }), h('td', { class: 'wide-only' }), h('td', { class: 'num' }, amount(v, cur, cls))));
  const lines = sub.charges.flatMap((ch) => (ch.lines || []).map((l) => ({ ...l, chargeName: ch.name })));
  const invoiced = sub.charges.filter((ch) => ch.invoiced);
  return h('div', { class: 'estimate', dataset: { subscription: sub.subscription } },
    h('p', {}, plan ? ['Plan ', h('code', {}, sub.plan), ', period '] : 'Period ', h('strong', {}, periodText), ` (${tz}).`),
    dataTable({
      caption: `Estimate${plan ? ` of plan ${sub.plan}` : ''} for ${periodText}`, rows: sub.charges, className: 'estimate-table', footer,
      columns: [
        { label: 'Charge', rowHeader: true, cell: (ch) => ch.name },
        { label: 'Used', numeric: true, cell: (ch) => (ch.meter ? h('data', { value: ch.quantity, class: 'quantity' }, f.quantity(ch.quantity, 4)) : 'flat fee') },
        { label: 'Included', numeric: true, wide: true, cell: includedCell },
        { label: 'Billable', numeric: true, wide: true, cell: (ch) => (ch.meter ? h('data', { value: ch.billable_quantity ?? ch.billable, class: 'billable' }, f.quantity(ch.billable_quantity ?? ch.billable, 4)) : '—') },
        { label: 'Unit price', numeric: true, wide: true, cell: (ch) => (ch.unit_price ? amount(ch.unit_price, cur, 'unit-price', { precise: true }) : '—') },
        { label: 'On invoice', wide: true, cell: (ch) => (ch.invoiced ? [badge(ch.invoiced.status), ch.invoiced.number ? ` ${ch.invoiced.number}` : null] : '—') },
        { label: 'Amount', numeric: true, cell: (ch) => amount(ch.amount, cur, 'charge-amount') },
      ],
    }),
    lines.length ? h('details', { class: 'estimate-lines' }, h('summary', {}, `How it is computed (${lines.length} line${lines.length === 1 ? '' : 's'})`),
      dataTable({
        caption: `Lines of the estimate for ${periodText}`, rows: lines, className: 'estimate-lines-table',
        columns: [
          { label: 'Line', rowHeader: true, cell: (l) => l.description },
          { label: 'Quantity', numeric: true, cell: (l) => h('data', { value: l.quantity, class: 'line-quantity' }, f.quantity(l.quantity, 4)) },
          { label: 'Unit price', numeric: true, cell: (l) => amount(l.unit_price, cur, 'line-unit-price', { precise: true }) },
          { label: 'Amount', numeric: true, cell: (l) => amount(l.amount, cur, 'line-amount') },
        ],
      })) : null,
    h('p', { class: 'muted estimate-includes' }, invoiced.length
      ? ['Includes ', invoiced.map((ch) => ch.name).join(', '), ' for this period, already on invoice ',
        invoiced[0].invoiced.number || `draft ${invoiced[0].invoiced.invoice.slice(0, 12)}`, ' (',
        amount(sub.already_invoiced, cur, 'already-invoiced'), ' before tax); the usage is invoiced when the period closes.']
      : 'Usage so far and the fees of this period; nothing of it is invoiced yet.'));
}
