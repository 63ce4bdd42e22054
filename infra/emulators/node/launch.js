#!/usr/bin/env node
// Starts one emulator on 127.0.0.1 and a free port, for dev.tmserverless.emulators.Emulators.
//
//   node launch.js dynalite [--path <dir>]      DynamoDB (in memory without --path)
//   node launch.js s3rver --directory <dir>     S3
//
// Prints exactly one line `TM-EMULATOR-READY <port>` on stdout once the port accepts connections.
// Exits when its stdin closes, so it never outlives the JVM that started it, even one killed with -9.
'use strict';

const kind = process.argv[2];
const args = process.argv.slice(3);

function option(name) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
}

function ready(port) {
  process.stdout.write(`TM-EMULATOR-READY ${port}\n`);
}

let closing = false;
let closeServer = () => Promise.resolve();

function shutdown(code) {
  if (closing) return;
  closing = true;
  // Give the store a moment to close cleanly (LevelDB), then leave regardless.
  setTimeout(() => process.exit(code), 1500).unref();
  closeServer().then(() => process.exit(code), () => process.exit(code));
}

// dynalite rethrows the error of a request whose client went away before its body arrived ('aborted',
// ECONNRESET: an SDK attempt timeout, an interrupted thread, a killed test) from an event handler, which would
// end this process and every later caller's connection with it. DynamoDB shrugs off an abandoned request; so
// does this emulator. Any other uncaught error still ends it, with its stack on stdout for the JVM to show.
process.on('uncaughtException', (err) => {
  if (err && (err.code === 'ECONNRESET' || err.message === 'aborted')) {
    process.stdout.write(`ignored an abandoned request (${err.code || err.message})\n`);
    return;
  }
  process.stdout.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});

process.stdin.on('end', () => shutdown(0));
process.stdin.on('close', () => shutdown(0));
process.stdin.on('error', () => shutdown(0));
process.stdin.resume();
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));

async function main() {
  if (kind === 'dynalite') {
    const dynalite = require('dynalite');
    const server = dynalite({
      path: option('--path'),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    closeServer = () => new Promise((resolve) => server.close(() => resolve()));
    server.listen(0, '127.0.0.1', () => ready(server.address().port));
  } else if (kind === 's3rver') {
    const S3rver = require('s3rver');
    const AWSAccount = require('s3rver/lib/models/account');
    // Accept any access key, as the design expects of the local S3: signatures are not checked.
    const get = AWSAccount.registry.get.bind(AWSAccount.registry);
    AWSAccount.registry.get = (key) => get(key) || AWSAccount.DUMMY_ACCOUNT;
    const directory = option('--directory');
    if (!directory) throw new Error('s3rver needs --directory');
    require('fs').mkdirSync(directory, { recursive: true });
    const server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      directory,
      silent: true,
      allowMismatchedSignatures: true,
      vhostBuckets: false,
    });
    const { port } = await server.run();
    closeServer = () => server.close();
    ready(port);
  } else {
    throw new Error(`unknown emulator '${kind}' (expected dynalite or s3rver)`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
