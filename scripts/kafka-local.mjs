#!/usr/bin/env node
/**
 * A real, single-node Apache Kafka broker (KRaft, combined broker + controller) for development,
 * tests and CI, without Docker.
 *
 *   node scripts/kafka-local.mjs start    # fetch (first run), format, start, wait until ready
 *   node scripts/kafka-local.mjs stop     # SIGTERM, wait, SIGKILL; harmless when nothing runs
 *   node scripts/kafka-local.mjs status   # exit 0 when running, 3 when not; --json for scripts
 *
 * `start` prints `RETOUR_KAFKA_BROKERS=127.0.0.1:19092` as the last line of stdout; everything
 * else goes to stderr. The broker jars come from Maven Central (`mvn dependency:copy-dependencies`
 * on a pom generated from scripts/kafka/pom.template.xml) into a cache outside the repository.
 * See docs/kafka-local.md for the environment variables.
 *
 * Plain ESM JavaScript on purpose: CI and `npm run kafka:start` run it before anything else,
 * without tsx.
 */
import { spawn, execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Pinned broker version. 4.0.2, 4.3.1 and 4.4.0 all passed the kafkajs 2.2.4 checks (produce,
 * idempotent and transactional producers, consumer groups, commit, seek, admin); 4.3.1 is the
 * newest bug-fix release, so it is the pin.
 */
const KAFKA_VERSION = '4.3.1';
/** log4j 2 backend so the broker writes its log file (the kafka_2.13 pom ships none). */
const LOG4J_VERSION = '2.24.3';
/** Bumped when the layout of an installed cache changes, so old caches get re-fetched. */
const INSTALL_FORMAT = 1;
const HOST = '127.0.0.1';
/**
 * Credentials of the SASL_SSL listener, for testing clients against an authenticated, encrypted
 * listener. A development broker on loopback only: these are not secrets.
 */
const SASL_USERNAME = 'retour';
const SASL_PASSWORD = 'retour-local';
const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const KEYSTORE_PASSWORD = 'retour-local';
const STORAGE_TOOL_CLASSES = ['kafka.tools.StorageTool', 'org.apache.kafka.tools.StorageTool'];

const execFileAsync = promisify(execFile);
const scriptDir = dirname(fileURLToPath(import.meta.url));
const templateDir = join(scriptDir, 'kafka');

class UsageError extends Error {}

/** Reads and validates the environment once; everything below receives this frozen object. */
function readSettings(env) {
  const home = resolve(
    env.RETOUR_KAFKA_HOME ||
      join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'retour', 'kafka'),
  );
  const port = parsePort(env, 'RETOUR_KAFKA_PORT', 19092);
  const controllerPort = parsePort(env, 'RETOUR_KAFKA_CONTROLLER_PORT', 19093);
  // Next to the plaintext port by default, so a CI broker on other ports gets its own.
  const saslSslPort = parsePort(env, 'RETOUR_KAFKA_SASL_SSL_PORT', port + 2);
  if (new Set([port, controllerPort, saslSslPort]).size !== 3) {
    throw new UsageError(
      'RETOUR_KAFKA_PORT, RETOUR_KAFKA_CONTROLLER_PORT and RETOUR_KAFKA_SASL_SSL_PORT must differ; ' +
        `got ${port}, ${controllerPort} and ${saslSslPort}`,
    );
  }
  const version = env.RETOUR_KAFKA_VERSION || KAFKA_VERSION;
  if (!/^4\.\d+\.\d+$/.test(version)) {
    throw new UsageError(`RETOUR_KAFKA_VERSION must be a 4.x.y release, got "${version}"`);
  }
  const heap = env.RETOUR_KAFKA_HEAP || '512m';
  if (!/^\d+[mg]$/.test(heap)) {
    throw new UsageError(`RETOUR_KAFKA_HEAP must look like 512m or 1g, got "${heap}"`);
  }
  const jvmOptions = (env.RETOUR_KAFKA_JVM_OPTS || '').split(/\s+/).filter(Boolean);
  const timeoutText = env.RETOUR_KAFKA_START_TIMEOUT || '120';
  const startTimeoutMs = Number(timeoutText) * 1000;
  if (!Number.isFinite(startTimeoutMs) || startTimeoutMs <= 0) {
    throw new UsageError(
      `RETOUR_KAFKA_START_TIMEOUT must be a positive number of seconds, got "${timeoutText}"`,
    );
  }
  const distDir = join(home, 'dist', version);
  // One data folder per broker port, so a CI broker and a dev broker can live side by side.
  const dataDir = join(home, `broker-${port}`);
  return Object.freeze({
    home,
    version,
    port,
    controllerPort,
    saslSslPort,
    heap,
    jvmOptions,
    startTimeoutMs,
    brokers: `${HOST}:${port}`,
    saslSslBrokers: `${HOST}:${saslSslPort}`,
    java: env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java',
    keytool: env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'keytool') : 'keytool',
    mvn: env.RETOUR_KAFKA_MVN || 'mvn',
    mavenRepo: join(home, 'm2'),
    distDir,
    libDir: join(distDir, 'lib'),
    installMarker: join(distDir, 'installed.json'),
    dataDir,
    logDir: join(dataDir, 'logs'),
    logFile: join(dataDir, 'logs', 'server.log'),
    stdoutFile: join(dataDir, 'logs', 'broker.out'),
    storageDir: join(dataDir, 'kraft'),
    stateFile: join(dataDir, 'state.json'),
    pidFile: join(dataDir, 'kafka.pid'),
    propertiesFile: join(dataDir, 'server.properties'),
    lockFile: join(dataDir, 'start.lock'),
    keystoreFile: join(dataDir, 'tls', 'broker.p12'),
    caFile: join(dataDir, 'tls', 'ca.pem'),
  });
}

