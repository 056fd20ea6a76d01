// The "History" section of a resource's page: its audit records (GET /v1/audit?resource=&id=), newest first.

import { h } from './dom.js';
import { qs } from './api.js';
import * as f from './format.js';
import { dataTable } from './ui.js';

const MAX_PAGES = 5;

/** One patch operation as text: "replace /name: "Acme Inc"". */
function operation(op) {
  const value = op.op === 'remove' ? '' : `: ${JSON.stringify(op.value)}`;
  const shown = value.length > 120 ? `${value.slice(0, 117)}…` : value;
  return `${op.op} ${op.path || '(whole)'}${shown}`;
}

function actor(a) {
  if (a.type === 'key') return [a.name || a.id, h('small', { class: 'muted block' }, a.id)];
  if (a.type === 'portal') return `portal (${a.id})`;
  return a.type;
}

/**
 * The history of one resource; null (the section is dropped) when the key may not read the audit trail
 * (it needs the admin scope).
 */
export async function historySection(api, resource, id, tz) {
  const records = [];
  let cursor;
  try {
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await api.get(`/v1/audit${qs({ resource, id, cursor, limit: 500 })}`);
      records.push(...page.records);
      cursor = page.next_cursor;
      if (!cursor) break;
    }
  } catch (e) {
    if (e.status === 403) return null;
    throw e;
  }
  records.reverse();
  return dataTable({
    caption: `History of ${resource} ${id}`, rows: records, className: 'history',
    empty: 'No recorded changes.',
    columns: [
      { label: 'When', rowHeader: true, cell: (r) => f.dateTime(r.at, tz) },
      { label: 'Who', cell: (r) => actor(r.actor) },
      { label: 'Action', cell: (r) => [h('code', {}, r.action), r.version ? h('small', { class: 'muted block' }, `version ${r.version}`) : null] },
      { label: 'Change', cell: (r) => h('ul', { class: 'plain patch' }, r.patch.map((op) => h('li', {}, h('code', {}, operation(op))))) },
      { label: 'Request', wide: true, cell: (r) => (r.request_id ? h('code', {}, r.request_id) : '—') },
    ],
  });
}
