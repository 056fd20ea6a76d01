// Tiny DOM helpers: every element is built with createElement and text nodes, never from HTML strings, so
// nothing a customer or an event carries can become markup (and the page needs no inline script or style).

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs, svg) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.setAttribute('class', Array.isArray(v) ? v.filter(Boolean).join(' ') : v);
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value' && !svg && 'value' in el) el.value = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** h('a', {href: '#/x', class: 'link'}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs, false);
  append(el, children);
  return el;
}

/** An SVG element: s('rect', {x: 1, y: 2, width: 3, height: 4}) */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs, true);
  append(el, children);
  return el;
}

let ids = 0;
/** A document-unique id for label/for, aria-labelledby and aria-controls. */
export function uid(prefix = 'id') {
  ids += 1;
  return `${prefix}-${ids}`;
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}
