// The administration pages: webhook endpoints, their delivery logs, and API keys.

import { h } from './dom.js';
import { qs, enc } from './api.js';
import * as f from './format.js';
import { badge, copyButton, dataTable, errorBox, field, fill, section } from './ui.js';

/** The webhook endpoints and the form that adds one. */
export async function webhooksPage(api, { page, add }) {
  const view = page('Webhook endpoints');
  const card = h('div', { class: 'card' });
  view.append(card);
  const load = () => fill(card, 'Webhook endpoints could not be loaded', async () => {
    const res = await api.optional('/v1/webhook-endpoints');
    if (res === null) return h('p', { class: 'muted' }, 'This server has no webhooks.');
    return dataTable({
      caption: 'Webhook endpoints', empty: 'No endpoints yet.', rows: res.webhook_endpoints || [],
      columns: [
        { label: 'URL', rowHeader: true, cell: (w) => h('a', { href: `#/webhooks/${enc(w.id)}` }, w.url) },
        { label: 'Description', cell: (w) => w.description || '—' },
        { label: 'Messages', cell: (w) => (w.event_types && w.event_types.length ? w.event_types.join(', ') : 'all') },
        { label: 'Status', cell: (w) => [badge(w.status), w.failing_since ? h('small', { class: 'muted block' }, `failing since ${f.dateTime(w.failing_since)}`) : null] },
      ],
    });
  });
  const url = h('input', { type: 'url', name: 'url', required: true, class: 'wide' });
  const desc = h('input', { type: 'text', name: 'description' });
  const status = h('div', { class: 'form-status' });
  add(view, section('Add an endpoint')).append(h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      try {
        const w = await api.post('/v1/webhook-endpoints', { url: url.value, description: desc.value });
        status.replaceChildren(h('div', { class: 'callout', role: 'status' },
          h('p', {}, 'Endpoint added. Its signing secret is shown only now:'),
          h('code', { class: 'secret' }, w.secret || '—'), ' ', copyButton(() => w.secret || '')));
        url.value = '';
        load();
      } catch (err) {
        status.replaceChildren(errorBox(err, 'The endpoint could not be added'));
      }
    },
  }, field('URL', url), field('Description', desc), h('button', { type: 'submit' }, 'Add endpoint'), status));
  await load();
}

/** One endpoint's delivery log, with a retry per delivery. */
export async function webhookDeliveriesPage(api, { page }, id) {
  const view = page('Webhook deliveries');
  const card = h('div', { class: 'card' });
  view.append(card);
  const load = () => fill(card, 'Deliveries could not be loaded', async () => {
    const res = await api.get(`/v1/webhook-deliveries${qs({ endpoint: id, limit: 100 })}`);
    const list = res.deliveries || [];
    return [
      res.endpoint ? h('p', {}, 'Endpoint ', h('code', {}, res.endpoint.url), ' ', badge(res.endpoint.status)) : null,
      dataTable({
        caption: 'Delivery log', captionVisible: true, empty: 'No deliveries yet.', rows: list,
        columns: [
          { label: 'Created', rowHeader: true, cell: (d) => f.dateTimeSeconds(d.created_at) },
          { label: 'Message', cell: (d) => [h('code', {}, d.type), h('small', { class: 'muted block' }, d.message_id)] },
          { label: 'Status', cell: (d) => badge(d.status) },
          { label: 'Attempts', numeric: true, cell: (d) => String(d.attempt_count) },
          {
            label: 'Last answer', cell: (d) => {
              const a = (d.attempts || [])[d.attempts.length - 1];
              if (!a) return '—';
              return `${a.status_code ?? a.error ?? '—'} · ${a.duration_ms} ms · ${f.dateTime(a.at)}`;
            },
          },
          { label: 'Next attempt', cell: (d) => (d.next_attempt_at ? f.dateTime(d.next_attempt_at) : '—') },
          {
            label: 'Action', cell: (d) => h('button', {
              type: 'button', class: 'secondary', 'aria-label': `Retry delivery ${d.id}`,
              onclick: async (ev) => {
                ev.target.disabled = true;
                try {
                  await api.post(`/v1/webhook-deliveries/${enc(d.id)}/retry`);
                  load();
                } catch (err) {
                  ev.target.after(errorBox(err, 'Retry failed'));
                  ev.target.disabled = false;
                }
              },
            }, 'Retry'),
          },
        ],
      }),
    ];
  });
  await load();
}

