// The choropleth of the departments: metropolitan departments from the derived map asset,
// outlined by region, and the five overseas departments as tiles. Each department is a
// link to its page, so the map works from the keyboard; the legend gives the classes in
// words and figures, so colour is never the only cue.

import { h, s, fmt } from './dom.js';
import { viewBox, departments, regions } from '../map/departements.js';

const NO_DATA = '#d4d4d4';
export const PALETTES = {
  blue: ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'],
  green: ['#edf8e9', '#bae4b3', '#74c476', '#31a354', '#006d2c'],
  orange: ['#feedde', '#fdbe85', '#fd8d3c', '#e6550d', '#a63603'],
};
const OVERSEAS = ['971', '972', '973', '974', '976'];

// The indicators a reader can colour the map by. Values are computed from the roll-up of
// each department: its objective (derived from its region's), the adopted commitments of
// the territories inside it, coverage and gap.
export const INDICATORS = [
  {
    id: 'objectif',
    label: 'Objectif 2030 par habitant (tCO₂e évitées par habitant)',
    palette: 'blue',
    value: (t, r) => (r.objectiveKtco2e == null || !t.population ? null : (r.objectiveKtco2e * 1000) / t.population),
    format: (v) => `${fmt.dec2(v)} t/hab.`,
  },
  {
    id: 'couverture',
    label: 'Couverture de l’objectif par les engagements adoptés',
    palette: 'green',
    value: (t, r) => r.coverage,
    format: (v) => fmt.pct(v),
  },
  {
    id: 'ecart',
    label: 'Écart restant à couvrir par habitant (tCO₂e par habitant)',
    palette: 'orange',
    value: (t, r) => (r.gap == null || !t.population ? null : (r.gap * 1000) / t.population),
    format: (v) => `${fmt.dec2(v)} t/hab.`,
  },
];

// indicatorChooser returns the radio buttons that pick the indicator; the choice is kept in
// the address (?indicateur=), but for the page's default indicator.
export function indicatorChooser(indicator, onpick, byDefault = INDICATORS[0]) {
  return h('fieldset', { className: 'chooser' },
    h('legend', {}, 'Colorer les départements selon'),
    INDICATORS.map((ind) => h('label', {},
      h('input', { type: 'radio', name: 'indicateur', value: ind.id, checked: ind === indicator,
        onchange: () => {
          const url = new URL(location.href);
          if (ind === byDefault) url.searchParams.delete('indicateur');
          else url.searchParams.set('indicateur', ind.id);
          history.replaceState(null, '', url.pathname + url.search + url.hash);
          onpick(ind);
        } }),
      ' ', ind.label)));
}

// A department's region: from the map asset (derived from the hierarchy) for metropolitan
// departments; each overseas department is a region of its own (971 Guadeloupe is 01...).
const depRegion = new Map(departments.map((d) => [d.code, d.region]));
const OVERSEAS_REGION = { 971: '01', 972: '02', 973: '03', 974: '04', 976: '06' };
export function regionFor(code) {
  return depRegion.get(code) || OVERSEAS_REGION[code];
}

// breaks returns the upper bounds of up to 5 classes of equal counts (quantiles). Bounds
// that read the same once formatted make one class: the departments of a region share its
// objective per inhabitant, equal but for float noise, and must not get five colours.
function breaks(values, format) {
  const v = values.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return [];
  const out = new Map(); // formatted bound -> the largest bound that reads so
  for (let i = 1; i <= 5; i++) {
    const b = v[Math.min(v.length - 1, Math.ceil((i * v.length) / 5) - 1)];
    out.set(format(b), b);
  }
  return [...out.values()];
}

