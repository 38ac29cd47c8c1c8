#!/usr/bin/env node
// Offline BigQuery syntax check: parses every *.sql under a directory (default: the
// golden BigQuery renderings of internal/models) with sql-parser-cst and prints one
// line per file. Exits 1 if any file fails to parse.
//
//   node check.mjs [-v] [dir]
//
// -v prints the parser's full message (expected tokens, the line with a caret) under
// each failure.
//
// sql-parser-cst is GPL: it is a dev/CI tool here and is never shipped.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { parse } from "sql-parser-cst";

const here = dirname(fileURLToPath(import.meta.url));
const parserVersion = createRequire(import.meta.url)("sql-parser-cst/package.json").version;

// Known parser gaps: files whose SQL BigQuery accepts but sql-parser-cst does not.
// Key: the file's base name; value: the construct the parser misses. Such a file is
// reported as "skipped (parser gap: …)", not as a failure. Keep this list as small as
// possible, and drop an entry as soon as a parser upgrade handles the construct (an
// entry for a file that now parses, or that no longer exists, is reported so that it
// gets removed).
// Entry format (example only):
//   "model.staging.saramin_postings.sql": "CREATE EXTERNAL TABLE … WITH PARTITION COLUMNS",
const parserGaps = {
  // none: sql-parser-cst 0.42.1 parses every golden file
};

const options = { dialect: "bigquery", paramTypes: ["@name"], includeSpaces: false };

function sqlFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sqlFiles(p));
    else if (e.isFile() && e.name.endsWith(".sql")) out.push(p);
  }
  return out.sort();
}

const args = process.argv.slice(2);
const verbose = args.includes("-v");
const dirArg = args.find((a) => !a.startsWith("-"));
const dir = resolve(dirArg ?? join(here, "../../internal/models/testdata/golden/bigquery"));

// oneLine condenses the parser's message ("Syntax Error: Unexpected …", "Was expecting
// to see: …", "--> file:line:col", the source line with a caret) to
// "file:line:col: Syntax Error: Unexpected … (expecting …)".
function oneLine(name, message) {
  const lines = message.split("\n");
  const at = lines.map((l) => l.match(/^--> (.*:\d+:\d+)$/)).find(Boolean);
  const what = lines[0];
  const expecting = lines.find((l) => l.startsWith("Was expecting to see: "));
  let s = `${at ? at[1] : name}: ${what}`;
  if (expecting) {
    let list = expecting.slice("Was expecting to see: ".length);
    if (list.length > 160) list = list.slice(0, 160) + "…";
    s += ` (expecting ${list})`;
  }
  return s;
}
const files = sqlFiles(dir);
if (files.length === 0) {
  console.error(`sqlcheck: no .sql files under ${dir}`);
  process.exit(1);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const seen = new Set();
for (const file of files) {
  const name = relative(dir, file);
  const gap = parserGaps[basename(file)];
  if (gap) seen.add(basename(file));
  const sql = readFileSync(file, "utf8");
  let error = null;
  try {
    parse(sql, { ...options, filename: name });
  } catch (e) {
    error = e;
  }
  if (!error && gap) {
    // The parser handles it now: the allowlist entry is stale.
    console.log(`FAIL ${name}: parses now; remove its parser-gap entry (${gap})`);
    failed++;
  } else if (!error) {
    console.log(`ok   ${name}`);
    passed++;
  } else if (gap) {
    console.log(`skip ${name}: skipped (parser gap: ${gap})`);
    skipped++;
  } else {
    // The parser's message holds the location (file:line:col) and the offending line.
    const msg = String(error.message ?? error);
    console.log(`FAIL ${oneLine(name, msg)}`);
    if (verbose) console.log(msg.replace(/^/gm, "       "));
    failed++;
  }
}
for (const f of Object.keys(parserGaps)) {
  if (!seen.has(f)) {
    console.log(`FAIL ${f}: parser-gap entry for a file that does not exist; remove it`);
    failed++;
  }
}
console.log(`sqlcheck: sql-parser-cst ${parserVersion}, dialect bigquery, ${relative(process.cwd(), dir) || "."}`);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 ? 1 : 0);