/** The API keys, the form that creates one and a two-step revoke. */
export async function apiKeysPage(api, { page, add }) {
  const view = page('API keys');
  const created = h('div');
  const name = h('input', { type: 'text', name: 'name', required: true, autocomplete: 'off' });
  const scopes = ['ingest', 'read', 'admin'].map((sc) => h('input', { type: 'checkbox', name: 'scopes', value: sc, checked: sc === 'read', id: `scope-${sc}` }));
  const expires = h('input', { type: 'date', name: 'expires' });
  const listCard = h('div', { class: 'card' });
  const load = () => fill(listCard, 'API keys could not be loaded', async () => {
    const res = await api.get('/v1/api-keys');
    return dataTable({
      caption: 'API keys', captionVisible: true, rows: res.api_keys, className: 'keys',
      columns: [
        { label: 'Name', rowHeader: true, cell: (k) => k.name },
        { label: 'Prefix', cell: (k) => h('code', {}, `${k.prefix}…`) },
        { label: 'Scopes', cell: (k) => k.scopes.join(', ') },
        { label: 'Created', cell: (k) => f.date(k.created_at) },
        { label: 'Expires', cell: (k) => (k.expires_at ? f.dateTime(k.expires_at) : 'never') },
        { label: 'Status', cell: (k) => (k.revoked_at ? badge('revoked') : badge('active')) },
        {
          label: 'Action', cell: (k) => (k.revoked_at ? '—' : h('button', {
            type: 'button', class: 'danger', 'aria-label': `Revoke key ${k.name}`,
            onclick: async (ev) => {
              const b = ev.target;
              if (b.dataset.confirm !== 'yes') {
                b.dataset.confirm = 'yes';
                b.textContent = 'Confirm revoke';
                return;
              }
              try {
                await api.del(`/v1/api-keys/${enc(k.id)}`);
                load();
              } catch (err) {
                b.after(errorBox(err, 'Revoke failed'));
              }
            },
          }, 'Revoke')),
        },
      ],
    });
  });
  add(view, section('Create a key')).append(h('form', {
    class: 'inline-form',
    onsubmit: async (e) => {
      e.preventDefault();
      const body = { name: name.value.trim(), scopes: scopes.filter((x) => x.checked).map((x) => x.value) };
      if (expires.value) body.expires_at = `${expires.value}T00:00:00Z`;
      try {
        const k = await api.post('/v1/api-keys', body);
        const secret = h('input', { type: 'text', readonly: true, value: k.key, class: 'wide new-key' });
        created.replaceChildren(h('div', { class: 'callout', role: 'status' },
          h('p', {}, h('strong', {}, 'Copy this key now: '), 'it is shown only once; Tally keeps only a hash of it.'),
          field(`Key “${k.name}”`, secret), copyButton(() => k.key)));
        name.value = '';
        load();
      } catch (err) {
        created.replaceChildren(errorBox(err, 'The key could not be created'));
      }
    },
  },
  field('Name', name),
  h('fieldset', { class: 'scopes' }, h('legend', {}, 'Scopes'),
    scopes.map((cb) => h('label', { class: 'check', for: cb.id }, cb, ` ${cb.value}`))),
  field('Expires (optional, UTC)', expires),
  h('button', { type: 'submit' }, 'Create key')), created);
  view.append(listCard);
  await load();
}
