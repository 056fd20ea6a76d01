// The overview page: what this server ingested (rate, rejections, events of no customer or of no meter) and the
// revenue of the current period, from GET /v1/stats and GET /v1/events/unmatched-subjects.

import { h } from './dom.js';
import { qs } from './api.js';
import * as f from './format.js';
import { barChart } from './chart.js';
import { amount, dataTable, errorBox, fill, section } from './ui.js';

/** The overview page: ingest counters and rate, rejections, unmatched events, revenue (GET /v1/stats). */
export async function overviewPage(api, { page, add, width, browserZone }) {
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
