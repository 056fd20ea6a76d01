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
      { label: 'Watches', cell: (a) => (a.metric === 'spend' ? 'Spend' : ['Usage of ', h('code', {}, a.meter || '?')]) },
      {
        label: 'Thresholds', cell: (a) => {
          const fmtV = (v) => (a.metric === 'spend' ? f.money(v, currency) : f.quantity(v));
          if (a.percent_thresholds) {
            return `${a.percent_thresholds.map((p) => `${p}%`).join(', ')} of ${a.of === 'budget' ? fmtV(a.budget) : 'included'}`;
          }
          return (a.thresholds || []).map(fmtV).join(', ');
        },
      },
      { label: 'Now', numeric: true, cell: (a) => (a.value == null ? '—' : (a.metric === 'spend' ? f.money(a.value, currency) : f.quantity(a.value))) },
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
      { label: 'Period', cell: (i) => f.period(i.period_start, i.period_end, tz) },
      { label: 'Total', numeric: true, cell: (i) => amount(i.total, i.currency) },
      { label: 'Finalized', wide: true, cell: (i) => (i.finalized_at ? f.date(i.finalized_at, tz) : '—') },
      ...extraColumns,
    ],
  });
}

