// Prepares GitHub's published OpenAPI description (@octokit/openapi, pinned in package.json) for
// Prism, the mock server tests/support/prism.rs starts. Run by .ci/github-contract.sh after
// `npm ci`; idempotent (a stamp records the inputs, a second run with the same inputs writes
// nothing). Writes, under generated/ (git-ignored):
//
//   sddgate.prism.json        the operations sddgate calls (SDDGATE_OPERATIONS below), each exactly
//                             as GitHub describes it, with every component it references
//                             (transitively) and nothing else. What the tests serve by default:
//                             Prism starts in ~1.5 s with ~165 MB RSS on it.
//   api.github.com.prism.json the whole description, same changes. For exploring an endpoint
//                             before adding it to the list (SDDGATE_PRISM_DESCRIPTION): ~14 s and
//                             ~600 MB per Prism, too much for every test binary to start its own.
//
// The changes to GitHub's text, in both files (every other byte of every kept operation and
// component is GitHub's):
//
//   1. Media-type aliases. Prism negotiates the response with the `accepts` package, i.e. by
//      exact media type, and answers 406 NOT_ACCEPTABLE to `Accept: application/vnd.github+json`
//      (what GitHub documents clients should send) because the description only lists
//      `application/json`. Every response `content` that has `application/json` also gets
//      `application/vnd.github+json` and `application/vnd.github.v3+json` (the older spelling),
//      the same media-type object, right after `application/json` (which stays first, so a
//      request without Accept or with `*/*` is answered as before). Prism then answers with
//      `Content-Type: application/vnd.github+json` where GitHub says `application/json`; clients
//      must not depend on the response Content-Type.
//   2. No `Link` response header. GitHub describes it on every list operation with the example
//      `<https://api.github.com/resource?page=2>; rel="next", <...page=5>; rel="last"`, and Prism
//      (static mode) sends that example on every page: a client that follows `rel="next"` would
//      leave the loopback mock for api.github.com, and one that pages until no `next` would never
//      stop. Without it every list is one page, which is what GitHub answers when the items fit
//      in `per_page` (GitHub omits `Link` then). Response headers are optional in OpenAPI, so
//      response validation is unaffected.
//
// Dropped from the trimmed file only: `x-webhooks` (webhook payload schemas, which Prism does not
// serve) and every path/operation sddgate does not call, so an unexpected call is answered 404
// (no path) or 405 (no method) and shows up as a violation.
//
// Things in GitHub's description that Prism cannot serve, left as they are (see
// tests/support/prism.rs): `x-multi-segment` path parameters (contents/{path}): Prism's router
// matches one segment, so `contents/a/b` is 404 and only `contents/a%2Fb` matches.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/**
 * Every GitHub REST operation `sddgate ci` may call: [method, path template as GitHub spells it].
 * A call outside this list is a 404/405 from Prism, i.e. a test failure: add the operation here
 * (and rerun .ci/github-contract.sh) when sddgate starts using a new endpoint.
 */
