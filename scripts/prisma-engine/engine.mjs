#!/usr/bin/env node
// Stand-in for Prisma's native schema engine (see README.md next to this file).
//
// The Prisma CLI runs its schema engine as a child process and talks to it with JSON-RPC 2.0, one message per line
// over stdin/stdout; logs go to stderr as JSON lines. The native binary is downloaded from Prisma's servers, which are
// unreachable here, so `PRISMA_SCHEMA_ENGINE_BINARY` points the CLI at this script instead. It speaks the same protocol
// and delegates the real work to the npm package `@prisma/schema-engine-wasm` (the same Rust engine compiled to
// WebAssembly) with a PostgreSQL driver adapter from `@prisma/adapter-pg`.
//
// Invocations (as the CLI makes them):
//   engine.mjs [--datamodels <file>]... [--datasource <json>]          JSON-RPC server on stdin/stdout
//   engine.mjs --datasource <json> cli can-connect-to-database|create-database|drop-database
//   engine.mjs --version

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);

// Anything that is not a JSON line on stderr confuses the CLI (it parses every line after the first): route Node's
// own warnings (e.g. pg-connection-string's sslmode notice) through the JSON logger instead.
process.removeAllListeners('warning');
process.on('warning', (w) => log('WARN', String(w?.message ?? w), 'schema_engine::node'));

// ---------------------------------------------------------------------------------------------------------------
// Logging (stderr, one JSON object per line, shaped like the native engine's tracing output)

