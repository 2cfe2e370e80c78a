// The dashboard's charts, drawn as SVG with d3 (vendored by web/derive; its UMD bundle,
// run as a module, sets globalThis.d3). Each chart is a <figure> whose caption names it and
// sums it up in words, whose marks are reachable from the keyboard with a label each, and
// whose data is a table one click away ("Voir le tableau"): sight and a pointer are never
// needed. Nothing is styled inline (the Content-Security-Policy allows no inline style):
// colours are SVG presentation attributes, the rest CSS classes of app.css.

import '../vendor/d3-7.9.2/d3.min.js';
import { h, s, fmt, table } from './dom.js';

const d3 = globalThis.d3;

let serial = 0;

// chartFigure wraps a drawing: draw(width) returns the SVG for the width the figure has,
// and runs again when that width changes (a narrower window, 200 % zoom), so that text in
// the chart keeps its size instead of shrinking with a scaled viewBox.
export function chartFigure({ kind, title, summary, draw, data, legend }) {
  const id = `chart-${++serial}`;
  const area = h('div', { className: 'chart-area' });
  const tableBox = h('div', { id: `${id}-table`, className: 'chart-table', hidden: true }, data);
  const toggle = h('button', { type: 'button', className: 'chart-toggle', 'aria-expanded': 'false', 'aria-controls': `${id}-table` },
    'Voir le tableau');
  toggle.addEventListener('click', () => {
    const open = tableBox.hidden;
    tableBox.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? 'Masquer le tableau' : 'Voir le tableau';
  });
  const figure = h('figure', { className: 'chart', dataset: { chart: kind }, 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-summary` },
    h('figcaption', {}, h('strong', { id: `${id}-title`, className: 'chart-title' }, title),
      h('span', { id: `${id}-summary`, className: 'chart-summary' }, summary)),
    legend || null,
    area,
    h('p', { className: 'chart-actions' }, toggle),
    tableBox);
  let width = 0;
  const observer = new ResizeObserver(([entry]) => {
    const w = Math.floor(entry.contentRect.width);
    if (!w) {
      if (!area.isConnected) observer.disconnect();
      return;
    }
    if (Math.abs(w - width) < 4) return;
    width = w;
    const hadFocus = area.contains(document.activeElement) ? document.activeElement.dataset.key : null;
    area.replaceChildren(draw(w));
    if (hadFocus) area.querySelector(`[data-key="${CSS.escape(hadFocus)}"]`)?.focus();
  });
  observer.observe(area);
  return figure;
}

// svgRoot is a chart's <svg>: a group of focusable marks, named after its figure.
// xGrid is the vertical grid of a horizontal bar chart, from top to bottom, with its
// ticks' labels at labelY: decorative, the figure's table carries the values.
const xGrid = (x, ticks, top, bottom, labelY) =>
  s('g', { className: 'axis', 'aria-hidden': 'true' }, x.ticks(ticks).map((v) => s('g', {},
    s('line', { x1: x(v), x2: x(v), y1: top, y2: bottom, className: 'grid' }),
    s('text', { x: x(v), y: labelY, className: 'tick middle' }, fmt.num(v)))));

const svgRoot = (width, height, label, ...children) =>
  s('svg', { width, height, viewBox: `0 0 ${width} ${height}`, className: 'chart-svg', role: 'group', 'aria-label': label }, ...children);

// A mark reachable by Tab, read as an image with its own label.
const focusable = (label, key) => ({ tabindex: '0', role: 'img', 'aria-label': label, dataset: { key } });

// fit cuts a label to the characters a width holds (bold text: about 0.63 em each).
function fit(text, width, px = 12) {
  const n = Math.floor(width / (px * 0.63));
  if (n < 3) return '';
  return text.length <= n ? text : `${text.slice(0, n - 1)}…`;
}

// pretty writes the API's units as people read them (ktCO2e: ktCO₂e).
const pretty = (unit) => unit.replace(/CO2/g, 'CO₂');

const swatch = (className, fill) => s('svg', { className: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true' },
  s('rect', { width: 10, height: 10, fill, className }));

// ---- the objectives as a treemap ------------------------------------------------------

// Coverage by adopted commitments in fixed classes, so that a colour means the same on
// every page; grey when the lever has no objective in ktCO2e to cover.
const COVERAGE = [
  { max: 0.2, fill: '#edf8e9', label: 'moins de 20 %' },
  { max: 0.4, fill: '#bae4b3', label: 'de 20 à 40 %' },
  { max: 0.6, fill: '#74c476', label: 'de 40 à 60 %' },
  { max: 0.8, fill: '#31a354', label: 'de 60 à 80 %', dark: true },
  { max: Infinity, fill: '#006d2c', label: '80 % et plus', dark: true },
];
const NO_COVERAGE = { fill: '#d4d4d4', label: 'sans engagement mesurable' };
const coverageClass = (c) => (c == null || !Number.isFinite(c) ? NO_COVERAGE : COVERAGE.find((k) => c < k.max));

// objectivesTreemap draws the 2030 objectives by sector and lever, each lever's area
// proportional to its ktCO2e avoided (no padding, which would bend the proportions),
// coloured by the share its adopted commitments cover. sectors: the dashboard's rows;
// coverage: lever code -> share; open(code): opens the lever's row in the tables below.
export function objectivesTreemap(sectors, coverage, open) {
  const levers = sectors.flatMap((sec) => sec.levers.filter((l) => l.ghgAvoided > 0).map((l) => ({
    sector: sec.sector, lever: l.lever, value: l.ghgAvoided, coverage: coverage.get(l.lever.code) ?? null,
  })));
  if (!levers.length) return null;
  const total = d3.sum(levers, (l) => l.value);
  const bySector = d3.groups(levers, (l) => l.sector.code).map(([code, ls]) => ({ sector: ls[0].sector, children: ls }));
  const sectorName = (sec) => sec.name;
  const label = (l) => `${sectorName(l.sector)} — ${l.lever.name} : ${fmt.kt(l.value)} évitées en 2030 (${fmt.pct(l.value / total)} du total), `
    + `couvertes à ${l.coverage == null ? '—' : fmt.pct(l.coverage)} par les engagements adoptés`;
  const sorted = [...levers].sort((a, b) => b.value - a.value);
  const top = sorted.slice(0, 3).map((l) => `${l.lever.name} (${fmt.pct(l.value / total)})`).join(', ');

  const draw = (width) => {
    const height = Math.round(Math.max(280, Math.min(520, width * 0.55)));
    const root = d3.hierarchy({ children: bySector }).sum((d) => d.value || 0).sort((a, b) => b.value - a.value);
    d3.treemap().size([width, height]).tile(d3.treemapSquarify)(root);
    const cells = root.leaves().map((n) => {
      const l = n.data;
      const k = coverageClass(l.coverage);
      const w = n.x1 - n.x0, ht = n.y1 - n.y0;
      const lines = [];
      if (ht >= 18) lines.push(fit(l.lever.name, w - 8));
      if (ht >= 34) lines.push(fit(fmt.kt(l.value), w - 8));
      return s('a', { href: `#levier-${l.lever.code}`, className: `cell${k.dark ? ' on-dark' : ''}`, 'aria-label': label(l), dataset: { key: l.lever.code, lever: l.lever.code, sector: l.sector.code, ktco2e: l.value },
        onclick: (e) => { e.preventDefault(); open(l.lever.code); } },
      s('rect', { x: n.x0, y: n.y0, width: w, height: ht, fill: k.fill }),
      lines.filter(Boolean).map((t, i) => s('text', { x: n.x0 + 4, y: n.y0 + 14 + i * 15, className: i ? 'cell-value' : 'cell-name' }, t)),
      s('title', {}, label(l)));
    });
    // Sector outlines and names, drawn over the cells and ignored by pointers.
    const outlines = root.children.map((n) => s('g', { className: 'sector-outline', 'aria-hidden': 'true' },
      s('rect', { x: n.x0, y: n.y0, width: n.x1 - n.x0, height: n.y1 - n.y0 }),
      n.x1 - n.x0 > 60 && n.y1 - n.y0 > 60
        ? s('text', { x: n.x1 - 4, y: n.y1 - 5, className: 'sector-name' }, fit(sectorName(n.data.sector).toUpperCase(), n.x1 - n.x0 - 8, 11))
        : null));
    return svgRoot(width, height, 'Objectifs 2030 par levier ; Entrée ouvre la ligne du levier',
      s('g', { className: 'cells' }, cells), s('g', {}, outlines));
  };

  return chartFigure({
    kind: 'treemap',
    title: 'Objectifs 2030 par secteur et levier',
    summary: `${levers.length} leviers, ${fmt.kt(total)} évitées en 2030 ; la surface de chaque levier est proportionnelle à ses émissions évitées, `
      + `sa couleur dit la part couverte par les engagements adoptés. Les plus lourds : ${top}. Ouvrir un levier affiche sa trajectoire.`,
    legend: h('ul', { className: 'legend', 'aria-label': 'Couverture par les engagements adoptés' },
      [...COVERAGE, NO_COVERAGE].map((k) => h('li', {}, swatch('', k.fill), k.label))),
    draw,
    data: table('Objectifs 2030 par levier, du plus lourd au plus léger', [
      { label: 'Levier', value: (l) => l.lever.name },
      { label: 'Secteur', value: (l) => sectorName(l.sector) },
      { label: 'Objectif 2030 (ktCO₂e évitées)', num: true, value: (l) => fmt.num(l.value) },
      { label: 'Part du total', num: true, value: (l) => fmt.pct(l.value / total) },
      { label: 'Couverture par les engagements adoptés', num: true, value: (l) => (l.coverage == null ? '—' : fmt.pct(l.coverage)) },
    ], sorted),
  });
}

