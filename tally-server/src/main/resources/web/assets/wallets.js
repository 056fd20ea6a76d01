// A customer's credit wallets: the balance, the live balance after this period's estimated usage, the burn rate and
// runway, the balance over time as a chart (rebuilt from the ledger entries, with the same numbers as a table for
// screen readers) and the ledger itself, a page at a time (cursor paged).

import { h } from './dom.js';
import { enc, qs } from './api.js';
import * as f from './format.js';
import { barChart } from './chart.js';
import { amount, dataTable, fill, keyValues } from './ui.js';
import { addDecimals } from './views.js';

const PAGE = 20;

/** The live figures of one wallet (dashboard and portal). */
export function liveFigures(w, tz) {
  const cur = w.currency;
  return keyValues([
    ['Balance', amount(w.balance, cur, 'wallet-balance')],
    ['Live balance', [amount(w.live_balance, cur, 'wallet-live-balance'),
      h('small', { class: 'muted block' }, `after this period's estimated usage, as of ${f.dateTime(w.live_balance_as_of, tz)}`)]],
    w.shortfall && w.shortfall !== '0' && !/^0(\.0+)?$/.test(w.shortfall)
      ? ['Not covered', amount(w.shortfall, cur, 'wallet-shortfall')] : null,
    ['Burn rate', w.burn_rate_per_day == null ? h('span', { class: 'wallet-burn' }, 'No usage this period yet')
      : [amount(w.burn_rate_per_day, cur, 'wallet-burn'), ' a day']],
    ['Lasts', w.runway_days == null ? h('span', { class: 'wallet-runway' }, '—')
      : h('span', { class: 'wallet-runway' }, h('data', { value: w.runway_days }, `${w.runway_days} days`),
        ` (until about ${f.date(w.runs_out_at, tz)})`)],
  ]);
}

/** Every entry of a wallet (for the chart), a thousand a request. */
async function allEntries(api, id, cur) {
  const out = [];
  let cursor;
  for (let i = 0; i < 20; i++) {
    const page = await api.get(`/v1/customers/${enc(id)}/wallets/${enc(cur)}/entries${qs({ limit: 1000, cursor })}`);
    out.push(...page.entries);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return out;
}

/** The balance at the end of each day, from the first entry to now, as a chart with its data table. */
function balanceChart(entries, w, tz, widthPx) {
  const cur = w.currency;
  if (entries.length === 0) return h('p', { class: 'muted' }, 'No ledger entries yet.');
  const byTime = [...entries].sort((a, b) => a.at.localeCompare(b.at) || a.sequence - b.sequence);
  const first = byTime[0].at;
  const last = [byTime[byTime.length - 1].at, w.live_balance_as_of].sort()[1];
  const local = f.utcToZoned(first, tz).slice(0, 10);
  const from = f.zonedToUtc(`${local}T00:00`, tz);
  const days = f.windowStarts(from, new Date(new Date(last).getTime() + 1).toISOString(), 'day', tz, 1000);
  const changes = new Map(days.map((d) => [d, []]));
  for (const e of byTime) {
    let day = days[0];
    for (const d of days) {
      if (new Date(d).getTime() <= new Date(e.at).getTime()) day = d;
    }
    changes.get(day).push(e.amount);
  }
  const values = new Map(days.map((d) => [d, addDecimals(changes.get(d)) || '0']));
  return barChart({
    title: `${cur} balance at the end of each day`,
    description: `The wallet's balance (the sum of its ledger entries) at the end of each day in ${tz}, from its `
      + `first entry to now; now ${w.balance}.`,
    categories: days, series: [{ name: 'Balance', values }], cumulative: true,
    labelFor: (k) => f.bucketLabel(k, tz, 'day'), format: (v) => f.money(v, cur), width: widthPx, categoryLabel: 'Day',
  });
}

/** The ledger, a page of {@link PAGE} entries at a time, with a button for the next page. */
function ledgerTable(api, id, w, tz) {
  const cur = w.currency;
  const host = h('div', { class: 'ledger' });
  const rows = [];
  const more = h('button', { type: 'button', class: 'secondary ledger-more' }, 'Show more entries');
  let cursor;
  const render = () => {
    host.replaceChildren(dataTable({
      caption: `${cur} ledger`, empty: 'No ledger entries yet.', rows, className: 'ledger-table',
      columns: [
        { label: '#', rowHeader: true, numeric: true, cell: (e) => String(e.sequence) },
        { label: 'When', cell: (e) => f.dateTime(e.at, tz) },
        { label: 'Kind', cell: (e) => f.titleCase(e.kind) },
        { label: 'Amount', numeric: true, cell: (e) => amount(e.amount, cur, 'entry-amount') },
        { label: 'Reason', cell: (e) => e.reason },
        { label: 'Grant', cell: (e) => h('code', {}, e.grant) },
      ],
    }), cursor ? more : '');
  };
  const load = async () => {
    more.disabled = true;
    const page = await api.get(`/v1/customers/${enc(id)}/wallets/${enc(cur)}/entries${qs({ limit: PAGE, cursor })}`);
    rows.push(...page.entries);
    cursor = page.next_cursor || undefined;
    more.disabled = false;
    render();
  };
  more.addEventListener('click', () => fill(host, 'More entries could not be loaded', async () => {
    await load();
    return [...host.childNodes];
  }));
  return { host, load };
}

/** The dashboard's Credits section of a customer; null when this server has no wallets route. */
export async function walletsSection(api, id, c, widthPx) {
  const res = await api.optional(`/v1/customers/${enc(id)}/wallets`);
  if (res === null) return null;
  if (res.wallets.length === 0) return h('p', { class: 'muted' }, 'No credits: this customer has no wallet.');
  const tz = c.timezone;
  const out = [];
  for (const w of res.wallets) {
    const chartHost = h('div', { class: 'chart-host' });
    const ledger = ledgerTable(api, id, w, tz);
    out.push(h('div', { class: 'wallet card', dataset: { currency: w.currency } },
      h('h3', {}, `${w.currency} wallet`), liveFigures(w, tz), h('h4', {}, 'Balance over time'), chartHost,
      h('h4', {}, 'Ledger'), ledger.host));
    fill(chartHost, 'The balance history could not be loaded',
      async () => balanceChart(await allEntries(api, id, w.currency), w, tz, widthPx));
    fill(ledger.host, 'The ledger could not be loaded', async () => {
      await ledger.load();
      return [...ledger.host.childNodes];
    });
  }
  return out;
}
