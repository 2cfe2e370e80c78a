// Tests of the release check (check.mjs) on small schemas: `npm test` here, or
// `node --test tools/schema-check/`.
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { check } from './check.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const data = (f) => join(here, 'testdata', f);

async function run(schema, changelog = 'CHANGELOG-1.0.0.md') {
  return check({ schema: data(schema), releasesDir: data('releases'), changelog: data(changelog) });
}

test('an added field and enum value pass, against the last release (1.0.0, not 0.9.0)', async () => {
  const r = await run('added-field.graphql');
  assert.equal(r.release, '1.0.0');
  assert.deepEqual(r.problems, []);
  assert.ok(r.changes.some((c) => c.path === 'Territory.population'), 'the added field is reported');
});

test('the last release unchanged passes', async () => {
  const r = await run('releases/1.0.0.graphql');
  assert.deepEqual(r.problems, []);
  assert.equal(r.changes.length, 0);
});

test('a removed field fails: breaking, and never deprecated', async () => {
  const r = await run('removed-field.graphql');
  assert.equal(r.problems.length, 2, r.problems.join('\n'));
  assert.match(r.problems[0], /breaking: .*Territory\.name/);
  assert.match(r.problems[1], /Territory\.name is removed without having been deprecated/);
});

test('a removed field fails even under a new major version when it was not deprecated first', async () => {
  const r = await run('removed-field.graphql', 'CHANGELOG-2.0.0.md');
  assert.ok(r.problems.some((p) => /without having been deprecated/.test(p)), r.problems.join('\n'));
});

test('a deprecated field removed fails unless a new major version names it', async () => {
  const minor = await run('removed-deprecated-field.graphql');
  assert.equal(minor.problems.length, 1, minor.problems.join('\n'));
  assert.match(minor.problems[0], /breaking: .*Territory\.label.*new major version above 1\.0\.0/);
  const major = await run('removed-deprecated-field.graphql', 'CHANGELOG-2.0.0.md');
  assert.deepEqual(major.problems, []);
});

test('a new required argument is breaking', async () => {
  const r = await run('new-required-argument.graphql');
  assert.ok(r.problems.some((p) => /breaking: .*Query\.territory/.test(p)), r.problems.join('\n'));
});

test('a deprecation without a reason fails', async () => {
  const r = await run('bare-deprecation.graphql');
  assert.deepEqual(r.problems, ['Territory.name is deprecated without a reason: @deprecated(reason: "Use ... instead.")']);
});

test('a release missing from the changelog fails', async () => {
  const r = await run('added-field.graphql', 'CHANGELOG-none.md');
  assert.match(r.problems[0], /no section for release 1\.0\.0/);
});

test("the project's schema passes against its last release", async () => {
  const root = join(here, '../..');
  const r = await check({
    schema: join(root, 'schema/published/schema.graphql'),
    releasesDir: join(root, 'schema/releases'),
    changelog: join(root, 'CHANGELOG.md'),
  });
  assert.deepEqual(r.problems, []);
});
