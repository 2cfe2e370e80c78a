// Reads every Parquet export of a running server with DuckDB, as a data team would, and
// compares it with the CSV export of the same data and with the GraphQL answer:
//   node check.mjs http://127.0.0.1:8080
// For each dataset: the column names (the CSV header's, in order) and their DuckDB types,
// the licence in the file's metadata, the number of rows and the sums of the numeric
// columns (Parquet against CSV, both read by DuckDB); then the country's roll-up in
// rollups.parquet, the count and budget of actions.parquet and the adopted ktCO2e of
// commitments.parquet against GraphQL's rollup of France. Exits 1 on any difference.
//
// The files are downloaded first and read from disk: DuckDB reads
// read_parquet('http://...') through its httpfs extension, which it downloads on first
// use, and CI reaches no host to download it from.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = process.argv[2];
if (!base) {
  console.error('usage: node check.mjs BASE_URL');
  process.exit(2);
}

// The datasets, with the DuckDB type of each column that is not VARCHAR.
const integer = 'INTEGER', bigint = 'BIGINT', double = 'DOUBLE', bool = 'BOOLEAN',
  time = 'TIMESTAMP WITH TIME ZONE', list = 'VARCHAR[]';
const datasets = [
  { name: 'objectives', query: '', types: { id: bigint, baseline_year: integer, baseline_value: double, target_year: integer,
    target_value: double, derived: bool, derived_from_id: bigint, updated_at: time } },
  { name: 'observations', query: '', types: { id: bigint, year: integer, value: double, updated_at: time } },
  { name: 'actions', query: '', types: { id: bigint, start_year: integer, end_year: integer, budget: double,
    funding_sources: list, effect_ktco2e: double, effect_physical: double, cop_edition: integer, links: list,
    synthetic: bool, version: integer, created_at: time, updated_at: time } },
  { name: 'commitments', query: '', types: { id: bigint, ktco2e: double, physical: double, target_year: integer,
    cop_edition: integer, synthetic: bool, version: integer, created_at: time, updated_at: time } },
  { name: 'rollups', query: '?level=DEPARTMENT', types: { population: bigint, action_count: bigint, action_share: double,
    budget: double, effect_ktco2e: double, draft_ktco2e: double, submitted_ktco2e: double, adopted_ktco2e: double,
    withdrawn_ktco2e: double, objective_ktco2e: double, coverage: double, gap: double } },
  { name: 'rollups', query: '?level=COUNTRY', country: true, types: {} },
];

let failures = 0;
let passed = 0;
function check(ok, what) {
  if (ok) {
    passed++;
    console.log(`ok    ${what}`);
  } else {
    failures++;
    console.log(`FAIL  ${what}`);
  }
}

// Sums of doubles added in another order differ in their last bits.
const close = (a, b) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
const num = (v) => (v === null ? null : Number(v));

async function download(url, file) {
  const res = await fetch(url);
  if (res.status !== 200) {
    throw new Error(`${url}: ${res.status} ${await res.text()}`);
  }
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  return res.headers.get('content-type');
}

const dir = await mkdtemp(join(tmpdir(), 'parquet-check-'));
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRowObjects();
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

const country = {};
try {
  for (const [i, d] of datasets.entries()) {
    const label = `${d.name}${d.query}`;
    const pq = join(dir, `${i}.parquet`);
    const csv = join(dir, `${i}.csv`);
    const type = await download(`${base}/export/${d.name}.parquet${d.query}`, pq);
    await download(`${base}/export/${d.name}.csv${d.query}`, csv);
    check(type === 'application/vnd.apache.parquet', `${label}: Content-Type ${type}`);

    const described = await rows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(pq)})`);
    const header = (await rows(`DESCRIBE SELECT * FROM read_csv(${sqlString(csv)}, header = true, all_varchar = true)`))
      .map((c) => c.column_name);
    const names = described.map((c) => c.column_name);
    check(names.join(',') === header.join(','), `${label}: the CSV's ${header.length} columns, in order`);
    const wrong = described.filter((c) => c.column_type !== (d.types[c.column_name] ?? (d.country ? c.column_type : 'VARCHAR')));
    check(wrong.length === 0, `${label}: column types${wrong.map((c) => ` (${c.column_name} is ${c.column_type})`).join('')}`);

    const kv = await rows(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${sqlString(pq)})`);
    const licence = kv.find((r) => r.key === 'license')?.value;
    check(licence === 'Licence Ouverte 2.0 (Etalab)', `${label}: licence in the metadata (${licence})`);

    // Counts and sums: every numeric column of the Parquet file, against the CSV's text
    // cast by DuckDB.
    const numeric = described.filter((c) => ['INTEGER', 'BIGINT', 'DOUBLE'].includes(c.column_type)).map((c) => c.column_name);
    const sums = numeric.map((c) => `sum("${c}")::DOUBLE AS "${c}"`).join(', ');
    const castSums = numeric.map((c) => `sum(TRY_CAST("${c}" AS DOUBLE)) AS "${c}"`).join(', ');
    const [p] = await rows(`SELECT count(*)::BIGINT AS n, ${sums} FROM read_parquet(${sqlString(pq)})`);
    const [c] = await rows(`SELECT count(*)::BIGINT AS n, ${castSums} FROM read_csv(${sqlString(csv)}, header = true, all_varchar = true)`);
    check(num(p.n) === num(c.n) && num(p.n) > 0, `${label}: ${num(p.n)} rows, CSV ${num(c.n)}`);
    const differ = numeric.filter((col) => !close(num(p[col]), num(c[col])));
    check(differ.length === 0, `${label}: sums of ${numeric.length} numeric columns equal the CSV's` +
      differ.map((col) => ` (${col}: ${p[col]} vs ${c[col]})`).join(''));

    if (d.country) {
      Object.assign(country, (await rows(`SELECT action_count::BIGINT AS action_count, budget, adopted_ktco2e
        FROM read_parquet(${sqlString(pq)})`))[0]);
    }
    if (d.name === 'actions') {
      Object.assign(country, { actions: num(p.n), budgets: (await rows(`SELECT round(sum(budget), 2) AS b FROM read_parquet(${sqlString(pq)})`))[0].b });
    }
    if (d.name === 'commitments') {
      country.adopted = (await rows(`SELECT round(sum(ktco2e), 4) AS k FROM read_parquet(${sqlString(pq)}) WHERE status = 'ADOPTED'`))[0].k;
    }
  }

  // France's roll-up counts every action whole, its budget and its adopted commitments.
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: '{ territory(level: COUNTRY, code: "FR") { rollup { actionCount budget adoptedKtco2e } } }' }),
  });
  const g = (await res.json()).data.territory.rollup;
  check(num(country.action_count) === g.actionCount && country.actions === g.actionCount,
    `actions: GraphQL's rollup of France counts ${g.actionCount}, actions.parquet has ${country.actions}, rollups.parquet ${num(country.action_count)}`);
  check(close(num(country.budgets), g.budget) && close(num(country.budget), g.budget),
    `budget: GraphQL ${g.budget}, sum of actions.parquet ${country.budgets}, rollups.parquet ${country.budget}`);
  check(close(num(country.adopted), g.adoptedKtco2e) && close(num(country.adopted_ktco2e), g.adoptedKtco2e),
    `adopted ktCO2e: GraphQL ${g.adoptedKtco2e}, sum of commitments.parquet ${country.adopted}, rollups.parquet ${country.adopted_ktco2e}`);
} finally {
  con.closeSync?.();
  await rm(dir, { recursive: true, force: true });
}
console.log(`parquet-check: ${passed} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