// ---- a lever's trajectory -------------------------------------------------------------

// leverTrajectory draws one point per year of the API's trajectory: the straight line from
// baseline to target, the observations, and the adopted commitments cumulated year by
// year, drawn from the baseline towards the target (a commitment moves the territory
// along its path).
export function leverTrajectory(name, tr) {
  const unit = pretty(tr.unit || '');
  const dir = tr.targetValue != null && tr.baselineValue != null && tr.targetValue < tr.baselineValue ? -1 : 1;
  let sum = 0;
  const points = tr.points.map((p) => {
    sum += p.adopted || 0;
    const hasAdopted = tr.points.some((q) => q.adopted != null);
    return { ...p, cumulated: hasAdopted ? sum : null, reached: hasAdopted && tr.baselineValue != null ? tr.baselineValue + dir * sum : null };
  });
  const years = points.map((p) => p.year);
  const values = points.flatMap((p) => [p.expected, p.observed, p.reached]).filter((v) => v != null);
  const num = (v) => (v == null ? '—' : `${fmt.num(v)} ${unit}`.trim());
  const pointLabel = (p) => [`${p.year}`, p.expected != null ? `trajectoire ${num(p.expected)}` : null,
    p.observed != null ? `mesure ${num(p.observed)}` : null,
    p.cumulated ? `engagements adoptés cumulés ${num(p.cumulated)}` : null].filter(Boolean).join(', ');
  const observed = points.filter((p) => p.observed != null);
  const last = observed.at(-1);

  const draw = (width) => {
    const height = 240;
    const m = { top: 12, right: 16, bottom: 28, left: 64 };
    const x = d3.scalePoint(years, [m.left, width - m.right]).padding(0.3);
    const lo = Math.min(0, d3.min(values) ?? 0), hi = d3.max(values) ?? 1;
    const y = d3.scaleLinear([lo, hi || 1], [height - m.bottom, m.top]).nice();
    const line = d3.line().defined((p) => p.expected != null).x((p) => x(p.year)).y((p) => y(p.expected));
    const every = Math.ceil(years.length / Math.max(2, Math.floor((width - m.left) / 44)));
    const step = x.step();
    return svgRoot(width, height, `Trajectoire : ${name}`,
      s('g', { className: 'axis', 'aria-hidden': 'true' },
        y.ticks(5).map((v) => s('g', {}, s('line', { x1: m.left, x2: width - m.right, y1: y(v), y2: y(v), className: 'grid' }),
          s('text', { x: m.left - 6, y: y(v) + 4, className: 'tick end' }, fmt.num(v)))),
        years.map((yr, i) => (i % every ? null : s('text', { x: x(yr), y: height - 8, className: 'tick middle' }, yr)))),
      s('g', { className: 'adopted', 'aria-hidden': 'true' }, points.filter((p) => p.reached != null && p.cumulated > 0).map((p) =>
        s('rect', { x: x(p.year) - step * 0.3, width: step * 0.6, y: Math.min(y(p.reached), y(tr.baselineValue)),
          height: Math.abs(y(p.reached) - y(tr.baselineValue)), dataset: { year: p.year } }))),
      s('path', { className: 'expected-line', d: line(points) || '' }),
      s('g', { className: 'points' }, points.map((p) => s('g', { className: 'point', ...focusable(pointLabel(p), String(p.year)), dataset: { key: String(p.year), year: p.year } },
        s('rect', { x: x(p.year) - step / 2, y: m.top, width: step, height: height - m.top - m.bottom, className: 'hit' }),
        p.expected != null ? s('circle', { cx: x(p.year), cy: y(p.expected), r: 3, className: 'expected' }) : null,
        p.observed != null ? s('circle', { cx: x(p.year), cy: y(p.observed), r: 5, className: 'observed' }) : null,
        s('title', {}, pointLabel(p))))));
  };

  return chartFigure({
    kind: 'trajectory',
    title: `Trajectoire : ${name}`,
    summary: `De ${num(tr.baselineValue)} en ${tr.baselineYear ?? '—'} à ${num(tr.targetValue)} en ${tr.targetYear ?? '—'}`
      + (last ? ` ; dernière mesure ${num(last.observed)} en ${last.year}` : ' ; aucune mesure')
      + (sum ? ` ; engagements adoptés cumulés : ${num(sum)}.` : ' ; aucun engagement adopté compté dans cette grandeur.'),
    legend: h('ul', { className: 'legend' },
      h('li', {}, swatch('', '#1d4f91'), 'trajectoire attendue'),
      h('li', {}, swatch('', '#a63603'), 'mesure'),
      h('li', {}, swatch('', '#74c476'), 'engagements adoptés cumulés, depuis la référence')),
    draw,
    data: table(null, [
      { label: 'Année', value: (p) => String(p.year) },
      { label: `Trajectoire (${unit})`, num: true, value: (p) => fmt.num(p.expected) },
      { label: `Mesure (${unit})`, num: true, value: (p) => fmt.num(p.observed) },
      { label: `Engagements adoptés de l’année (${unit})`, num: true, value: (p) => fmt.num(p.adopted) },
      { label: `Engagements adoptés cumulés (${unit})`, num: true, value: (p) => fmt.num(p.cumulated) },
    ], points),
  });
}