export const SDDGATE_OPERATIONS = [
  ["get", "/user"],
  ["get", "/repos/{owner}/{repo}/pulls"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"],
  ["get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"],
  ["get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"],
  ["patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["delete", "/repos/{owner}/{repo}/issues/comments/{comment_id}"],
  ["post", "/repos/{owner}/{repo}/check-runs"],
  ["patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"],
  ["get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"],
  ["get", "/repos/{owner}/{repo}/contents/{path}"],
  ["get", "/orgs/{org}/teams/{team_slug}/memberships/{username}"],
];

const JSON_TYPE = "application/json";
const ALIASES = ["application/vnd.github+json", "application/vnd.github.v3+json"];
const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

const openapiPkg = require("@octokit/openapi/package.json");
const sourcePath = require.resolve("@octokit/openapi/generated/api.github.com.json");
const outDir = join(here, "generated");
const trimmedPath = join(outDir, "sddgate.prism.json");
const fullPath = join(outDir, "api.github.com.prism.json");
const stampPath = join(outDir, "stamp.json");

const log = (msg) => process.stderr.write(`prepare.mjs: ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`prepare.mjs: error: ${msg}\n`);
  process.exit(1);
};

// The stamp: this script's text and the exact input, so a version bump or an edit re-prepares.
const source = readFileSync(sourcePath);
const stamp = {
  prepare_sha256: createHash("sha256").update(readFileSync(fileURLToPath(import.meta.url))).digest("hex"),
  openapi_version: openapiPkg.version,
  input_sha256: createHash("sha256").update(source).digest("hex"),
};
if (
  existsSync(trimmedPath) &&
  existsSync(fullPath) &&
  existsSync(stampPath) &&
  readFileSync(stampPath, "utf8") === JSON.stringify(stamp, null, 2) + "\n"
) {
  log(`up to date (@octokit/openapi ${openapiPkg.version})`);
  process.exit(0);
}

const spec = JSON.parse(source.toString("utf8"));
if (typeof spec.openapi !== "string" || !spec.openapi.startsWith("3.0.")) {
  fail(`expected an OpenAPI 3.0 description, got openapi=${spec.openapi}`);
}

/** Resolves a local `#/components/...` JSON pointer. */
function resolvePointer(doc, ref) {
  if (!ref.startsWith("#/")) fail(`non-local $ref ${ref}`);
  let node = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Adds the aliases after `application/json` in one `content` map (key order preserved). */
function aliasContent(content) {
  if (!content || typeof content !== "object" || !(JSON_TYPE in content)) return content;
  const out = {};
  for (const [type, media] of Object.entries(content)) {
    // An alias GitHub lists itself (none today) is kept as GitHub wrote it, moved next to JSON.
    if (ALIASES.includes(type)) continue;
    out[type] = media;
    if (type === JSON_TYPE) {
      for (const alias of ALIASES) out[alias] = content[alias] ?? media;
    }
  }
  return out;
}

/** One response object (a $ref to a shared one is handled where that one is defined). */
function fixResponse(response, counts) {
  if (!response || typeof response !== "object" || "$ref" in response) return;
  if (response.content?.[JSON_TYPE]) {
    response.content = aliasContent(response.content);
    counts.aliased++;
  }
  if (response.headers && "Link" in response.headers) {
    delete response.headers.Link;
    if (Object.keys(response.headers).length === 0) delete response.headers;
    counts.link++;
  }
}

/** Applies changes 1 and 2 (see the top of this file) to every response, in place. */
function fixForPrism(doc) {
  const counts = { aliased: 0, link: 0 };
  for (const item of Object.values(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      for (const response of Object.values(op.responses ?? {})) fixResponse(response, counts);
    }
  }
  for (const response of Object.values(doc.components?.responses ?? {})) fixResponse(response, counts);
  return counts;
}

/** The trimmed document: the listed operations and the closure of the components they use. */
function trim(doc) {
  const paths = {};
  for (const [method, path] of SDDGATE_OPERATIONS) {
    const item = doc.paths[path];
    const op = item?.[method];
    if (!op) fail(`${method.toUpperCase()} ${path} is not in @octokit/openapi ${openapiPkg.version}`);
    paths[path] ??= {};
    // Path-level fields (parameters, servers, summary) apply to every operation: keep them.
    for (const [key, value] of Object.entries(item)) {
      if (!HTTP_METHODS.has(key)) paths[path][key] = value;
    }
    paths[path][method] = op;
  }

  const components = {};
  const seen = new Set();
  const queue = [paths];
  while (queue.length > 0) {
    const node = queue.pop();
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) {
      queue.push(...node);
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        if (seen.has(value)) continue;
        seen.add(value);
        const parts = value.split("/");
        if (parts.length !== 4 || parts[0] !== "#" || parts[1] !== "components") {
          fail(`unexpected $ref ${value}`);
        }
        const target = resolvePointer(doc, value);
        if (target === undefined) fail(`dangling $ref ${value}`);
        (components[parts[2]] ??= {})[decodeURIComponent(parts[3])] = target;
        queue.push(target);
      } else {
        queue.push(value);
      }
    }
  }
  // Stable, readable order: kinds and names sorted.
  const sorted = {};
  for (const kind of Object.keys(components).sort()) {
    sorted[kind] = {};
    for (const name of Object.keys(components[kind]).sort()) sorted[kind][name] = components[kind][name];
  }

  const usedTags = new Set(Object.values(paths).flatMap((item) =>
    Object.entries(item).filter(([m]) => HTTP_METHODS.has(m)).flatMap(([, op]) => op.tags ?? [])));
  return {
    openapi: doc.openapi,
    info: {
      ...doc.info,
      description:
        `${doc.info.description}\n\nTrimmed by sddgate's tests/github-contract/prepare.mjs to the ` +
        `${SDDGATE_OPERATIONS.length} operations sddgate calls; media-type aliases added for Prism.`,
    },
    tags: (doc.tags ?? []).filter((t) => usedTags.has(t.name)),
    servers: doc.servers,
    externalDocs: doc.externalDocs,
    paths,
    components: sorted,
  };
}

/** Every $ref in the document resolves inside it. */
function checkRefs(doc, name) {
  const stack = [doc];
  let refs = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        refs++;
        if (resolvePointer(doc, value) === undefined) fail(`${name}: dangling $ref ${value}`);
      } else if (typeof value === "object") {
        stack.push(value);
      }
    }
  }
  return refs;
}

/** Write via a temporary file and rename, so a concurrent reader never sees half a file. */
function writeJson(path, value) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 1) + "\n");
  renameSync(tmp, path);
}

mkdirSync(outDir, { recursive: true });

// Fix the whole document, then trim: the trimmed file takes GitHub's (fixed) objects as they
// are, and only the components still referenced after the fixes (no `headers/link`).
const counts = fixForPrism(spec);
const trimmed = trim(spec);
const trimmedRefs = checkRefs(trimmed, "sddgate.prism.json");
checkRefs(spec, "api.github.com.prism.json");
writeJson(trimmedPath, trimmed);
writeJson(fullPath, spec);

writeFileSync(stampPath, JSON.stringify(stamp, null, 2) + "\n");
const kept = Object.entries(trimmed.components)
  .map(([kind, names]) => `${Object.keys(names).length} ${kind}`)
  .join(", ");
log(
  `@octokit/openapi ${openapiPkg.version}: ${SDDGATE_OPERATIONS.length} operations, ${kept} ` +
    `(${trimmedRefs} refs) -> ${trimmedPath}; in the whole description ${counts.aliased} ` +
    `response contents aliased, ${counts.link} Link headers removed`,
);