function parsePort(env, name, fallback) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${name} must be an integer port in 1..65535, got "${text}"`);
  }
  return port;
}

function progress(message) {
  process.stderr.write(`[kafka-local] ${message}\n`);
}

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else, so it is alive (and not ours).
    return error.code === 'EPERM';
  }
}

/** The pid from the pid file when that process is alive and really is a Kafka broker. */
function runningBrokerPid(settings) {
  if (!existsSync(settings.pidFile)) return undefined;
  const pid = Number(readFileSync(settings.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  const cmdlinePath = `/proc/${pid}/cmdline`;
  // A stale pid file may name a pid the system has since given to another program.
  if (existsSync(cmdlinePath) && !readFileSync(cmdlinePath, 'utf8').includes('kafka.Kafka')) {
    return undefined;
  }
  return pid;
}

/**
 * Runs `work` holding an exclusive lock file, so two `start`s (two test runs, a developer and CI)
 * never fetch or format at the same time. A lock left by a dead process is taken over.
 */
async function withLock(lockFile, waitMs, work) {
  mkdirSync(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + waitMs;
  let announced = false;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lockFile} held by pid ${holder}`);
      }
      if (!announced) {
        progress(`waiting for another kafka-local (pid ${holder}) to finish`);
        announced = true;
      }
      await sleep(500);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

