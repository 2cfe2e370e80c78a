// Derives the compact territorial hierarchy that the server embeds (data/hierarchy.tsv.gz)
// from the npm package @etalab/decoupage-administratif (2026 COG; Licence Ouverte; credit
// Etalab, INSEE, DGCL).
//
//   cd data/derive && npm ci && npm run derive
//
// Output: gzip of tab-separated lines, one record per line, first field the record kind:
//   #      comment lines (source and licence)
//   R      region code, name
//   D      department code, region code, name
//   E      EPCI SIREN, nature (CC, CA, CU, METRO, MET69), name
//   C      commune INSEE code, SIREN, department code, EPCI SIREN (empty if none),
//          population, postal codes (comma-separated), name
// Only the 18 regions (13 metropolitan, 5 overseas) are kept: overseas collectivities
// (COM) are out. Only current communes ("commune-actuelle") are kept.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const pkg = '@etalab/decoupage-administratif';
const version = require(`${pkg}/package.json`).version;
const regions = require(`${pkg}/data/regions.json`);
const departements = require(`${pkg}/data/departements.json`);
const communes = require(`${pkg}/data/communes.json`);
const epcis = require(`${pkg}/data/epci.json`);

const out = process.argv[2] || '../hierarchy.tsv.gz';
const clean = (s) => String(s).replace(/[\t\r\n]+/g, ' ');
const keptRegions = regions.filter((r) => /^\d\d$/.test(r.code));
const regionCodes = new Set(keptRegions.map((r) => r.code));
const keptDeps = departements.filter((d) => regionCodes.has(d.region));
const keptCommunes = communes.filter((c) => c.type === 'commune-actuelle' && regionCodes.has(c.region));

const epciOf = new Map();
for (const e of epcis) {
  for (const m of e.membres) {
    if (epciOf.has(m.code)) throw new Error(`commune ${m.code} in two EPCI`);
    epciOf.set(m.code, e.code);
  }
}

const lines = [
  `# source\t${pkg} ${version}\tLicence Ouverte\tEtalab, INSEE, DGCL`,
  ...keptRegions.map((r) => ['R', r.code, clean(r.nom)].join('\t')),
  ...keptDeps.map((d) => ['D', d.code, d.region, clean(d.nom)].join('\t')),
  ...epcis.map((e) => ['E', e.code, e.type, clean(e.nom)].join('\t')),
  ...keptCommunes.map((c) => [
    'C', c.code, c.siren, c.departement, epciOf.get(c.code) || '', c.population ?? 0,
    (c.codesPostaux || []).join(','), clean(c.nom),
  ].join('\t')),
];
writeFileSync(out, gzipSync(lines.join('\n') + '\n', { level: 9 }));
console.log(`${out}: ${keptRegions.length} regions, ${keptDeps.length} departments, ` +
  `${epcis.length} EPCI, ${keptCommunes.length} communes`);
