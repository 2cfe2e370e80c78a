// Runs the GraphQL over HTTP audits of the graphql-http package against a server:
//   node audit.mjs http://127.0.0.1:8080/graphql
// and fails on any error or warning.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const results = await auditServer({ url });
let errors = 0;
let warnings = 0;
for (const r of results) {
  if (r.status === 'error') { errors++; console.log('ERROR', r.name, '-', r.reason); }
  if (r.status === 'warn') { warnings++; console.log('WARN ', r.name, '-', r.reason); }
}
console.log(`graphql-http audit: ${results.length} audits, ${errors} errors, ${warnings} warnings`);
process.exit(errors + warnings > 0 ? 1 : 0);