// ---- commitments by status against each sector's objective ----------------------------

const STATUSES = [
  { status: 'ADOPTED', label: 'adoptés', fill: '#006d2c' },
  { status: 'SUBMITTED', label: 'soumis', fill: '#74c476' },
  { status: 'DRAFT', label: 'brouillons', fill: '#c7e9c0' },
];

// sectorBars draws, per sector, the commitments adopted, submitted and in draft stacked in
// that order, against a mark at the sector's objective. rows: rollupBy(groupBy: SECTOR)
// without its unallocated row.
export function sectorBars(rows) {
  const data = rows.filter((r) => r.sector).map((r) => {
    const by = new Map((r.rollup.committed || []).map((c) => [c.status, c.ktco2e]));
    return { sector: r.sector, objective: r.rollup.objectiveKtco2e, parts: STATUSES.map((st) => ({ ...st, value: by.get(st.status) || 0 })) };
  });
  if (!data.length) return null;
  const rowLabel = (d) => `${d.sector.name} : objectif ${fmt.kt(d.objective)}, `
    + d.parts.map((p) => `${p.label} ${fmt.kt(p.value)}`).join(', ');
  const adopted = d3.sum(data, (d) => d.parts[0].value), objective = d3.sum(data, (d) => d.objective || 0);

  const draw = (width) => {
    const rowH = 46, m = { top: 4, right: 16, bottom: 26, left: 8 };
    const height = m.top + data.length * rowH + m.bottom;
    const max = d3.max(data, (d) => Math.max(d.objective || 0, d3.sum(d.parts, (p) => p.value))) || 1;
    const x = d3.scaleLinear([0, max], [m.left, width - m.right]).nice();
    return svgRoot(width, height, 'Engagements par statut et objectif, par secteur',
      xGrid(x, width < 500 ? 3 : 6, m.top, height - m.bottom, height - 8),
      data.map((d, i) => {
        const y0 = m.top + i * rowH;
        let acc = 0;
        return s('g', { className: 'sector-row', ...focusable(rowLabel(d), d.sector.code), dataset: { key: d.sector.code, sector: d.sector.code, objective: d.objective ?? '' } },
          s('text', { x: m.left, y: y0 + 14, className: 'row-label' }, d.sector.name),
          d.objective > 0 ? s('rect', { x: x(0), y: y0 + 20, width: x(d.objective) - x(0), height: 16, className: 'track' }) : null,
          d.parts.map((p) => {
            const seg = s('rect', { x: x(acc), y: y0 + 20, width: Math.max(0, x(acc + p.value) - x(acc)), height: 16, fill: p.fill,
              className: 'segment', dataset: { status: p.status, ktco2e: p.value } });
            acc += p.value;
            return seg;
          }),
          d.objective != null ? s('line', { x1: x(d.objective), x2: x(d.objective), y1: y0 + 16, y2: y0 + 40, className: 'objective-mark' }) : null,
          s('title', {}, rowLabel(d)));
      }));
  };

  return chartFigure({
    kind: 'sectors',
    title: 'Engagements par secteur, au regard de l’objectif',
    summary: `Pour chaque secteur, les engagements adoptés, soumis et en brouillon (ktCO₂e évitées en 2030), et le trait de l’objectif. `
      + `Adoptés : ${fmt.kt(adopted)} pour un objectif de ${fmt.kt(objective)}.`,
    legend: h('ul', { className: 'legend' },
      STATUSES.map((st) => h('li', {}, swatch('', st.fill), `engagements ${st.label}`)),
      h('li', {}, swatch('track', '#eef0f4'), 'objectif 2030, jusqu’au trait')),
    draw,
    data: table(null, [
      { label: 'Secteur', value: (d) => d.sector.name },
      { label: 'Objectif 2030 (ktCO₂e)', num: true, value: (d) => fmt.num(d.objective) },
      ...STATUSES.map((st, i) => ({ label: `Engagements ${st.label} (ktCO₂e)`, num: true, value: (d) => fmt.num(d.parts[i].value) })),
    ], data),
  });
}

