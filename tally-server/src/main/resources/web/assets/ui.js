// Shared building blocks of the dashboard and the portal: sections, tables, amounts, errors, PDF downloads.

import { h, uid } from './dom.js';
import { money } from './format.js';

export function loading(text = 'Loading…') {
  return h('p', { class: 'muted loading', role: 'status' }, text);
}

export function errorBox(err, what) {
  const detail = err && err.message ? err.message : String(err);
  return h('div', { class: 'error', role: 'alert' }, what ? h('strong', {}, `${what}: `) : null, detail);
}

/** A titled section; fill `body`. Hidden sections (optional features) get removed by the caller. */
export function section(title, { level = 2, className, description } = {}) {
  const headingId = uid('h');
  const body = h('div', { class: 'section-body' });
  const el = h('section', { class: ['card', className], 'aria-labelledby': headingId },
    h(`h${level}`, { id: headingId }, title),
    description ? h('p', { class: 'muted' }, description) : null,
    body);
  return { el, body };
}

/** An amount: the exact decimal in value, the customer's currency formatting as text. */
export function amount(value, currency, className, options) {
  return h('data', { value, class: ['amount', className], dataset: { currency } }, money(value, currency, options));
}

export function badge(status) {
  return h('span', { class: `badge badge-${String(status).replace(/[^a-z_-]/gi, '')}` }, String(status).replaceAll('_', ' '));
}

/**
 * columns: [{label, cell: (row, i) => node | string, numeric, rowHeader, wide}]; the row header column gets
 * <th scope="row">; `wide` columns are left out on phone-sized screens. The table scrolls inside a focusable
 * region when it is still too wide.
 */
export function dataTable({ caption, columns: all, rows, empty = 'Nothing to show yet.', captionVisible = false, className, footer }) {
  const columns = all.filter(Boolean);
  if (!rows || rows.length === 0) {
    return h('p', { class: 'muted empty' }, empty);
  }
  const captionId = uid('cap');
  const table = h('table', { class: ['data', className] },
    h('caption', { id: captionId, class: captionVisible ? null : 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: [c.numeric && 'num', c.wide && 'wide-only'] }, c.label)))),
    h('tbody', {}, rows.map((row, i) => h('tr', {}, columns.map((c) => {
      const content = c.cell(row, i);
      const cls = [c.numeric && 'num', c.wide && 'wide-only'];
      return c.rowHeader ? h('th', { scope: 'row', class: cls }, content) : h('td', { class: cls }, content);
    })))),
    footer ? h('tfoot', {}, footer) : null);
  return h('div', { class: 'table-wrap', role: 'region', 'aria-labelledby': captionId, tabindex: '0' }, table);
}

export function keyValues(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

export function field(label, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const hintId = hint ? uid('hint') : null;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('small', { id: hintId, class: 'muted' }, hint) : null);
}

export function copyButton(getText, label = 'Copy') {
  const status = h('span', { class: 'muted copy-status', role: 'status' });
  const button = h('button', {
    type: 'button', class: 'secondary',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(getText());
        status.textContent = 'Copied.';
      } catch (e) {
        status.textContent = 'Select the text and copy it.';
      }
    },
  }, label);
  return h('span', { class: 'copy' }, button, status);
}

/**
 * A button that downloads a PDF rendering (Accept: application/pdf) with the bearer token: a plain link could
 * not carry the header. data-href names the URL, the status line says what arrived.
 */
export function pdfButton(api, path, filename, label = 'Download PDF') {
  const status = h('span', { class: 'muted pdf-status', role: 'status' });
  const button = h('button', {
    type: 'button', class: 'secondary pdf-download', dataset: { href: path, filename },
    onclick: async () => {
      button.disabled = true;
      status.textContent = 'Preparing the PDF…';
      try {
        const res = await api.request('GET', path, { accept: 'application/pdf', raw: true });
        const type = res.headers.get('Content-Type') || '';
        const blob = await res.blob();
        const url = URL.createObjectURL(blob);
        const link = h('a', { href: url, download: filename, class: 'visually-hidden' }, filename);
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
        status.textContent = `Downloaded ${filename} (${type.split(';')[0]}, ${Math.max(1, Math.round(blob.size / 1024))} KB).`;
        status.dataset.contentType = type;
      } catch (e) {
        status.textContent = `The PDF could not be downloaded: ${e.message}`;
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  return h('span', { class: 'pdf' }, button, ' ', status);
}

/** Runs an async filler into a host, showing progress and errors in place. */
export async function fill(host, what, work) {
  host.replaceChildren(loading());
  try {
    const content = await work();
    host.replaceChildren(...[content].flat().filter(Boolean));
  } catch (e) {
    host.replaceChildren(errorBox(e, what));
  }
}
