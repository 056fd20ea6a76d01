// Formatting with the browser's Intl: amounts in the customer's currency (decimal strings are formatted exactly,
// never through a binary float), dates and times in the customer's time zone.

const locale = undefined; // the browser's language

// Display precision, the same rule as the invoices' (docs/BILLING.md, "Display precision"): quantities at most
// 4 decimals, trailing zeros dropped; unit prices the currency's minor unit plus at most 4 decimals; amounts at the
// minor unit. Intl formats a decimal string exactly and rounds half away from zero ("halfExpand"), as Tally does;
// the exact value stays in the JSON (and in a <data value> beside the text where a test or a person needs it).
export const QUANTITY_DECIMALS = 4;
export const EXTRA_UNIT_PRICE_DECIMALS = 4;

/** The digits of a currency's minor unit (USD 2, JPY 0, BHD 3). */
export function minorDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch (e) {
    return 2;
  }
}

/** An amount; with {precise: true} a unit price (see unitPrice). */
export function money(amount, currency, { precise = false } = {}) {
  if (amount === null || amount === undefined || amount === '') return '—';
  try {
    const options = { style: 'currency', currency };
    if (precise) {
      const minor = minorDigits(currency);
      options.minimumFractionDigits = minor;
      options.maximumFractionDigits = minor + EXTRA_UNIT_PRICE_DECIMALS;
    }
    return new Intl.NumberFormat(locale, options).format(String(amount));
  } catch (e) {
    return `${amount} ${currency || ''}`.trim();
  }
}

/** A unit price: the currency's minor unit plus at most 4 decimals, trailing zeros beyond the minor unit dropped. */
export const unitPrice = (amount, currency) => money(amount, currency, { precise: true });

/** A quantity: at most 4 decimals (or max), trailing zeros dropped. */
export function quantity(value, max = QUANTITY_DECIMALS) {
  if (value === null || value === undefined || value === '') return '—';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: max }).format(String(value));
}

export function integer(value) {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value);
}

function fmt(iso, tz, options) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: tz || undefined }).format(d);
  } catch (e) {
    return new Intl.DateTimeFormat(locale, options).format(d);
  }
}

export const dateTime = (iso, tz) => fmt(iso, tz, { dateStyle: 'medium', timeStyle: 'short' });
export const dateTimeSeconds = (iso, tz) => fmt(iso, tz, { dateStyle: 'medium', timeStyle: 'medium' });
export const date = (iso, tz) => fmt(iso, tz, { dateStyle: 'medium' });

/** A period [start, end) as the customer reads it: the end is exclusive, so show the day before it. */
export function period(start, end, tz) {
  const last = new Date(new Date(end).getTime() - 1).toISOString();
  return `${date(start, tz)} – ${date(last, tz)}`;
}

/** A short label for a chart bucket of the given window. */
export function bucketLabel(iso, tz, window) {
  if (window === 'hour') return fmt(iso, tz, { month: 'short', day: 'numeric', hour: 'numeric' });
  if (window === 'month') return fmt(iso, tz, { month: 'short', year: 'numeric' });
  if (window === 'minute') return fmt(iso, tz, { hour: 'numeric', minute: '2-digit' });
  return fmt(iso, tz, { month: 'short', day: 'numeric' });
}

/** The wall-clock fields of an instant in a time zone. */
function parts(date, tz) {
  const out = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date)) {
    out[p.type] = p.value;
  }
  return out;
}

/** "2026-11-20T09:30" (a datetime-local value) read in time zone tz, as an RFC 3339 UTC instant. */
export function zonedToUtc(local, tz) {
  if (!local) return '';
  const [d, t = '00:00'] = local.split('T');
  const [y, mo, da] = d.split('-').map(Number);
  const [hh, mi] = t.split(':').map(Number);
  const wall = Date.UTC(y, mo - 1, da, hh, mi);
  let guess = wall;
  for (let i = 0; i < 3; i += 1) {
    const p = parts(new Date(guess), tz);
    const seen = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
    guess += wall - seen;
  }
  return new Date(guess).toISOString().replace('.000Z', 'Z');
}

/** An instant as a datetime-local value in time zone tz. */
export function utcToZoned(iso, tz) {
  const p = parts(new Date(iso), tz);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** A duration in seconds as "3 h 20 min", "45 min" or "12 s". */
export function duration(seconds) {
  const s = Math.max(0, Math.round(Number(seconds) || 0));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const hours = Math.floor(m / 60);
  return m % 60 ? `${hours} h ${m % 60} min` : `${hours} h`;
}

export function titleCase(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1).replaceAll('_', ' ') : text;
}

/** The starts of every window of a range (hour, day or month, in time zone tz), at most `max` of them. */
export function windowStarts(from, to, window, tz, max = 2000) {
  const out = [];
  const end = new Date(to).getTime();
  let t = new Date(from).getTime();
  while (t < end && out.length < max) {
    out.push(new Date(t).toISOString().replace('.000Z', 'Z'));
    if (window === 'hour') {
      t += 3600e3;
    } else {
      const local = utcToZoned(new Date(t + (window === 'month' ? 32 : 1.1) * 864e5).toISOString(), tz);
      t = new Date(zonedToUtc(window === 'month' ? `${local.slice(0, 7)}-01T00:00` : `${local.slice(0, 10)}T00:00`, tz)).getTime();
    }
  }
  return out;
}