// ---- France: the national inventory against the 2030 targets ---------------------------

// nationalEmissions draws, per sector of the national inventory, its emissions of each
// year observed (CITEPA) and its 2030 target (SNBC 3): a dot per year on one line, the
// target as a diamond, so that the distance left reads along the line.
export function nationalEmissions(sectors) {
  const data = sectors.filter((d) => d.years.length);
  if (!data.length) return null;
  const years = [...new Set(data.flatMap((d) => d.years.map((y) => y.year)))].sort();
  const unit = pretty(data[0].unit);
  const num = (v) => `${fmt.num(v)} ${unit}`;
  const rowLabel = (d) => `${d.name} : ${d.years.map((y) => `${y.year} ${num(y.value)}`).join(', ')}`
    + (d.target ? ` ; objectif ${d.target.year} ${num(d.target.value)}` : '');
  const first = years[0], lastYear = years.at(-1);
  const sumOf = (year) => d3.sum(data, (d) => d.years.find((y) => y.year === year)?.value || 0);
  const targetSum = d3.sum(data, (d) => d.target?.value || 0);
  const shade = d3.scaleLinear([0, Math.max(1, years.length - 1)], [0.35, 1]);

  const draw = (width) => {
    const rowH = 44, m = { top: 4, right: 20, bottom: 26, left: 8 };
    const height = m.top + data.length * rowH + m.bottom;
    const max = d3.max(data, (d) => d3.max([...d.years.map((y) => y.value), d.target?.value || 0]));
    const x = d3.scaleLinear([0, max], [m.left, width - m.right]).nice();
    return svgRoot(width, height, 'Émissions par secteur et objectifs 2030',
      xGrid(x, width < 500 ? 4 : 8, m.top, height - m.bottom, height - 8),
      data.map((d, i) => {
        const y = m.top + i * rowH + 30;
        const vs = d.years.map((p) => p.value);
        return s('g', { className: 'sector-row', ...focusable(rowLabel(d), d.code), dataset: { key: d.code, sector: d.code } },
          s('text', { x: m.left, y: y - 14, className: 'row-label' }, d.name),
          s('line', { x1: x(d3.min(vs)), x2: x(d3.max(vs)), y1: y, y2: y, className: 'span' }),
          d.target ? s('line', { x1: x(d.years.at(-1).value), x2: x(d.target.value), y1: y, y2: y, className: 'to-target' }) : null,
          d.years.map((p, j) => s('circle', { cx: x(p.value), cy: y, r: 5, className: 'year', 'fill-opacity': shade(j), dataset: { year: p.year, value: p.value } })),
          d.target ? s('path', { d: `M${x(d.target.value)},${y - 7}l7,7l-7,7l-7,-7z`, className: 'target', dataset: { year: d.target.year, value: d.target.value } }) : null,
          s('title', {}, rowLabel(d)));
      }));
  };

  return chartFigure({
    kind: 'national',
    title: `Émissions de la France par secteur, ${first}–${lastYear}, et objectifs 2030`,
    summary: `Inventaire national (CITEPA), en ${unit} ; les points vont du plus clair (${first}) au plus foncé (${lastYear}), le losange marque l’objectif 2030. `
      + `Ensemble de ces secteurs : ${num(sumOf(first))} en ${first}, ${num(sumOf(lastYear))} en ${lastYear}, objectif ${num(targetSum)}.`,
    legend: h('ul', { className: 'legend' },
      h('li', {}, s('svg', { className: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true' }, s('circle', { cx: 5, cy: 5, r: 4, className: 'year', 'fill-opacity': 0.35 })), `émissions ${first}`),
      h('li', {}, s('svg', { className: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true' }, s('circle', { cx: 5, cy: 5, r: 4, className: 'year' })), `émissions ${lastYear}`),
      h('li', {}, s('svg', { className: 'swatch', viewBox: '0 0 10 10', 'aria-hidden': 'true' }, s('path', { d: 'M5,0l5,5l-5,5l-5,-5z', className: 'target' })), 'objectif 2030')),
    draw,
    data: table(null, [
      { label: 'Secteur', value: (d) => d.name },
      ...years.map((yr) => ({ label: `${yr} (${unit})`, num: true, value: (d) => fmt.num(d.years.find((y) => y.year === yr)?.value) })),
      { label: `Objectif 2030 (${unit})`, num: true, value: (d) => fmt.num(d.target?.value) },
    ], data),
  });
}