// franceMap draws the map. rows: by department code {name, region, value}; indicator:
// {label, palette, format(value)}; regionNames: by region code. With `only` (a region's
// department codes), it draws those departments alone, framed to fit, and outlines
// `current` (a department's own page) on top.
export function franceMap(rows, indicator, regionNames, { only = null, current = null } = {}) {
  const bounds = breaks([...rows.values()].map((r) => r.value), indicator.format);
  const palette = PALETTES[indicator.palette];
  const colour = (v) => {
    if (v == null || !Number.isFinite(v)) return NO_DATA;
    const i = bounds.findIndex((b) => v <= b);
    return palette[(i < 0 ? bounds.length - 1 : i) + (palette.length - bounds.length)];
  };
  const label = (code, fallback) => {
    const r = rows.get(code);
    const name = r?.name || fallback;
    const region = regionNames.get(r?.region);
    return `${name}${region ? ` (${region})` : ''} : ${r && r.value != null ? indicator.format(r.value) : 'pas de donnée'}`;
  };

  const info = h('p', { className: 'map-info' }, 'Survolez ou parcourez au clavier un département pour lire sa valeur ; cliquez pour ouvrir sa page.');
  const highlight = s('use', { className: 'hl' }); // the focused or hovered department, drawn on top
  const show = (id, text) => {
    highlight.setAttribute('href', `#${id}`);
    info.textContent = text;
  };

  const shown = only ? departments.filter((d) => only.has(d.code)) : departments;
  const depLinks = shown.map((d) => {
    const text = label(d.code, d.name);
    const id = `dep-${d.code}`;
    return s('a', { href: `/t/DEPARTMENT/${d.code}`, 'aria-label': text, dataset: { code: d.code },
      onfocus: () => show(id, text), onmouseenter: () => show(id, text) },
    s('path', { id, d: d.d, fill: colour(rows.get(d.code)?.value) }, s('title', {}, text)));
  });

  const tiles = only ? [] : OVERSEAS.filter((c) => rows.has(c)).map((code, i) => {
    const text = label(code, code);
    const id = `dep-${code}`;
    const y = 430 + i * 30;
    return s('a', { href: `/t/DEPARTMENT/${code}`, 'aria-label': text, dataset: { code },
      onfocus: () => show(id, text), onmouseenter: () => show(id, text) },
    s('rect', { id, x: 6, y, width: 22, height: 22, fill: colour(rows.get(code).value) }, s('title', {}, text)),
    s('text', { x: 33, y: y + 15, className: 'tile-label' }, rows.get(code).name));
  });

  const outlines = only ? regions.filter((r) => shown.some((d) => d.region === r.code)) : regions;
  const mine = current && shown.find((d) => d.code === current);
  const svg = s('svg', { viewBox: only ? frame(shown) : viewBox, className: `map${only ? ' map-region' : ''}`, role: 'group',
    'aria-label': `Carte des départements : ${indicator.label}` },
  s('g', { className: 'departments' }, depLinks),
  s('g', { className: 'regions', 'aria-hidden': 'true' }, outlines.map((r) => s('path', { d: r.d }))),
  only ? null : s('g', { className: 'overseas' }, s('text', { x: 6, y: 420, className: 'tile-title' }, 'Outre-mer'), tiles),
  mine ? s('path', { className: 'current', d: mine.d, 'aria-hidden': 'true' }) : null,
  highlight);

  const legend = h('ul', { className: 'legend', 'aria-label': 'Légende' },
    bounds.map((b, i) => h('li', {},
      swatch(palette[i + (palette.length - bounds.length)]),
      i === 0 ? `jusqu’à ${indicator.format(b)}` : `de ${indicator.format(bounds[i - 1])} à ${indicator.format(b)}`)),
    h('li', {}, swatch(NO_DATA), 'pas de donnée'));

  return h('figure', { className: 'map-figure' }, svg,
    h('figcaption', {}, h('strong', {}, indicator.label), legend, info));
}

// frame returns the viewBox around some departments, with a margin. The derived paths use
// only relative moves ("m" then implicit relative line-tos, "z"), as derive.mjs checks.
function frame(deps) {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const d of deps) {
    const t = d.d.trim().split(/[\s,]+/);
    let x = 0, y = 0, sx = 0, sy = 0;
    const see = () => { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); };
    for (let i = 0; i < t.length;) {
      if (t[i] === 'm') { x = sx + Number(t[i + 1]); y = sy + Number(t[i + 2]); sx = x; sy = y; i += 3; see(); }
      else if (t[i] === 'z') { x = sx; y = sy; i++; }
      else { x += Number(t[i]); y += Number(t[i + 1]); i += 2; see(); }
    }
  }
  const m = Math.max(x1 - x0, y1 - y0) * 0.03;
  const r = (v) => Math.round(v * 10) / 10;
  return `${r(x0 - m)} ${r(y0 - m)} ${r(x1 - x0 + 2 * m)} ${r(y1 - y0 + 2 * m)}`;
}

const swatch = (fill) => s('svg', { className: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true' },
  s('rect', { width: 10, height: 10, fill }));
