// The analytics page: MRR movements per month (stacked bars), usage revenue per meter over time and the top
// customers by usage revenue, from GET /v1/analytics/*. Every chart has a data table hidden for screen readers;
// amounts are <data value="exact decimal"> so they can be checked against the API.

import { h } from './dom.js';
import { barChart } from './chart.js';
import { amount, dataTable, errorBox, section } from './ui.js';
import * as f from './format.js';

const MOVEMENTS = [
  ['new', 'New'], ['expansion', 'Expansion'], ['reactivated', 'Reactivated'],
  ['contraction', 'Contraction (−)'], ['churned', 'Churned (−)'],
];

function monthLabel(ym) {
  const [y, m] = ym.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

function byCurrency(rows) {
  const out = new Map();
  for (const r of rows) {
    if (!out.has(r.currency)) out.set(r.currency, []);
    out.get(r.currency).push(r);
  }
  return out;
}

function hiddenTable(table) {
  return h('div', { class: 'visually-hidden' }, table);
}

/** Renders the page into view; add(view, section) appends a section and returns its body. */
export async function renderAnalytics(view, api, { add, width }) {
  const mrrBody = add(view, section('MRR movements', { description: 'Monthly recurring revenue: the flat fees of the plan in force at each month\'s end plus the usage charges of the last closed billing period (see docs/ANALYTICS.md). Contraction and churn are drawn as bars too; they subtract.' }));
  const meterBody = add(view, section('Usage revenue by meter', { description: 'Usage charges on the invoices finalized in each month.' }));
  const topBody = add(view, section('Top customers by usage revenue'));
  let mrr; let meters; let top;
  try {
    [mrr, meters, top] = await Promise.all([
      api.get('/v1/analytics/mrr'),
      api.get('/v1/analytics/revenue?group_by=meter'),
      api.get('/v1/analytics/customers/top'),
    ]);
  } catch (e) {
    view.replaceChildren(errorBox(e, 'The analytics could not be loaded'));
    return;
  }
  const months = [];
  for (let m = mrr.from; m <= mrr.to;) {
    months.push(m);
    const [y, mo] = m.split('-').map(Number);
    m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  }

  mrrBody.replaceChildren();
  const mrrByCur = byCurrency(mrr.months);
  if (mrrByCur.size === 0) mrrBody.append(h('p', { class: 'muted empty' }, 'No recurring revenue in these months.'));
  for (const [currency, rows] of mrrByCur) {
    const at = new Map(rows.map((r) => [r.month, r]));
    const last = rows[rows.length - 1];
    const moved = rows.some((r) => MOVEMENTS.some(([k]) => Number(r[k]) !== 0));
    mrrBody.append(h('h3', {}, `${currency}`), h('dl', { class: 'stats mrr-now' },
      h('div', { class: 'stat' }, h('dt', {}, `MRR, ${monthLabel(last.month)}`), h('dd', {}, amount(last.mrr, currency))),
      h('div', { class: 'stat' }, h('dt', {}, 'ARR'), h('dd', {}, amount(last.arr, currency))),
      h('div', { class: 'stat' }, h('dt', {}, 'Net revenue retention'), h('dd', {}, last.net_revenue_retention === null ? '—' : `${(Number(last.net_revenue_retention) * 100).toFixed(2)}%`))),
    moved ? barChart({
      title: `MRR movements per month, ${currency}`,
      description: `New, expansion, reactivated, contraction and churned MRR from ${mrr.from} to ${mrr.to}.`,
      categories: months, labelFor: monthLabel, categoryLabel: 'Month', width: width(mrrBody),
      format: (v) => f.money(v, currency),
      series: MOVEMENTS.map(([k, name]) => ({ name, values: new Map(rows.map((r) => [r.month, r[k]])) })),
    }) : h('p', { class: 'muted' }, 'No movements in these months: the MRR stayed the same.'), hiddenTable(dataTable({
      caption: `MRR per month, ${currency}`, className: 'mrr-table', rows: months.filter((m) => at.has(m)).map((m) => at.get(m)),
      columns: [
        { label: 'Month', rowHeader: true, cell: (r) => h('span', { class: 'month', dataset: { month: r.month } }, monthLabel(r.month)) },
        { label: 'MRR', numeric: true, cell: (r) => amount(r.mrr, currency, 'mrr') },
        { label: 'ARR', numeric: true, cell: (r) => amount(r.arr, currency, 'arr') },
        ...MOVEMENTS.map(([k, name]) => ({ label: name, numeric: true, cell: (r) => amount(r[k], currency, k) })),
        { label: 'Net revenue retention', numeric: true, cell: (r) => (r.net_revenue_retention === null ? '—' : `${(Number(r.net_revenue_retention) * 100).toFixed(2)}%`) },
      ],
    })));
  }

  meterBody.replaceChildren();
  const meterByCur = byCurrency(meters.months.filter((r) => r.group !== '(none)'));
  if (meterByCur.size === 0) meterBody.append(h('p', { class: 'muted empty' }, 'No usage revenue in these months.'));
  for (const [currency, rows] of meterByCur) {
    const keys = [...new Set(rows.map((r) => r.group))].sort();
    meterBody.append(h('h3', {}, currency), barChart({
      title: `Usage revenue by meter per month, ${currency}`,
      description: `Usage charges per meter on the invoices finalized from ${meters.from} to ${meters.to}.`,
      categories: months, labelFor: monthLabel, categoryLabel: 'Month', width: width(meterBody),
      format: (v) => f.money(v, currency),
      series: keys.map((k) => ({ name: k, values: new Map(rows.filter((r) => r.group === k).map((r) => [r.month, r.usage])) })),
    }), hiddenTable(dataTable({
      caption: `Usage revenue by meter, ${currency}`, className: 'meter-table', rows,
      columns: [
        { label: 'Month', rowHeader: true, cell: (r) => monthLabel(r.month) },
        { label: 'Meter', cell: (r) => r.group },
        { label: 'Usage revenue', numeric: true, cell: (r) => amount(r.usage, currency, 'usage') },
      ],
    })));
  }

  topBody.replaceChildren(dataTable({
    caption: `Top customers by usage revenue, ${top.from} to ${top.to}`, captionVisible: true, className: 'top-customers',
    empty: 'No usage revenue in these months.', rows: top.customers,
    columns: [
      { label: 'Customer', rowHeader: true, cell: (r) => h('a', { href: `#/customers/${encodeURIComponent(r.customer)}` }, r.customer) },
      { label: 'Usage revenue', numeric: true, cell: (r) => amount(r.usage, r.currency, 'usage') },
      { label: 'All invoiced', numeric: true, cell: (r) => amount(r.invoiced, r.currency, 'invoiced') },
    ],
  }));
}
