// Small helpers to build the DOM and format figures in French. Elements are built with
// h(): text goes through text nodes, never innerHTML, so API strings cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(el, props, children) {
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k === 'className' ? 'class' : k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// h('a', {href: '/'}, 'text', child...) creates an HTML element.
export const h = (tag, props, ...children) => build(document.createElement(tag), props, children);

// s('path', {d: ...}) creates an SVG element.
export const s = (tag, props, ...children) => build(document.createElementNS(SVG_NS, tag), props, children);

const nf = (opts) => new Intl.NumberFormat('fr-FR', opts);
const int = nf({ maximumFractionDigits: 0 });
const dec1 = nf({ maximumFractionDigits: 1 });
const dec2 = nf({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
const sig3 = nf({ maximumSignificantDigits: 3 });
const pct = nf({ style: 'percent', maximumFractionDigits: 1 });
const eur = nf({ style: 'currency', currency: 'EUR', notation: 'compact', maximumFractionDigits: 1 });

export const fmt = {
  int: (v) => (v == null ? '—' : int.format(v)),
  num: (v) => (v == null ? '—' : Math.abs(v) >= 1000 ? int.format(v) : Math.abs(v) >= 1 ? dec1.format(v) : sig3.format(v)),
  // Two decimals: per-inhabitant figures, whose classes on a region's map lie close.
  dec2: (v) => (v == null ? '—' : dec2.format(v)),
  pct: (v) => (v == null ? '—' : pct.format(v)),
  eur: (v) => (v == null ? '—' : eur.format(v)),
  kt: (v) => (v == null ? '—' : `${fmt.num(v)} ktCO₂e`),
};

export const LEVELS = {
  COUNTRY: { label: 'Pays', plural: 'Pays' },
  REGION: { label: 'Région', plural: 'Régions' },
  DEPARTMENT: { label: 'Département', plural: 'Départements' },
  CRTE: { label: 'CRTE', plural: 'CRTE' },
  EPCI: { label: 'EPCI', plural: 'EPCI' },
  COMMUNE: { label: 'Commune', plural: 'Communes' },
};

export const territoryPath = (t) => `/t/${t.level}/${encodeURIComponent(t.code)}`;

export const territoryLink = (t) => h('a', { href: territoryPath(t) }, t.name);

export const STATUS = {
  AHEAD: 'En avance',
  ON_TRACK: 'Dans la trajectoire',
  LATE: 'En retard',
  NO_DATA: 'Pas de mesure',
};

export const COMMITMENT_STATUS = {
  DRAFT: 'Brouillons',
  SUBMITTED: 'Soumis',
  ADOPTED: 'Adoptés',
  WITHDRAWN: 'Retirés',
};

// section returns a titled <section>, with an id for in-page links.
export const section = (id, title, ...children) =>
  h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...children);

// table builds a data table: cols are {label, value(row) -> node|string, num?}.
export function table(caption, cols, rows, { className } = {}) {
  return h('div', { className: `table-wrap ${className || ''}` },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col', className: c.num ? 'num' : null }, c.label)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, cols.map((c, i) =>
        (i === 0 ? h('th', { scope: 'row' }, c.value(r)) : h('td', { className: c.num ? 'num' : null }, c.value(r)))))))));
}

// bar draws a share (0..1+) as a meter with its figure, readable without colour.
export function bar(value, label) {
  const v = value == null ? 0 : Math.max(0, Math.min(1, value));
  return h('span', { className: 'bar' },
    h('meter', { min: 0, max: 1, value: v, 'aria-label': label || 'part' }),
    h('span', {}, fmt.pct(value)));
}

// loading and failure are what every section shows while waiting or after an error.
export const loading = (what) => h('p', { className: 'loading', role: 'status' }, `Chargement ${what}…`);

export function failure(err, retry) {
  return h('div', { className: 'error', role: 'alert' },
    h('p', {}, err.message || String(err)),
    retry ? h('button', { type: 'button', onclick: retry }, 'Réessayer') : null);
}

// async section: shows a loading line, then what render(data) returns, or an error with a
// retry button. Aborted loads (the reader navigated away) leave nothing behind.
export function loadInto(container, what, load, render) {
  const run = async () => {
    container.replaceChildren(loading(what));
    container.setAttribute('aria-busy', 'true');
    try {
      const data = await load();
      container.replaceChildren(render(data));
    } catch (err) {
      if (err.name === 'AbortError') return;
      container.replaceChildren(failure(err, run));
    } finally {
      container.removeAttribute('aria-busy');
    }
  };
  run();
  return container;
}
