// The France page: the map of the departments coloured by a chosen indicator, and the
// regions' figures as a table (the same data, readable without the map).

import { query } from './api.js';
import { FRANCE } from './queries.js';
import { h, fmt, bar, table, section, loadInto, territoryLink } from './dom.js';
import { franceMap } from './map.js';
import { departments } from '../map/departements.js';

// The indicators a reader can colour the map by. Values are computed from the roll-up of
// each department: its objective (derived from its region's), the adopted commitments of
// the territories inside it, coverage and gap.
const INDICATORS = [
  {
    id: 'objectif',
    label: 'Objectif 2030 par habitant (tCO₂e évitées par habitant)',
    palette: 'blue',
    value: (t, r) => (r.objectiveKtco2e == null || !t.population ? null : (r.objectiveKtco2e * 1000) / t.population),
    format: (v) => `${fmt.num(v)} t/hab.`,
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
    format: (v) => `${fmt.num(v)} t/hab.`,
  },
];

export function francePage({ main, signal, params }) {
  document.title = 'France — COP territoriales';
  const body = h('div');
  main.append(
    h('h1', { tabindex: '-1' }, 'La planification écologique dans les territoires'),
    h('p', { className: 'lead' },
      'Chaque région tient sa COP en quatre étapes : un diagnostic partagé, un débat sur les actions à mener, ',
      'une déclinaison indicative des objectifs aux départements, CRTE et EPCI, puis une feuille de route 2030 ',
      'faite des engagements des territoires. Choisissez un indicateur, ou ouvrez la page d’un territoire depuis la carte ou la recherche.'),
    body,
  );
  loadInto(body, 'de la carte', () => query(FRANCE, {}, { signal }), (data) => {
    const fr = data.territory;
    const regionNames = new Map(fr.regions.filter((r) => !r.unallocated).map((r) => [r.territory.code, r.territory.name]));
    let indicator = INDICATORS.find((i) => i.id === params.get('indicateur')) || INDICATORS[0];
    const mapBox = h('div', { className: 'map-box' });
    const draw = () => {
      const rows = new Map(fr.departments.filter((d) => !d.unallocated).map((d) => [d.territory.code, {
        name: d.territory.name,
        region: regionFor(d.territory.code),
        value: indicator.value(d.territory, d.rollup),
      }]));
      mapBox.replaceChildren(franceMap(rows, indicator, regionNames));
    };
    draw();

    const chooser = h('fieldset', { className: 'chooser' },
      h('legend', {}, 'Colorer les départements selon'),
      INDICATORS.map((ind) => h('label', {},
        h('input', { type: 'radio', name: 'indicateur', value: ind.id, checked: ind === indicator,
          onchange: () => {
            indicator = ind;
            history.replaceState(null, '', ind === INDICATORS[0] ? '/' : `/?indicateur=${ind.id}`);
            draw();
          } }),
        ' ', ind.label)));

    // The country's own roll-up: its objective is the sum of its regions'.
    return h('div', {},
      h('dl', { className: 'figures' },
        figure('Population', fmt.int(fr.population)),
        figure('Objectifs 2030 des régions', fmt.kt(fr.rollup.objectiveKtco2e)),
        figure('Engagements adoptés', fmt.kt(fr.rollup.adoptedKtco2e)),
        figure('Couverture', bar(fr.rollup.coverage, 'Couverture nationale')),
        figure('Actions recensées', fmt.int(fr.rollup.actionCount)),
        figure('Budget des actions', fmt.eur(fr.rollup.budget))),
      h('div', { className: 'map-layout' }, chooser, mapBox),
      section('regions', 'Les régions',
        table(null, [
          { label: 'Région', value: (r) => (r.territory ? territoryLink(r.territory) : 'Non réparti (porté au niveau national)') },
          { label: 'Population', num: true, value: (r) => (r.territory ? fmt.int(r.territory.population) : '—') },
          { label: 'Objectif 2030', num: true, value: (r) => fmt.kt(r.rollup.objectiveKtco2e) },
          { label: 'Engagements adoptés', num: true, value: (r) => fmt.kt(r.rollup.adoptedKtco2e) },
          { label: 'Couverture', value: (r) => bar(r.rollup.coverage, `Couverture ${r.territory?.name || 'non répartie'}`) },
          { label: 'Écart', num: true, value: (r) => fmt.kt(r.rollup.gap) },
          { label: 'Actions', num: true, value: (r) => fmt.int(r.rollup.actionCount) },
        ], fr.regions)));
  });
}

const figure = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));

// A department's region: from the map asset (derived from the hierarchy) for metropolitan
// departments; each overseas department is a region of its own (971 Guadeloupe is 01...).
const depRegion = new Map(departments.map((d) => [d.code, d.region]));
const OVERSEAS_REGION = { 971: '01', 972: '02', 973: '03', 974: '04', 976: '06' };
function regionFor(code) {
  return depRegion.get(code) || OVERSEAS_REGION[code];
}
