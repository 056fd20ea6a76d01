// Bar charts drawn as inline SVG, with a legend and the same numbers as a table for screen readers and keyboards.
// Values arrive as decimal strings; they become numbers only for geometry, labels show the exact text.

import { h, s, uid } from './dom.js';

function niceStep(max, ticks) {
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * mag >= raw) return m * mag;
  }
  return 10 * mag;
}

function addDecimal(a, b) {
  // exact enough for labels of running totals: decimal strings added digit by digit
  const [ai, af = ''] = String(a).split('.');
  const [bi, bf = ''] = String(b).split('.');
  const scale = Math.max(af.length, bf.length);
  const toBig = (i, f) => BigInt((i.startsWith('-') ? '-' : '') + i.replace('-', '') + f.padEnd(scale, '0'));
  const sum = toBig(ai, af) + toBig(bi, bf);
  if (scale === 0) return sum.toString();
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
  return (neg ? '-' : '') + text;
}

/**
 * categories: the x keys, in order; series: [{name, values: Map(key -> decimal string)}].
 * Options: title, description, labelFor(key), format(decimal string), threshold {value, label},
 * cumulative (running totals), width (px, default 720), height.
 */
export function barChart(opts) {
  const {
    title, description = '', categories, series, labelFor = (k) => k, format = (v) => v,
    threshold = null, cumulative = false, height = 240, compact = false, cutoff = Infinity,
  } = opts;
  const width = Math.round(Math.min(1100, Math.max(300, opts.width || 720)));
  const values = series.map((se) => {
    let run = '0';
    return categories.map((k) => {
      const v = se.values.get(k) || '0';
      if (!cumulative) return v;
      run = addDecimal(run, v);
      return run;
    });
  });
  const totals = categories.map((_, i) => values.reduce((t, vs) => t + Number(vs[i]), 0));
  const top = Math.max(1e-9, ...totals, threshold ? Number(threshold.value) : 0);
  const step = niceStep(top, compact ? 2 : 4);
  const yMax = Math.ceil(top / step) * step || 1;
  const padL = compact ? 40 : 68;
  const padR = 12;
  const padT = 14;
  const padB = compact ? 22 : 40;
  const plotW = width - padL - padR;
  const plotH = height - padT - padB;
  const y = (v) => padT + plotH - (v / yMax) * plotH;
  const band = plotW / Math.max(1, categories.length);
  const barW = Math.max(1, Math.min(48, band * 0.72));

  const titleId = uid('chart-title');
  const descId = uid('chart-desc');
  const svg = s('svg', {
    class: 'chart-svg', viewBox: `0 0 ${width} ${height}`, width, height,
    role: 'img', 'aria-labelledby': `${titleId} ${descId}`, preserveAspectRatio: 'xMinYMin meet',
  }, s('title', { id: titleId }, title), s('desc', { id: descId }, description));

  for (let v = 0; v <= yMax + step / 2; v += step) {
    const yy = y(v);
    svg.append(s('line', { class: 'grid', x1: padL, x2: width - padR, y1: yy, y2: yy }));
    svg.append(s('text', { class: 'axis', x: padL - 6, y: yy + 4, 'text-anchor': 'end' }, format(String(+v.toFixed(10)))));
  }
  const every = Math.max(1, Math.ceil(categories.length / Math.max(2, Math.floor(plotW / (compact ? 70 : 84)))));
  categories.forEach((k, i) => {
    const x = padL + i * band + (band - barW) / 2;
    let base = 0;
    if (i < cutoff) series.forEach((se, j) => {
      const v = Number(values[j][i]);
      if (v > 0) {
        const y0 = y(base);
        const y1 = y(base + v);
        svg.append(s('rect', {
          class: `bar series-${j % 8}`, x: x.toFixed(2), y: y1.toFixed(2), width: barW.toFixed(2),
          height: Math.max(0.5, y0 - y1).toFixed(2),
        }, s('title', {}, `${labelFor(k)}${series.length > 1 ? ` · ${se.name}` : ''}: ${format(values[j][i])}`)));
      }
      base += Math.max(0, v);
    });
    if (i % every === 0) {
      svg.append(s('text', { class: 'axis', x: (padL + i * band + band / 2).toFixed(2), y: height - padB + 16, 'text-anchor': 'middle' }, labelFor(k)));
    }
  });
  svg.append(s('line', { class: 'axis-line', x1: padL, x2: width - padR, y1: y(0), y2: y(0) }));
  if (threshold) {
    const ty = y(Number(threshold.value));
    svg.append(s('line', { class: 'threshold', x1: padL, x2: width - padR, y1: ty, y2: ty }));
    svg.append(s('text', { class: 'threshold-label', x: padL + 6, y: ty - 6, 'text-anchor': 'start' }, threshold.label));
  }

  const legend = series.length > 1 || threshold
    ? h('ul', { class: 'legend', 'aria-label': 'Legend' },
      series.length > 1 ? series.map((se, j) => h('li', {}, h('span', { class: `swatch series-${j % 8}`, 'aria-hidden': 'true' }), se.name)) : null,
      threshold ? h('li', {}, h('span', { class: 'swatch threshold-swatch', 'aria-hidden': 'true' }), threshold.label) : null)
    : null;

  const table = h('table', { class: 'data' },
    h('caption', { class: 'visually-hidden' }, title),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, opts.categoryLabel || 'Period'),
      series.map((se) => h('th', { scope: 'col', class: 'num' }, se.name)))),
    h('tbody', {}, categories.slice(0, Math.min(categories.length, cutoff)).map((k, i) => h('tr', {}, h('th', { scope: 'row' }, labelFor(k)),
      series.map((_, j) => h('td', { class: 'num' }, format(values[j][i])))))));

  return h('figure', { class: ['chart', compact && 'compact'] },
    h('div', { class: 'chart-scroll' }, svg),
    legend,
    compact ? null : h('details', { class: 'chart-data' }, h('summary', {}, 'Show the data as a table'), h('div', { class: 'table-wrap' }, table)));
}