async function checkJava(settings) {
  let output;
  try {
    const { stderr } = await execFileAsync(settings.java, ['-version']);
    output = stderr;
  } catch (error) {
    throw new Error(
      `cannot run "${settings.java} -version" (Kafka 4 needs Java 17 or newer; set JAVA_HOME)`,
      { cause: error },
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : NaN;
  if (!(major >= 17)) {
    throw new Error(
      `Kafka 4 needs Java 17 or newer, "${settings.java} -version" says: ${output.split('\n')[0]}`,
    );
  }
}

function readInstallMarker(settings) {
  if (!existsSync(settings.installMarker)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(settings.installMarker, 'utf8'));
    const complete =
      marker.format === INSTALL_FORMAT &&
      marker.kafkaVersion === settings.version &&
      marker.log4jVersion === LOG4J_VERSION &&
      marker.jars.every((jar) => existsSync(join(settings.libDir, jar)));
    return complete ? marker : undefined;
  } catch {
    return undefined;
  }
}

/** Fetches the broker with Maven unless the marker says the cache is already complete. */
async function ensureInstalled(settings) {
  const existing = readInstallMarker(settings);
  if (existing) return existing;
  return withLock(join(settings.home, 'install.lock'), 15 * 60_000, async () => {
    const again = readInstallMarker(settings);
    if (again) return again;
    await checkJava(settings);
    const stagingDir = `${settings.distDir}.partial-${process.pid}`;
    rmSync(stagingDir, { recursive: true, force: true });
    mkdirSync(stagingDir, { recursive: true });
    const pom = readFileSync(join(templateDir, 'pom.template.xml'), 'utf8')
      .replaceAll('@KAFKA_VERSION@', settings.version)
      .replaceAll('@LOG4J_VERSION@', LOG4J_VERSION);
    writeFileSync(join(stagingDir, 'pom.xml'), pom);
    progress(
      `fetching Apache Kafka ${settings.version} from Maven Central into ${settings.distDir} ` +
        '(first run only; may take a few minutes)',
    );
    const started = Date.now();
    const heartbeat = setInterval(
      () => progress(`still fetching... ${Math.round((Date.now() - started) / 1000)}s`),
      15_000,
    );
    try {
      await execFileAsync(
        settings.mvn,
        [
          '-q',
          '-B',
          `-Dmaven.repo.local=${settings.mavenRepo}`,
          '-f',
          join(stagingDir, 'pom.xml'),
          'dependency:copy-dependencies',
          '-DincludeScope=runtime',
          `-DoutputDirectory=${join(stagingDir, 'lib')}`,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (error) {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
      throw new Error(
        `Maven could not fetch org.apache.kafka:kafka_2.13:${settings.version}` +
          (error.code === 'ENOENT' ? ` ("${settings.mvn}" not found; install Maven 3)` : '') +
          (output ? `\n${output}` : ''),
        { cause: error },
      );
    } finally {
      clearInterval(heartbeat);
    }
    const jars = readdirSync(join(stagingDir, 'lib')).filter((name) => name.endsWith('.jar'));
    const storageToolClass = await findStorageTool(settings, join(stagingDir, 'lib'));
    const marker = {
      format: INSTALL_FORMAT,
      kafkaVersion: settings.version,
      log4jVersion: LOG4J_VERSION,
      storageToolClass,
      jars,
      installedAt: new Date().toISOString(),
    };
    writeFileSync(join(stagingDir, 'installed.json'), `${JSON.stringify(marker, null, 2)}\n`);
    rmSync(settings.distDir, { recursive: true, force: true });
    // The rename makes the install appear all at once: a half-fetched folder never has a marker.
    renameSync(stagingDir, settings.distDir);
    progress(`fetched ${jars.length} jars in ${Math.round((Date.now() - started) / 1000)}s`);
    return marker;
  });
}

/** The StorageTool main class moved between packages across 4.x; ask the jars which one they have. */
async function findStorageTool(settings, libDir) {
  for (const mainClass of STORAGE_TOOL_CLASSES) {
    try {
      await execFileAsync(settings.java, [...toolJvmArgs(libDir), mainClass, 'random-uuid']);
      return mainClass;
    } catch {
      // Try the next candidate; the error below lists them all.
    }
  }
  throw new Error(
    `none of ${STORAGE_TOOL_CLASSES.join(', ')} runs from ${libDir}; the Kafka download looks broken`,
  );
}

function toolJvmArgs(libDir) {
  return ['-Xmx256m', '-Dlog4j2.level=warn', '-cp', join(libDir, '*')];
}

/** Kafka's random cluster ids are 16 random bytes in URL-safe base64 without padding. */
function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka's Uuid.randomUuid() also rejects ids starting with '-', which read like CLI options.
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(settings) {
  return `# Written by scripts/kafka-local.mjs at each start; edits are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${settings.controllerPort}
listeners=PLAINTEXT://${HOST}:${settings.port},CONTROLLER://${HOST}:${settings.controllerPort},SASL_SSL://${HOST}:${settings.saslSslPort}
advertised.listeners=PLAINTEXT://${HOST}:${settings.port},SASL_SSL://${HOST}:${settings.saslSslPort}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
# An authenticated, encrypted listener for testing clients' TLS and SASL settings (PLAIN users in
# the JAAS line below; SCRAM users are stored in the cluster metadata by ensureScramUser).
sasl.enabled.mechanisms=${SASL_MECHANISMS.join(',')}
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${SASL_USERNAME}="${SASL_PASSWORD}";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=${settings.keystoreFile}
ssl.keystore.password=${KEYSTORE_PASSWORD}
ssl.key.password=${KEYSTORE_PASSWORD}
log.dirs=${settings.storageDir}
auto.create.topics.enable=true
delete.topic.enable=true
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
# Kafka's default of 50 partitions makes the first consumer group wait on a 2-core machine.
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests start and stop many short-lived consumer groups; the default 3 s delay slows every one.
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=72
log.segment.bytes=67108864
`;
}

function readState(settings) {
  try {
    return JSON.parse(readFileSync(settings.stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Formats KRaft storage on first start, or again when the data belongs to another Kafka version. */
async function ensureFormatted(settings, marker) {
  const state = readState(settings);
  const formatted = existsSync(join(settings.storageDir, 'meta.properties'));
  if (formatted && state?.kafkaVersion === settings.version) return;
  if (formatted) {
    progress(
      `data in ${settings.storageDir} was written by Kafka ${state?.kafkaVersion ?? 'unknown'}; ` +
        `wiping it for ${settings.version}`,
    );
  }
  rmSync(settings.storageDir, { recursive: true, force: true });
  const clusterId = newClusterId();
  progress(`formatting KRaft storage in ${settings.storageDir} (cluster ${clusterId})`);
  try {
    await execFileAsync(settings.java, [
      ...toolJvmArgs(settings.libDir),
      marker.storageToolClass,
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      settings.propertiesFile,
    ]);
  } catch (error) {
    throw new Error(
      `formatting KRaft storage failed:\n${`${error.stdout ?? ''}${error.stderr ?? ''}`.trim()}`,
      { cause: error },
    );
  }
  writeFileSync(
    settings.stateFile,
    `${JSON.stringify({ kafkaVersion: settings.version, clusterId }, null, 2)}\n`,
  );
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made once per data folder with the JDK's
 * keytool (no openssl needed). Clients trust it through `ca.pem`, the same certificate in PEM.
 */
async function ensureTls(settings) {
  if (existsSync(settings.keystoreFile) && existsSync(settings.caFile)) return;
  mkdirSync(dirname(settings.keystoreFile), { recursive: true });
  rmSync(settings.keystoreFile, { force: true });
  const store = ['-keystore', settings.keystoreFile, '-storetype', 'PKCS12', '-storepass', KEYSTORE_PASSWORD];
  try {
    await execFileAsync(settings.keytool, [
      '-genkeypair', '-alias', 'broker', '-keyalg', 'RSA', '-keysize', '2048', '-validity', '3650',
      '-dname', 'CN=127.0.0.1, O=Retour local Kafka broker',
      '-ext', 'SAN=ip:127.0.0.1,dns:localhost',
      '-keypass', KEYSTORE_PASSWORD, ...store,
    ]);
    await execFileAsync(settings.keytool, ['-exportcert', '-rfc', '-alias', 'broker', '-file', settings.caFile, ...store]);
  } catch (error) {
    throw new Error(
      `creating the SASL_SSL listener's certificate with "${settings.keytool}" failed (it comes with the JDK; set JAVA_HOME):\n` +
        `${`${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || error.message}`,
      { cause: error },
    );
  }
}

/**
 * SCRAM credentials live in the cluster metadata, so they are added through the running broker
 * (Kafka's ConfigCommand, one JVM start) once per data folder; state.json remembers it.
 */
async function ensureScramUser(settings) {
  const state = readState(settings);
  if (state?.scramUser === SASL_USERNAME) return;
  progress(`adding SCRAM user "${SASL_USERNAME}" for the SASL_SSL listener`);
  // One mechanism per call: the broker refuses two credentials of one user in one request.
  for (const mechanism of SASL_MECHANISMS.filter((name) => name.startsWith('SCRAM'))) {
    try {
      await execFileAsync(settings.java, [
        ...toolJvmArgs(settings.libDir),
        'kafka.admin.ConfigCommand',
        '--bootstrap-server', settings.brokers,
        '--alter', '--add-config', `${mechanism}=[password=${SASL_PASSWORD}]`,
        '--entity-type', 'users', '--entity-name', SASL_USERNAME,
      ]);
    } catch (error) {
      throw new Error(
        `adding the ${mechanism} user failed:\n${`${error.stdout ?? ''}${error.stderr ?? ''}`.trim()}`,
        { cause: error },
      );
    }
  }
  writeFileSync(settings.stateFile, `${JSON.stringify({ ...state, scramUser: SASL_USERNAME }, null, 2)}\n`);
}

/** What a client needs to reach the SASL_SSL listener (status --json prints it). */
function saslSslDescription(settings) {
  return {
    brokers: settings.saslSslBrokers,
    caFile: settings.caFile,
    username: SASL_USERNAME,
    password: SASL_PASSWORD,
    mechanisms: SASL_MECHANISMS.map((name) => name.toLowerCase()),
  };
}

const PORT_VARIABLES = {
  broker: 'RETOUR_KAFKA_PORT',
  controller: 'RETOUR_KAFKA_CONTROLLER_PORT',
  'SASL_SSL listener': 'RETOUR_KAFKA_SASL_SSL_PORT',
};

function assertPortFree(port, role) {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', (error) =>
      fail(
        new Error(
          `${role} port ${HOST}:${port} is already in use by another program ` +
            `(${error.code}); stop it or choose another port with ` +
            PORT_VARIABLES[role],
        ),
      ),
    );
    server.listen(port, HOST, () => server.close(() => done()));
  });
}

function launchBroker(settings) {
  mkdirSync(settings.logDir, { recursive: true });
  copyFileSync(join(templateDir, 'log4j2.xml'), join(settings.dataDir, 'log4j2.xml'));
  // Left by a test run's teardown that handed a broker it started over to other runs; it names
  // the previous broker, not this one, which may be a developer's own.
  rmSync(join(settings.dataDir, 'leases', 'stop-when-unused'), { force: true });
  const out = openSync(settings.stdoutFile, 'a');
  const child = spawn(
    settings.java,
    [
      `-Xms${settings.heap}`,
      `-Xmx${settings.heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:+ExitOnOutOfMemoryError',
      // C1 only: on the shared 2-core machine this cut start-up from 15-35 s to 6-12 s and keeps
      // the broker's JIT from competing with tests. Full JIT: RETOUR_KAFKA_JVM_OPTS=-XX:TieredStopAtLevel=4
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${settings.logDir}`,
      `-Dlog4j2.configurationFile=${join(settings.dataDir, 'log4j2.xml')}`,
      ...settings.jvmOptions,
      '-cp',
      join(settings.libDir, '*'),
      'kafka.Kafka',
      settings.propertiesFile,
    ],
    // Detached with its own session: the broker outlives this script and the terminal.
    { detached: true, stdio: ['ignore', out, out], cwd: settings.dataDir },
  );
  closeSync(out);
  child.unref();
  writeFileSync(settings.pidFile, `${child.pid}\n`);
  return child.pid;
}

function fileSize(file) {
  return existsSync(file) ? statSync(file).size : 0;
}

/**
 * The last warnings and errors a broker log got since byte `from` (its INFO lines bury the
 * cause; earlier runs' lines would mislead), else its last lines.
 */
function tail(file, lines, from = 0) {
  let all;
  try {
    const buffer = readFileSync(file);
    // A rolled-over log is smaller than the recorded offset: then all of it is new.
    const text = buffer.subarray(from <= buffer.length ? from : 0).toString('utf8').trimEnd();
    if (text === '') return '(nothing written)';
    all = text.split('\n');
  } catch {
    return '(no log written)';
  }
  const problems = all.filter((line) => /^\[[^\]]+\] (WARN|ERROR|FATAL) /.test(line));
  return (problems.length > 0 ? problems : all).slice(-lines).join('\n');
}

/** kafkajs from the project's node_modules, with a hint instead of a stack when it is missing. */
async function loadKafkajs() {
  try {
    return await import('kafkajs');
  } catch (error) {
    throw new Error('cannot load kafkajs, which checks that the broker is ready; run `npm ci` first', {
      cause: error,
    });
  }
}

/**
 * One metadata round trip with kafkajs, the client the project uses: proof the broker serves.
 * With `coordinators`, also waits until the group and transaction coordinators answer: after a
 * (re)start they load __consumer_offsets / __transaction_state and ask the controller for producer
 * ids, and until then clients get retriable errors that kafkajs logs as ERROR in every first test.
 */
async function probe(settings, { coordinators = false } = {}) {
  const { Kafka, logLevel } = await loadKafkajs();
  const kafka = new Kafka({
    clientId: 'retour-kafka-local',
    brokers: [settings.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    if (coordinators) {
      await admin.fetchOffsets({ groupId: 'retour-kafka-local-probe' });
      const producer = kafka.producer({
        transactionalId: 'retour-kafka-local-probe',
        idempotent: true,
        maxInFlightRequests: 1,
        // kafkajs refuses an idempotent producer without retries; the client-wide 0 is for probes.
        retry: { retries: 2 },
      });
      try {
        await producer.connect();
        const transaction = await producer.transaction();
        await transaction.abort();
      } finally {
        await producer.disconnect().catch(() => {});
      }
    }
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

async function waitUntilReady(settings, pid, logStart = { server: 0, out: 0 }) {
  const deadline = Date.now() + settings.startTimeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (pid !== undefined && !isAlive(pid)) {
      throw new Error(
        `the broker (pid ${pid}) exited during start-up. Log ${settings.logFile}:\n` +
          `${tail(settings.logFile, 20, logStart.server)}\nJVM output ${settings.stdoutFile}:\n` +
          tail(settings.stdoutFile, 15, logStart.out),
      );
    }
    try {
      await probe(settings, { coordinators: true });
      return;
    } catch (error) {
      lastError = error;
      await sleep(500);
    }
  }
  throw new Error(
    `the broker did not answer a metadata request on ${settings.brokers} within ` +
      `${settings.startTimeoutMs / 1000}s (last error: ${lastError?.message ?? 'none'}). ` +
      `See ${settings.logFile}:\n${tail(settings.logFile, 20, logStart.server)}`,
    { cause: lastError },
  );
}

async function start(settings) {
  const begun = Date.now();
  await loadKafkajs();
  await withLock(settings.lockFile, 20 * 60_000, async () => {
    const running = runningBrokerPid(settings);
    if (running !== undefined) {
      progress(`already running (pid ${running}) on ${settings.brokers}`);
      await waitUntilReady(settings, running);
      return;
    }
    // Ports first: a busy port should fail in a second, not after a Maven download.
    await assertPortFree(settings.port, 'broker');
    await assertPortFree(settings.controllerPort, 'controller');
    await assertPortFree(settings.saslSslPort, 'SASL_SSL listener');
    const marker = await ensureInstalled(settings);
    await checkJava(settings);
    mkdirSync(settings.dataDir, { recursive: true });
    await ensureTls(settings);
    writeFileSync(settings.propertiesFile, serverProperties(settings));
    await ensureFormatted(settings, marker);
    const logStart = { server: fileSize(settings.logFile), out: fileSize(settings.stdoutFile) };
    const pid = launchBroker(settings);
    progress(`starting Kafka ${settings.version} (pid ${pid}), log ${settings.logFile}`);
    try {
      await waitUntilReady(settings, pid, logStart);
      await ensureScramUser(settings);
    } catch (error) {
      // Leave nothing half-started behind: a broker that never became ready is stopped.
      await stopPid(settings, pid);
      throw error;
    }
    progress(`ready on ${settings.brokers} after ${((Date.now() - begun) / 1000).toFixed(1)}s`);
  });
  process.stdout.write(`RETOUR_KAFKA_BROKERS=${settings.brokers}\n`);
}

async function stopPid(settings, pid) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
  // A clean shutdown of one combined node takes a few seconds; a kill would force log recovery
  // on the next start, which is slower.
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(pid)) {
    progress(`pid ${pid} ignored SIGTERM for 30s; sending SIGKILL`);
    try {
      process.kill(pid, 'SIGKILL');
    } catch (error) {
      if (error.code !== 'ESRCH') throw error;
    }
    while (isAlive(pid)) await sleep(100);
  }
  rmSync(settings.pidFile, { force: true });
}

async function stop(settings) {
  const pid = runningBrokerPid(settings);
  if (pid === undefined) {
    rmSync(settings.pidFile, { force: true });
    progress(`no broker running for port ${settings.port}`);
    return;
  }
  progress(`stopping Kafka (pid ${pid})`);
  await stopPid(settings, pid);
  progress('stopped');
}

async function status(settings, asJson) {
  const pid = runningBrokerPid(settings);
  let ready = false;
  if (pid !== undefined) {
    try {
      await probe(settings);
      ready = true;
    } catch {
      ready = false;
    }
  }
  const report = {
    running: pid !== undefined,
    ready,
    pid: pid ?? null,
    brokers: settings.brokers,
    kafkaVersion: settings.version,
    installed: readInstallMarker(settings) !== undefined,
    home: settings.home,
    dataDir: settings.dataDir,
    logFile: settings.logFile,
    saslSsl: saslSslDescription(settings),
  };
  if (asJson) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const state = pid === undefined ? 'not running' : ready ? `running (pid ${pid})` : `starting or unresponsive (pid ${pid})`;
    process.stdout.write(
      `kafka ${settings.version}: ${state}\n` +
        `cache: ${settings.home}${report.installed ? '' : ' (not fetched yet)'}\n` +
        `log: ${settings.logFile}\n`,
    );
    if (pid !== undefined) process.stdout.write(`RETOUR_KAFKA_BROKERS=${settings.brokers}\n`);
  }
  // LSB convention: 3 means "not running", so shell scripts can branch on the exit code.
  process.exitCode = ready ? 0 : pid === undefined ? 3 : 1;
}

async function main(argv) {
  const [command, ...rest] = argv;
  const settings = readSettings(process.env);
  // kafkajs warns about its partitioner change on every producer; this script has none.
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';
  switch (command) {
    case 'start':
      return start(settings);
    case 'stop':
      return stop(settings);
    case 'status':
      return status(settings, rest.includes('--json'));
    default:
      throw new UsageError(
        `unknown command "${command ?? ''}"; use: node scripts/kafka-local.mjs start|stop|status [--json]`,
      );
  }
}

main(process.argv.slice(2)).catch((error) => {
  progress(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
