// The dashboard's entry point: a small router over the History API. The server answers
// every deep link (/, /t/{LEVEL}/{code}) with the same shell; this module draws the page
// for the current path, and turns clicks on internal links into in-page navigation.

import { h, LEVELS } from './dom.js';
import { initSearch } from './search.js';
import { francePage } from './france.js';
import { territoryPage } from './territory.js';

const main = document.getElementById('main');
let current = null; // AbortController of the page on screen

const routes = [
  { re: /^\/$/, page: (ctx) => francePage(ctx) },
  {
    re: /^\/t\/([A-Z]+)\/([^/]+)$/,
    page: (ctx, [level, code]) => (LEVELS[level] ? territoryPage(ctx, level, decodeURIComponent(code)) : notFound(ctx)),
  },
];

function notFound({ main }) {
  document.title = 'Page introuvable — COP territoriales';
  main.replaceChildren(
    h('h1', { tabindex: '-1' }, 'Page introuvable'),
    h('p', {}, 'Cette adresse ne correspond à aucune page du tableau de bord. ', h('a', { href: '/' }, 'Retour à la carte de France'), '.'),
  );
}

function render({ focus }) {
  current?.abort();
  current = new AbortController();
  const url = new URL(location.href);
  const ctx = { main, signal: current.signal, params: url.searchParams, navigate };
  main.replaceChildren();
  const route = routes.find((r) => r.re.test(url.pathname));
  const match = route ? url.pathname.match(route.re).slice(1) : [];
  (route ? route.page : notFound)(ctx, match);
  // After a navigation, move the focus to the page's title, so that keyboard and screen
  // reader users start at the new content (on first load the browser's default applies).
  if (focus) (main.querySelector('h1') || main).focus({ preventScroll: false });
  if (!location.hash) window.scrollTo(0, 0);
}

// navigate shows another page of the dashboard without reloading the document.
function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  render({ focus: !replace });
}

const internal = (url) =>
  url.origin === location.origin && (url.pathname === '/' || url.pathname.startsWith('/t/'));

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  // getAttribute, not a.href / a.target: the map's links are SVG elements, whose
  // properties are SVGAnimatedString objects.
  if (!a || a.getAttribute('target') || a.hasAttribute('download')) return;
  const url = new URL(a.getAttribute('href'), location.href);
  if (!internal(url)) return; // /graphiql, /export/... are real page loads
  if (url.pathname === location.pathname && url.search === location.search && url.hash) return; // in-page anchor
  e.preventDefault();
  navigate(url.pathname + url.search + url.hash);
});

window.addEventListener('popstate', () => render({ focus: true }));

initSearch(document.getElementById('search'));
render({ focus: false });
