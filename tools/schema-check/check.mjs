// The release check of the published GraphQL schema (docs/partners.md#the-schema-as-a-contract).
//
//   node tools/schema-check/check.mjs [--schema FILE] [--releases DIR] [--changelog FILE]
//
// compares the current schema (schema/published/schema.graphql, which `go generate`
// prints from the server) with the last release (the highest version in
// schema/releases/, X.Y.Z.graphql) using GraphQL Inspector, and fails when:
//   - a change is breaking for a client (a field, argument, type or enum value removed or
//     retyped, a new required argument or input field, ...) and CHANGELOG.md has no
//     section of a new major version above the last release naming it (Type.field);
//   - a field is removed that the last release did not already mark @deprecated;
//   - a field, argument, input field or enum value is deprecated without a reason (the
//     reason names what replaces it);
//   - the last release has no section in CHANGELOG.md.
// It prints every change, breaking or not, so a reviewer reads what a pull request does to
// the contract. Exit status 0 when the schema may ship, 1 when not, 2 on a usage error.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { CriticalityLevel, diff } from '@graphql-inspector/core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// The reason graphql-js gives a bare @deprecated: it names no replacement.
const defaultReason = 'No longer supported';

const semver = /^(\d+)\.(\d+)\.(\d+)$/;

function parseVersion(v) {
  const m = semver.exec(v);
  return m ? m.slice(1).map(Number) : null;
}

function compareVersions(a, b) {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

// lastRelease returns the highest X.Y.Z of dir/X.Y.Z.graphql.
export function lastRelease(dir) {
  const versions = readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => ({ file: join(dir, f), version: f.slice(0, -'.graphql'.length) }))
    .filter((r) => parseVersion(r.version));
  if (versions.length === 0) throw new Error(`no release X.Y.Z.graphql in ${dir}`);
  versions.sort((a, b) => compareVersions(parseVersion(a.version), parseVersion(b.version)));
  return versions[versions.length - 1];
}

// changelogSections returns the sections of a Keep a Changelog file by their heading's
// version ("## [2.0.0] - 2027-01-15"), with their text; [Unreleased] is left out: a
// breaking change ships under a version number.
export function changelogSections(text) {
  const sections = [];
  let current = null;
  for (const line of text.split('\n')) {
    const m = /^##\s+\[?([^\]\s]+)\]?/.exec(line);
    if (m) {
      current = { version: m[1], body: '' };
      if (parseVersion(m[1])) sections.push(current);
      continue;
    }
    if (current) current.body += line + '\n';
  }
  return sections;
}

// coordinate is what the changelog must name of a change: its type and field (or the
// type alone), whatever the change is to an argument or a directive under them.
function coordinate(change) {
  const parts = (change.path ?? '').split('.').filter((p) => !p.startsWith('@'));
  return parts.slice(0, 2).join('.');
}

// undescribedDeprecations lists what the schema deprecates without saying why.
function undescribedDeprecations(schema) {
  const out = [];
  const bad = (reason) => reason != null && (reason.trim() === '' || reason === defaultReason);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (bad(field.deprecationReason)) out.push(`${type.name}.${field.name}`);
        for (const arg of field.args ?? []) {
          if (bad(arg.deprecationReason)) out.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    }
    if (isEnumType(type)) {
      for (const v of type.getValues()) {
        if (bad(v.deprecationReason)) out.push(`${type.name}.${v.name}`);
      }
    }
  }
  return out;
}

// check compares the schema file with the last release of releasesDir under the
// changelog, and returns the changes found and the problems that stop the release.
export async function check({ schema, releasesDir, changelog }) {
  const release = lastRelease(releasesDir);
  const last = parseVersion(release.version);
  const before = buildSchema(readFileSync(release.file, 'utf8'));
  const after = buildSchema(readFileSync(schema, 'utf8'));
  const changes = await diff(before, after);
  const sections = changelogSections(readFileSync(changelog, 'utf8'));
  const problems = [];

  if (!sections.some((s) => s.version === release.version)) {
    problems.push(`CHANGELOG.md has no section for release ${release.version} (${release.file})`);
  }
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const majors = sections.filter((s) => parseVersion(s.version)[0] > last[0]);
  for (const c of breaking) {
    const name = coordinate(c);
    if (!majors.some((s) => s.body.includes(name))) {
      problems.push(
        `breaking: ${c.message} (${name}): ship it in a new major version above ${release.version} ` +
          `whose section of CHANGELOG.md names ${name}, or keep the old form beside the new one`,
      );
    }
    if (c.type === 'FIELD_REMOVED' && !c.meta.isRemovedFieldDeprecated) {
      problems.push(
        `${name} is removed without having been deprecated in release ${release.version}: ` +
          `mark it @deprecated(reason: "Use ...") for one minor version first`,
      );
    }
  }
  for (const name of undescribedDeprecations(after)) {
    problems.push(`${name} is deprecated without a reason: @deprecated(reason: "Use ... instead.")`);
  }
  return { release: release.version, changes, problems };
}

function arg(args, name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  if (i + 1 >= args.length) {
    console.error(`${name} needs a value`);
    process.exit(2);
  }
  return resolve(args[i + 1]);
}

async function main(args) {
  const opts = {
    schema: arg(args, '--schema', join(root, 'schema/published/schema.graphql')),
    releasesDir: arg(args, '--releases', join(root, 'schema/releases')),
    changelog: arg(args, '--changelog', join(root, 'CHANGELOG.md')),
  };
  const { release, changes, problems } = await check(opts);
  const levels = [CriticalityLevel.Breaking, CriticalityLevel.Dangerous, CriticalityLevel.NonBreaking];
  console.log(`schema check: ${opts.schema} against release ${release}: ${changes.length} change(s)`);
  for (const level of levels) {
    for (const c of changes.filter((c) => c.criticality.level === level)) {
      console.log(`  ${level.padEnd(13)} ${c.message}`);
    }
  }
  for (const p of problems) console.error(`FAIL ${p}`);
  if (problems.length > 0) process.exit(1);
  console.log('schema check: ok');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(`schema check: ${err.message}`);
    process.exit(2);
  });
}