function log(level, message, target = 'schema_engine::logger', extra = {}) {
  const line = JSON.stringify({
    timestamp: new Date().toISOString(),
    level,
    fields: { message, ...extra },
    target,
  });
  try {
    process.stderr.write(line + '\n');
  } catch {
    /* stderr closed: nothing to do */
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const out = { datamodels: [], datasource: null, cli: null, version: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new UserError(`Missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--datamodels' || a === '--datamodel' || a === '-d') {
      // `--datamodels a b c` or `--datamodels a --datamodels b`
      out.datamodels.push(next());
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-') && argv[i + 1] !== 'cli') out.datamodels.push(argv[++i]);
    } else if (a.startsWith('--datamodels=') || a.startsWith('--datamodel=')) {
      out.datamodels.push(a.slice(a.indexOf('=') + 1));
    } else if (a === '--datasource') {
      out.datasource = next();
    } else if (a.startsWith('--datasource=')) {
      out.datasource = a.slice('--datasource='.length);
    } else if (a === '--enabled-preview-features' || a === '--extension-types') {
      next(); // accepted, nothing to do for PostgreSQL here
    } else if (a === '--version' || a === '-V') {
      out.version = true;
    } else if (a === '--help' || a === '-h') {
      out.help = true;
    } else if (a === 'cli') {
      out.cli = argv.slice(i + 1);
      break;
    } else {
      throw new UserError(`Unknown argument: ${a}`);
    }
  }
  return out;
}

class UserError extends Error {
  constructor(message, code, meta) {
    super(message);
    this.name = 'UserError';
    if (code) this.code = code;
    if (meta) this.meta = meta;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Connection settings

/**
 * Parses a PostgreSQL URL into discrete `pg` settings (never `connectionString`: pg lets it override `database`, so
 * a pool meant for a shadow database would connect to the main one). Prisma's own parameters (`schema`,
 * `connection_limit`, `connect_timeout`, `sslmode`, ...) are translated, the rest ignored.
 */
function pgConfigFromUrl(url) {
  if (typeof url !== 'string' || url.length === 0) {
    throw new UserError('No datasource URL was given to the schema engine. Set `datasource.url` in prisma.config.ts.', 'P1012');
  }
  let u;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('The datasource URL is not a valid URL.', 'P1013', { details: 'invalid URL' });
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new UserError(
      `This schema engine stand-in only supports PostgreSQL URLs (postgresql://...), got \`${u.protocol}\`.`,
      'P1013',
    );
  }
  const { parse } = require(require.resolve('pg-connection-string', { paths: [path.dirname(require.resolve('pg'))] }));
  const parsed = { ...parse(url) };
  const params = u.searchParams;
  const cfg = {};
  if (parsed.host) cfg.host = parsed.host;
  if (parsed.port) cfg.port = Number(parsed.port);
  if (parsed.user) cfg.user = parsed.user;
  if (parsed.password) cfg.password = parsed.password;
  cfg.database = parsed.database || 'postgres';
  if (parsed.options) cfg.options = parsed.options;
  if (parsed.application_name) cfg.application_name = parsed.application_name;
  if (parsed.ssl !== undefined && parsed.ssl !== false) cfg.ssl = parsed.ssl;
  const sslmode = params.get('sslmode');
  if (sslmode === 'disable') delete cfg.ssl;
  else if (sslmode === 'prefer' || sslmode === 'require' || params.get('sslaccept') === 'accept_invalid_certs') {
    cfg.ssl = { ...(typeof cfg.ssl === 'object' ? cfg.ssl : {}), rejectUnauthorized: false };
  }
  cfg.connectionTimeoutMillis = Number(params.get('connect_timeout') ?? 10) * 1000 || 0;
  const limit = Number(params.get('connection_limit'));
  cfg.max = Number.isFinite(limit) && limit > 0 ? limit : 4;
  const schema = params.get('schema') || undefined;
  if (schema && schema !== 'public') {
    const sp = `-c search_path=${schema.replace(/[^A-Za-z0-9_$]/g, (c) => `\\${c}`)}`;
    cfg.options = cfg.options ? `${cfg.options} ${sp}` : sp;
  }
  return { cfg, schema, location: `${cfg.host ?? 'localhost'}:${cfg.port ?? 5432}` };
}

const quoteIdent = (s) => `"${String(s).replace(/"/g, '""')}"`;

// ---------------------------------------------------------------------------------------------------------------
// pg plumbing

const pg = require('pg');

// @prisma/adapter-pg cannot map PostgreSQL's internal single-byte `"char"` type (OID 18), which the engine's
// introspection queries return (pg_constraint.contype, pg_class.relkind, ...): "Column type 'char' could not be
// deserialized". The engine reads those columns as characters, so report them as ColumnType.Character (6); the value
// (text format) is already a one-character string.
const OID_CHAR = 18;
const OID_TEXT = 25;
const COLUMN_TYPE_CHARACTER = 6;

function patchCharColumns(queryable) {
  const queryRaw = queryable.queryRaw;
  const performIO = queryable.performIO;
  if (typeof queryRaw !== 'function' || typeof performIO !== 'function') return queryable;
  queryable.queryRaw = async function (query) {
    const result = await performIO.call(this, query);
    const charColumns = [];
    (result?.fields ?? []).forEach((f, i) => {
      if (f.dataTypeID === OID_CHAR) charColumns.push(i);
    });
    if (charColumns.length === 0) {
      const view = Object.create(this, { performIO: { value: async () => result } });
      return queryRaw.call(view, query);
    }
    const fields = result.fields.map((f) => (f.dataTypeID === OID_CHAR ? { ...f, dataTypeID: OID_TEXT } : f));
    const view = Object.create(this, { performIO: { value: async () => ({ ...result, fields, rows: result.rows }) } });
    const out = await queryRaw.call(view, query);
    for (const i of charColumns) out.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return out;
  };
  return queryable;
}

/** Runs one-off statements on a dedicated connection. */
async function withClient(cfg, fn) {
  const client = new pg.Client(cfg);
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Maps a pg / network error to a Prisma error (code + message), like the native engine does. */
function toPrismaConnError(e, { cfg, location }) {
  const code = e?.code;
  if (code === '3D000') {
    return new UserError(
      `Database \`${cfg.database}\` does not exist on the database server at \`${location}\`.`,
      'P1003',
      { database_name: cfg.database, database_host: location },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new UserError(
      `Authentication failed against database server, the provided database credentials for \`${cfg.user ?? ''}\` are not valid.\n\nPlease make sure to provide valid database credentials for the database server at the configured address.`,
      'P1000',
      { database_user: cfg.user ?? '', database_host: location },
    );
  }
  if (code === '42501') {
    return new UserError(`User \`${cfg.user ?? ''}\` was denied access on the database \`${cfg.database}\``, 'P1010', {
      database_user: cfg.user ?? '',
      database_name: cfg.database,
    });
  }
  if (code === '42P04') {
    return new UserError(
      `Database \`${cfg.database}\` already exists on the database server at \`${location}\``,
      'P1009',
      { database_name: cfg.database, database_host: location },
    );
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ENOENT'].includes(code)) {
    return new UserError(
      `Can't reach database server at \`${location}\`\n\nPlease make sure your database server is running at \`${location}\`.`,
      'P1001',
      { database_host: cfg.host ?? 'localhost', database_port: cfg.port ?? 5432 },
    );
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(String(e?.message))) {
    return new UserError(
      `Can't reach database server at \`${location}\`\n\nPlease make sure your database server is running at \`${location}\`.`,
      'P1001',
      { database_host: cfg.host ?? 'localhost', database_port: cfg.port ?? 5432 },
    );
  }
  return e instanceof Error ? e : new Error(String(e));
}

/** Opens and closes one connection to the maintenance database (to create/drop databases). */
async function withMaintenanceClient(target, fn) {
  let lastErr;
  for (const database of ['postgres', 'template1']) {
    try {
      return await withClient({ ...target.cfg, database }, fn);
    } catch (e) {
      lastErr = e;
      if (e?.code !== '3D000') break;
    }
  }
  throw lastErr;
}

async function dropDatabase(target, name) {
  await withMaintenanceClient(target, async (c) => {
    try {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    } catch (e) {
      if (e?.code !== '42601') throw e; // PostgreSQL < 13 has no WITH (FORCE)
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Driver adapter factory (what @prisma/schema-engine-wasm calls to get connections)

const openShadowDbs = new Set(); // names of temporary shadow databases not yet dropped (for cleanup on signals)
let mainTarget = null;
let boundFactory = null; // the factory handed to the engine (its errorRegistry keeps our JS errors)

/** "External error id#3" names a JavaScript error kept in the adapter's error registry: put its text back in. */
function explainExternalErrors(message) {
  return message.replace(/External error id#(\d+)/g, (whole, id) => {
    const entry = boundFactory?.errorRegistry?.registeredErrors?.[Number(id)];
    const err = entry?.error;
    if (!err) return whole;
    return `${whole}: ${err?.message ?? String(err)}`;
  });
}

async function makeAdapterFactory(datasource) {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { bindMigrationAwareSqlAdapterFactory, DriverAdapterError } = await import('@prisma/driver-adapter-utils');

  // Errors of our own pg connections, in the shape the engine understands (else it only sees "GenericJs").
  const asAdapterError = (e) => {
    if (e instanceof DriverAdapterError || e?.name === 'DriverAdapterError') return e;
    if (typeof e?.code === 'string' && typeof e?.severity === 'string') {
      return new DriverAdapterError({
        kind: 'postgres',
        code: e.code,
        severity: e.severity,
        message: e.message,
        detail: e.detail,
        column: e.column,
        hint: e.hint,
        originalCode: e.code,
        originalMessage: e.message,
      });
    }
    if (['ENOTFOUND', 'ECONNREFUSED'].includes(e?.code)) {
      return new DriverAdapterError({ kind: 'DatabaseNotReachable', host: mainTarget?.cfg.host, port: mainTarget?.cfg.port });
    }
    return e;
  };

  const connectTo = async (target) => {
    const factory = new PrismaPg({ ...target.cfg }, target.schema ? { schema: target.schema } : undefined);
    const adapter = patchCharColumns(await factory.connect());
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (...args) => patchCharColumns(await startTransaction(...args));
    // adapter-pg's executeScript splits the script on every `;` (which breaks on semicolons inside string literals,
    // dollar-quoted function bodies, ...). The native engine sends the whole script in one simple-protocol query.
    const pool = adapter.underlyingDriver();
    adapter.executeScript = async (script) => {
      try {
        await pool.query(script);
      } catch (error) {
        adapter.onError(error);
      }
    };
    return adapter;
  };

  // The wasm engine runs one probe query as soon as it is constructed, where the native engine connects lazily.
  // Answer that probe when the database is missing or unreachable, so that commands which need no database
  // (`migrate diff --from-empty --to-schema ...`) still work; anything that really queries the database fails later
  // with the real connection error.
  const PROBE = 'SELECT EXISTS(SELECT 1 FROM pg_namespace WHERE nspname = $1), version(),';
  const OFFLINE_KINDS = new Set(['DatabaseDoesNotExist', 'DatabaseNotReachable']);
  const connectMain = async () => {
    const adapter = await connectTo(mainTarget);
    const queryRaw = adapter.queryRaw.bind(adapter);
    let first = true;
    adapter.queryRaw = async (query) => {
      const isProbe = first && typeof query?.sql === 'string' && query.sql.startsWith(PROBE);
      first = false;
      try {
        return await queryRaw(query);
      } catch (e) {
        if (!isProbe || !OFFLINE_KINDS.has(e?.cause?.kind)) throw e;
        log('WARN', `Database not available (${e.cause.kind}); continuing without a connection.`);
        return {
          columnNames: ['exists', 'version', 'numeric_version'],
          columnTypes: [5, 7, 0], // Boolean, Text, Int32
          rows: [[true, 'PostgreSQL (not connected)', 150000]],
        };
      }
    };
    return adapter;
  };

  const missingUrl = () => {
    throw new UserError(
      'No datasource URL was given to the schema engine. Set `datasource.url` in prisma.config.ts.',
      'P1012',
    );
  };

  const factory = {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    async connect() {
      if (!mainTarget) missingUrl();
      return connectMain();
    },
    async connectToShadowDb() {
      if (!mainTarget) missingUrl();
      if (datasource?.shadowDatabaseUrl) {
        const shadow = pgConfigFromUrl(datasource.shadowDatabaseUrl);
        if (shadow.cfg.database === mainTarget.cfg.database && shadow.location === mainTarget.location) {
          throw new UserError(
            'The shadow database you configured appears to be the same as the main database. Please specify another shadow database.',
            'P3014',
          );
        }
        log('INFO', 'Connected to an external shadow database.');
        const adapter = await connectTo(shadow);
        // Like the native engine: an external shadow database is wiped before use.
        const pool = adapter.underlyingDriver();
        try {
          const { rows } = await pool.query(
            `SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%'`,
          );
          for (const { nspname } of rows) await pool.query(`DROP SCHEMA ${quoteIdent(nspname)} CASCADE`);
          await pool.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(shadow.schema ?? 'public')}`);
        } catch (e) {
          await adapter.dispose().catch(() => {});
          throw asAdapterError(e);
        }
        return adapter;
      }
      // A temporary shadow database, created and dropped here (adapter-pg's own connectToShadowDb drops it while its
      // pool is still connected, which fails with "being accessed by other users").
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      try {
        await withMaintenanceClient(mainTarget, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
      } catch (e) {
        throw asAdapterError(e);
      }
      openShadowDbs.add(name);
      let adapter;
      try {
        adapter = await connectTo({ ...mainTarget, cfg: { ...mainTarget.cfg, database: name } });
      } catch (e) {
        await dropDatabase(mainTarget, name).catch(() => {});
        openShadowDbs.delete(name);
        throw asAdapterError(e);
      }
      const dispose = adapter.dispose.bind(adapter);
      let disposed = false;
      adapter.dispose = async () => {
        if (disposed) return;
        disposed = true;
        try {
          await dispose();
        } finally {
          try {
            await dropDatabase(mainTarget, name);
          } catch (e) {
            throw asAdapterError(e);
          }
          openShadowDbs.delete(name);
        }
      };
      return adapter;
    },
  };
  boundFactory = bindMigrationAwareSqlAdapterFactory(factory);
  return boundFactory;
}

// ---------------------------------------------------------------------------------------------------------------
// WebAssembly engine

let wasmModule = null;

// The engine's Rust panic hook hands the panic message to this global before the wasm traps ("unreachable").
let lastPanicMessage = null;
globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
  set_message(message) {
    lastPanicMessage = String(message);
  },
};

async function loadWasm() {
  if (wasmModule) return wasmModule;
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = await import(new URL(`file://${gluePath}`).href);
  // The package's entry point does `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20 cannot do
  // without a flag: instantiate it by hand.
  const bytes = readFileSync(path.join(path.dirname(gluePath), 'schema_engine_bg.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
  glue.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  wasmModule = glue;
  return glue;
}

// ---------------------------------------------------------------------------------------------------------------
// `cli` subcommands

async function runCli(args, datasource) {
  // The CLI discards the first stderr line and parses the others as JSON.
  log('INFO', 'Starting schema engine CLI (wasm stand-in)', 'schema_engine_cli');
  const [command] = args;
  const target = pgConfigFromUrl(datasource?.url);
  switch (command) {
    case 'can-connect-to-database':
      try {
        await withClient(target.cfg, (c) => c.query('SELECT 1'));
      } catch (e) {
        throw toPrismaConnError(e, target);
      }
      process.stdout.write('Connection successful\n');
      return;
    case 'create-database':
      try {
        await withMaintenanceClient(target, (c) => c.query(`CREATE DATABASE ${quoteIdent(target.cfg.database)}`));
      } catch (e) {
        throw toPrismaConnError(e, target);
      }
      process.stdout.write(`Database '${target.cfg.database}' was successfully created.\n`);
      return;
    case 'drop-database':
      try {
        await dropDatabase(target, target.cfg.database);
      } catch (e) {
        throw toPrismaConnError(e, target);
      }
      process.stdout.write(`The database was successfully dropped.\n`);
      return;
    default:
      throw new UserError(`Unknown cli command: ${command ?? '(none)'}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON-RPC server

const RPC_ERROR_CODE = 4466; // what the native engine uses for "see the data field"

function rpcError(id, e) {
  const message = explainExternalErrors(String(e?.message ?? e));
  const data = { is_panic: false, message, meta: e?.meta ?? {}, backtrace: null };
  if (typeof e?.code === 'string' && /^P\d{4}$/.test(e.code)) data.error_code = e.code;
  return { jsonrpc: '2.0', id, error: { code: RPC_ERROR_CODE, message: 'An error happened. Check the data field for details.', data } };
}

function send(msg) {
  return new Promise((resolve) => {
    process.stdout.write(JSON.stringify(msg) + '\n', () => resolve());
  });
}

async function runRpcServer(args, datasource) {
  const datamodels = args.datamodels.map((f) => {
    const abs = path.resolve(process.cwd(), f);
    return [f, readFileSync(abs, 'utf8')];
  });
  mainTarget = datasource?.url ? pgConfigFromUrl(datasource.url) : null;

  let enginePromise = null;
  const getEngine = () => {
    if (!enginePromise) {
      enginePromise = (async () => {
        const wasm = await loadWasm();
        const factory = await makeAdapterFactory(datasource);
        const onLog = (line) => {
          try {
            process.stderr.write(String(line).trimEnd() + '\n');
          } catch {
            /* ignore */
          }
        };
        return wasm.SchemaEngine.new({ datamodels: datamodels.length ? datamodels : undefined }, onLog, factory);
      })();
      enginePromise.catch(() => {
        enginePromise = null; // allow a retry on the next request
      });
    }
    return enginePromise;
  };

  // Requests from this engine to the CLI (only `print`), awaiting the CLI's answer.
  let nextOwnId = 1_000_000;
  const ownPending = new Map();
  const askCli = (method, params) => {
    const id = nextOwnId++;
    return new Promise((resolve) => {
      ownPending.set(id, resolve);
      send({ jsonrpc: '2.0', id, method, params });
    });
  };

  const methods = {
    async version(params) {
      const e = await getEngine();
      return e.version(params ?? undefined);
    },
    async getDatabaseVersion(params) {
      const e = await getEngine();
      return e.version(params ?? undefined);
    },
    async createDatabase(params) {
      const ds = params?.datasource;
      const url = ds?.tag === 'ConnectionString' ? ds.url : datasource?.url;
      const target = pgConfigFromUrl(url);
      try {
        await withMaintenanceClient(target, (c) => c.query(`CREATE DATABASE ${quoteIdent(target.cfg.database)}`));
      } catch (e) {
        throw toPrismaConnError(e, target);
      }
      return { databaseName: target.cfg.database };
    },
    async diff(params) {
      const e = await getEngine();
      const result = await e.diff(params);
      // The native engine prints the diff through the CLI (a `print` request), which the CLI writes to its stdout.
      if (result?.stdout != null && result.stdout !== '') {
        await askCli('print', { content: result.stdout.replace(/\n$/, '') });
      }
      return { exitCode: result?.exitCode ?? 0 };
    },
    async debugPanic() {
      const e = await getEngine();
      return e.debugPanic();
    },
  };
  const delegated = [
    'applyMigrations', 'createMigration', 'dbExecute', 'devDiagnostic', 'diagnoseMigrationHistory',
    'ensureConnectionValidity', 'evaluateDataLoss', 'introspect', 'introspectSql', 'markMigrationApplied',
    'markMigrationRolledBack', 'reset', 'schemaPush',
  ];
  for (const name of delegated) {
    methods[name] = async (params) => {
      const e = await getEngine();
      const r = await e[name](params ?? {});
      return r === undefined || r === null ? {} : r;
    };
  }

  // In the wasm engine, `evaluateDataLoss` and `createMigration` get no shadow database of their own: they reuse the
  // schema that `devDiagnostic` computed (cached per list of applied migrations). When `migrate dev` has just applied
  // migrations (fresh database), that cache holds the wrong list and they fail with "PostgreSQL shadow DB must be
  // provided through an external factory". Compute it for the current list (diagnoseMigrationHistory, which does get
  // a shadow database) and try again.
  const NEEDS_SHADOW = 'shadow DB must be provided through an external factory';
  for (const name of ['evaluateDataLoss', 'createMigration']) {
    methods[name] = async (params) => {
      const e = await getEngine();
      try {
        return await e[name](params ?? {});
      } catch (err) {
        if (!String(err?.message).includes(NEEDS_SHADOW) || !params?.migrationsList) throw err;
        log('INFO', `${name}: computing the migration history's schema in a shadow database, then retrying`);
        await e.diagnoseMigrationHistory({
          migrationsList: params.migrationsList,
          optInToShadowDatabase: true,
          filters: params.filters ?? { externalTables: [], externalEnums: [] },
        });
        return await e[name](params);
      }
    };
  }

  // Requests are served one at a time, in order (the wasm engine is not re-entrant). Every request gets an answer:
  // if this process died with a request pending, the Prisma CLI would exit 0 without a word.
  let queue = Promise.resolve();
  const pending = new Set(); // ids received and not yet answered
  const answer = async (id, msg) => {
    if (!pending.delete(id)) return; // already answered (e.g. by the crash handler)
    await send(msg);
  };
  const answerError = (id, e) => {
    if (process.env.PRISMA_ENGINE_STANDIN_DEBUG) {
      const n = /External error id#(\d+)/.exec(String(e?.message))?.[1];
      const original = n && boundFactory?.errorRegistry?.registeredErrors?.[Number(n)]?.error;
      log('DEBUG', String(original?.stack ?? e?.stack ?? e), 'schema_engine::rpc');
    }
    log('ERROR', explainExternalErrors(String(e?.message ?? e)), 'schema_engine::rpc', e?.code ? { error_code: e.code } : {});
    return answer(id, rpcError(id, e));
  };
  const handle = async (msg) => {
    const { id, method, params } = msg;
    if (crash) return answerError(id, crash);
    const fn = Object.hasOwn(methods, method) ? methods[method] : null;
    if (!fn) return answer(id, { jsonrpc: '2.0', id, error: { code: -32601, message: `Method not found: ${method}` } });
    try {
      const result = await fn(params);
      await answer(id, { jsonrpc: '2.0', id, result: result === undefined ? null : result });
    } catch (e) {
      if (e instanceof WebAssembly.RuntimeError) onCrash(e);
      else await answerError(id, e);
    }
  };

  // A Rust panic (or any uncaught error) leaves the wasm engine unusable and its pending promise unsettled: answer
  // the pending requests and every later one with the error, and exit non-zero once the CLI closes stdin.
  onCrash = (e) => {
    if (!crash) {
      const message = lastPanicMessage
        ? `The schema engine panicked: ${lastPanicMessage}`
        : `The schema engine failed: ${e?.stack ?? e?.message ?? e}`;
      crash = new Error(message);
      process.exitCode = 101;
    }
    for (const id of [...pending]) answerError(id, crash);
  };

  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    if (msg && msg.method === undefined && msg.id !== undefined && ownPending.has(msg.id)) {
      const resolve = ownPending.get(msg.id);
      ownPending.delete(msg.id);
      resolve(msg.result);
      return;
    }
    if (!msg || typeof msg.method !== 'string') return;
    if (msg.id === undefined || msg.id === null) return; // notification: nothing to answer
    pending.add(msg.id);
    if (crash) {
      answerError(msg.id, crash);
      return;
    }
    queue = queue.then(() => handle(msg));
  });
  rl.on('close', async () => {
    // stdin closed: the CLI is done with us. Finish what was asked (unless the engine is dead), clean up, leave.
    if (!crash) await queue.catch(() => {});
    await cleanup();
    process.exit(crash ? 101 : 0);
  });
}

let crash = null; // set once the engine is unusable
let onCrash = null; // set by the JSON-RPC server

// ---------------------------------------------------------------------------------------------------------------
// Process lifecycle

let cleaningUp = null;
function cleanup() {
  if (!cleaningUp) {
    cleaningUp = (async () => {
      if (!mainTarget || openShadowDbs.size === 0) return;
      const names = [...openShadowDbs];
      await Promise.race([
        Promise.allSettled(names.map((n) => dropDatabase(mainTarget, n))),
        new Promise((r) => setTimeout(r, 3000).unref()),
      ]);
    })();
  }
  return cleaningUp;
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    cleanup().finally(() => process.exit(0));
  });
}

function fatal(e) {
  if (onCrash) {
    // JSON-RPC mode: keep answering (with the error) until the CLI closes stdin.
    onCrash(e);
    return;
  }
  const text = lastPanicMessage
    ? `The schema engine panicked: ${lastPanicMessage}`
    : String(e?.stack ?? e?.message ?? e);
  log('ERROR', text, 'schema_engine::logger', e?.code ? { error_code: e.code } : {});
  cleanup().finally(() => process.exit(1));
}
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    const wasm = await loadWasm();
    process.stdout.write(`schema-engine-cli ${wasm.version()}\n`);
    return;
  }
  if (args.help) {
    process.stdout.write(
      'Prisma schema engine stand-in (JSON-RPC over stdio, backed by @prisma/schema-engine-wasm)\n' +
        'Usage: engine.mjs [--datamodels <file>...] [--datasource <json>] [cli can-connect-to-database|create-database|drop-database]\n',
    );
    return;
  }
  let datasource = null;
  if (args.datasource) {
    try {
      datasource = JSON.parse(args.datasource);
    } catch {
      throw new UserError('--datasource must be a JSON object like {"url":"postgresql://..."}');
    }
  }
  if (args.cli) {
    try {
      await runCli(args.cli, datasource);
      process.exit(0);
    } catch (e) {
      log('ERROR', String(e?.message ?? e), 'schema_engine::logger', e?.code ? { error_code: e.code } : {});
      process.exit(1);
    }
  }
  await runRpcServer(args, datasource);
}

main().catch(fatal);
