// The search box of the header: searchTerritories as the reader types (after a pause),
// results as plain links, announced politely to screen readers.

import { query } from './api.js';
import { SEARCH } from './queries.js';
import { h, LEVELS, territoryPath } from './dom.js';

export function initSearch(form) {
  const input = form.querySelector('input');
  const out = form.querySelector('#search-results');
  let timer = 0;
  let pending = null;

  const run = async (text) => {
    pending?.abort();
    if (text.trim().length < 2) {
      out.replaceChildren();
      return;
    }
    const ctl = (pending = new AbortController());
    out.replaceChildren(h('p', { className: 'loading' }, 'Recherche…'));
    try {
      const data = await query(SEARCH, { text }, { signal: ctl.signal });
      const found = data.searchTerritories;
      out.replaceChildren(
        h('p', { className: 'hint' }, found.length ? `${found.length} résultat${found.length > 1 ? 's' : ''}` : 'Aucun territoire ne correspond.'),
        found.length ? h('ul', {}, found.map((t) => h('li', {},
          h('a', { href: territoryPath(t) }, t.name),
          h('span', { className: 'meta' }, ` — ${LEVELS[t.level].label}${where(t)}`)))) : null,
      );
    } catch (err) {
      if (err.name !== 'AbortError') out.replaceChildren(h('p', { className: 'error', role: 'alert' }, err.message));
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), 250);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    run(input.value).then(() => out.querySelector('a')?.focus());
  });
  // Following a result closes the list.
  out.addEventListener('click', (e) => {
    if (e.target.closest('a')) setTimeout(() => { out.replaceChildren(); input.value = ''; });
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') { out.replaceChildren(); input.value = ''; }
  });
}

// where names the department (or region) a result lies in, to tell namesakes apart.
function where(t) {
  const dep = t.ancestors.filter((a) => a.level === 'DEPARTMENT').map((a) => a.name);
  if (dep.length) return ` · ${dep.join(', ')}`;
  const reg = t.ancestors.find((a) => a.level === 'REGION');
  return reg ? ` · ${reg.name}` : '';
}
