// The choropleth of the departments: metropolitan departments from the derived map asset,
// outlined by region, and the five overseas departments as tiles. Each department is a
// link to its page, so the map works from the keyboard; the legend gives the classes in
// words and figures, so colour is never the only cue.

import { h, s } from './dom.js';
import { viewBox, departments, regions } from '../map/departements.js';

const NO_DATA = '#d4d4d4';
export const PALETTES = {
  blue: ['#eff3ff', '#bdd7e7', '#6baed6', '#3182bd', '#08519c'],
  green: ['#edf8e9', '#bae4b3', '#74c476', '#31a354', '#006d2c'],
  orange: ['#feedde', '#fdbe85', '#fd8d3c', '#e6550d', '#a63603'],
};
const OVERSEAS = ['971', '972', '973', '974', '976'];

// breaks returns the upper bounds of up to 5 classes of equal counts (quantiles).
function breaks(values) {
  const v = values.filter((x) => x != null && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return [];
  const out = [];
  for (let i = 1; i <= 5; i++) out.push(v[Math.min(v.length - 1, Math.ceil((i * v.length) / 5) - 1)]);
  return [...new Set(out)];
}

// franceMap draws the map. rows: by department code {name, region, value}; indicator:
// {label, palette, format(value)}; regionNames: by region code.
export function franceMap(rows, indicator, regionNames) {
  const bounds = breaks([...rows.values()].map((r) => r.value));
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

  const depLinks = departments.map((d) => {
    const text = label(d.code, d.name);
    const id = `dep-${d.code}`;
    return s('a', { href: `/t/DEPARTMENT/${d.code}`, 'aria-label': text, dataset: { code: d.code },
      onfocus: () => show(id, text), onmouseenter: () => show(id, text) },
    s('path', { id, d: d.d, fill: colour(rows.get(d.code)?.value) }, s('title', {}, text)));
  });

  const tiles = OVERSEAS.filter((c) => rows.has(c)).map((code, i) => {
    const text = label(code, code);
    const id = `dep-${code}`;
    const y = 430 + i * 30;
    return s('a', { href: `/t/DEPARTMENT/${code}`, 'aria-label': text, dataset: { code },
      onfocus: () => show(id, text), onmouseenter: () => show(id, text) },
    s('rect', { id, x: 6, y, width: 22, height: 22, fill: colour(rows.get(code).value) }, s('title', {}, text)),
    s('text', { x: 33, y: y + 15, className: 'tile-label' }, rows.get(code).name));
  });

  const svg = s('svg', { viewBox, className: 'map', role: 'group', 'aria-label': `Carte des départements : ${indicator.label}` },
    s('g', { className: 'departments' }, depLinks),
    s('g', { className: 'regions', 'aria-hidden': 'true' }, regions.map((r) => s('path', { d: r.d }))),
    s('g', { className: 'overseas' }, s('text', { x: 6, y: 420, className: 'tile-title' }, 'Outre-mer'), tiles),
    highlight);

  const legend = h('ul', { className: 'legend', 'aria-label': 'Légende' },
    bounds.map((b, i) => h('li', {},
      swatch(palette[i + (palette.length - bounds.length)]),
      i === 0 ? `jusqu’à ${indicator.format(b)}` : `de ${indicator.format(bounds[i - 1])} à ${indicator.format(b)}`)),
    h('li', {}, swatch(NO_DATA), 'pas de donnée'));

  return h('figure', { className: 'map-figure' }, svg,
    h('figcaption', {}, h('strong', {}, indicator.label), legend, info));
}

const swatch = (fill) => s('svg', { className: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true' },
  s('rect', { width: 10, height: 10, fill }));
