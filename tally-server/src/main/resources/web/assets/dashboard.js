// The operator dashboard: sign in with an API key (kept in this tab's sessionStorage only), then a hash router
// over the pages. Every figure comes from the /v1 API of the same server. Each page area is its own module; a page
// function receives the api and the shell's context (see ctx below) and keeps no state of its own between pages.

import { h } from './dom.js';
import { createApi, ApiError } from './api.js';
import { renderAnalytics } from './analytics.js';
import { errorBox, field, loading } from './ui.js';
import { overviewPage } from './overview.js';
import { customerPage, customersPage } from './customers.js';
import { invoicePage, invoicesPage } from './invoices.js';
import { metersPage, planPage, plansPage, subscriptionsPage } from './catalog.js';
import { apiKeysPage, webhookDeliveriesPage, webhooksPage } from './admin.js';

const KEY = 'tally.adminKey';
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const api = createApi(() => sessionStorage.getItem(KEY) || '', () => {
  sessionStorage.removeItem(KEY);
  showLogin('Your session ended: the API key is no longer valid (revoked or expired). Sign in again.');
});

let navigated = false;

function start() {
  document.querySelector('.skip').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  signOut.addEventListener('click', () => {
    sessionStorage.removeItem(KEY);
    showLogin('You are signed out.');
  });
  window.addEventListener('hashchange', () => {
    navigated = true;
    route();
  });
  if (sessionStorage.getItem(KEY)) enterApp();
  else showLogin();
}

// ---------------------------------------------------------------- sign in

function showLogin(message) {
  nav.hidden = true;
  signOut.hidden = true;
  document.title = 'Sign in · Tally';
  const input = h('input', {
    type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', required: true, class: 'wide',
  });
  const status = h('div', { class: 'form-status' });
  const form = h('form', {
    class: 'card login', 'aria-labelledby': 'login-title',
    onsubmit: async (e) => {
      e.preventDefault();
      const key = input.value.trim();
      status.replaceChildren(loading('Checking the key…'));
      const probe = createApi(() => key);
      try {
        await probe.get('/v1/stats');
        sessionStorage.setItem(KEY, key);
        if (!location.hash.startsWith('#/')) location.hash = '#/';
        enterApp();
      } catch (err) {
        const text = err instanceof ApiError && err.status === 401
          ? 'That key is not valid (unknown, revoked or expired).'
          : err instanceof ApiError && err.status === 403
            ? 'That key may not read this tenant’s data: it needs the read or admin scope.'
            : err.message;
        status.replaceChildren(h('div', { class: 'error', role: 'alert' }, text));
        input.focus();
      }
    },
  },
  h('h1', { id: 'login-title' }, 'Sign in to Tally'),
  message ? h('p', { class: 'notice', role: 'status' }, message) : null,
  field('Admin API key', input, 'The key stays in this browser tab (sessionStorage) and is sent only to this server. '
    + 'On a fresh install it is in DATA_DIR/bootstrap-key.'),
  h('button', { type: 'submit' }, 'Sign in'),
  status);
  main.replaceChildren(form);
  input.focus();
}

async function enterApp() {
  nav.hidden = false;
  signOut.hidden = false;
  route();
  // optional features: a route another build may not have is hidden when it answers 404
  try {
    if ((await api.optional('/v1/webhook-endpoints')) === null) {
      nav.querySelector('[data-section="webhooks"]')?.closest('li')?.remove();
    }
  } catch (e) {
    /* keep the link; the page shows the error */
  }
}

// ---------------------------------------------------------------- router

const routes = [
  [/^\/?$/, () => overviewPage(api, ctx)],
  [/^\/customers$/, (m, q) => customersPage(api, ctx, q)],
  [/^\/customers\/([^/]+)$/, (m) => customerPage(api, ctx, decodeURIComponent(m[1]))],
  [/^\/invoices$/, (m, q) => invoicesPage(api, ctx, q)],
  [/^\/invoices\/([^/]+)$/, (m) => invoicePage(api, ctx, decodeURIComponent(m[1]))],
  [/^\/meters$/, () => metersPage(api, ctx)],
  [/^\/plans$/, () => plansPage(api, ctx)],
  [/^\/plans\/([^/]+)$/, (m) => planPage(api, ctx, decodeURIComponent(m[1]))],
  [/^\/subscriptions$/, () => subscriptionsPage(api, ctx)],
  [/^\/webhooks$/, () => webhooksPage(api, ctx)],
  [/^\/webhooks\/([^/]+)$/, (m) => webhookDeliveriesPage(api, ctx, decodeURIComponent(m[1]))],
  [/^\/keys$/, () => apiKeysPage(api, ctx)],
  [/^\/analytics$/, () => renderAnalytics(page('Analytics'), api, { add, width })],
  [/^\/anomalies$/, (m, q) => import('./anomalies.js').then((a) => a.renderAnomalies(page('Anomalies'), api, { add }, q))],
];

function route() {
  if (!sessionStorage.getItem(KEY)) {
    showLogin();
    return;
  }
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // an in-page anchor, not a page
  nav.hidden = false;
  signOut.hidden = false;
  const [path, query = ''] = hash.slice(1).split('?');
  const params = new URLSearchParams(query);
  const sectionName = path.split('/')[1] || 'overview';
  for (const a of nav.querySelectorAll('a')) {
    if (a.dataset.section === sectionName) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  for (const [re, render] of routes) {
    const m = path.match(re);
    if (m) {
      Promise.resolve().then(() => render(m, params)).catch((e) => main.append(errorBox(e)));
      return;
    }
  }
  page('Not found').append(h('p', {}, 'There is no such page. ', h('a', { href: '#/' }, 'Go to the overview.')));
}

/** Starts a page: its h1 (focused after a navigation, for screen readers) and an empty view. */
function page(title, ...extra) {
  document.title = `${title} · Tally`;
  const heading = h('h1', { tabindex: '-1' }, title);
  const view = h('div', { class: 'view' });
  main.replaceChildren(h('div', { class: 'page-head' }, heading, ...extra), view);
  if (navigated) heading.focus();
  return view;
}

function add(view, sec) {
  view.append(sec.el);
  return sec.body;
}

function width(el) {
  return Math.max(300, (el.clientWidth || main.clientWidth || 720) - 4);
}

/** Fills an optional section, or removes it when its route answers 404 on this server. */
async function optionalSection(sec, work) {
  sec.body.replaceChildren(loading());
  try {
    const content = await work();
    if (content === null) sec.el.remove();
    else sec.body.replaceChildren(...[content].flat());
  } catch (e) {
    sec.body.replaceChildren(errorBox(e));
  }
}

/**
 * What the page modules may use of the shell: page(title, ...extra) starts a page and returns its view;
 * add(view, section) appends a section and returns its body; width(el) is the width a chart in el may take;
 * optionalSection(section, work) fills a section or removes it when its route answers 404; browserZone is this
 * browser's time zone.
 */
const ctx = Object.freeze({ page, add, width, optionalSection, browserZone });

start();
