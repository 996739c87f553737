#!/usr/bin/env node
// Argument parsing only; each command's module is loaded when it runs, so `--version` and
// `explain` do not pay for the collectors.
import type { Command as CommandT } from 'commander';
import { VERSION } from '../version.js';
import { UsageError } from './target.js';

async function main(argv: string[]): Promise<number> {
  // the hottest path (scripts, health checks) does not need the argument parser at all
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (process.env.PORTDOCTOR_TRACE === '1') process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms main\n`);
  // the hot path of an incident, `diagnose TARGET [--json]`, skips loading the argument parser
  const rest = argv.slice(2);
  if (
    rest[0] === 'diagnose' &&
    rest.length <= 3 &&
    rest.slice(1).every((a) => a === '--json' || /^[\w.:[\]/]+$/.test(a)) &&
    rest.filter((a) => a !== '--json').length === 2
  ) {
    const target = rest.find((a, i) => i > 0 && a !== '--json');
    try {
      return await (await import('./commands/diagnose.js')).runDiagnose(target, { json: rest.includes('--json') });
    } catch (e) {
      if (e instanceof UsageError || (e as Error).name === 'SnapshotFileError') {
        process.stderr.write(`portdoctor: ${(e as Error).message}\n`);
        return 2;
      }
      process.stderr.write(
        `portdoctor: internal error: ${(e as Error).message}\n(please report it with the command you ran; nothing on the host was changed)\n`,
      );
      return 2;
    }
  }
  const { Command, CommanderError } = await import('commander');
  if (process.env.PORTDOCTOR_TRACE === '1')
    process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms commander loaded\n`);
  const program: CommandT = new Command();
  let code = 0;
  program
    .name('portdoctor')
    .description('Who really holds a host port, why docker run -p / compose refused it, and how to reclaim it.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run portdoctor --help for usage)');

  program
    .command('diagnose')
    .argument('[target]', 'PORT[/PROTO] | IP:PORT[/PROTO]')
    .description('would docker run -p TARGET be refused or mis-routed here, and by whom?')
    .option(
      '--error <text>',
      'the error you saw (- reads it from stdin); its stage, IP, port and proto sharpen the verdict',
    )
    .option('--json', 'machine-readable output')
    .option('--from <file>', 'replay a snapshot saved by `portdoctor collect --out` (no host access)')
    .option('--timeout <ms>', 'per-collector timeout in milliseconds')
    .action(async (target: string | undefined, o) => {
      const m = await import('./commands/diagnose.js');
      if (process.env.PORTDOCTOR_TRACE === '1')
        process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms diagnose loaded\n`);
      code = await m.runDiagnose(target, o);
    });

  program
    .command('explain')
    .argument('[text...]', 'the error text, or - for stdin (a whole docker compose up log works)')
    .description('read a port-publish error from any engine, offline: which stage refused the port, and what next')
    .option('--json', 'machine-readable output')
    .option('--rootless', 'the message comes from rootless Docker (disambiguates proxy timeouts)')
    .action(async (text: string[], o) => {
      code = await (await import('./commands/explain.js')).runExplain(text, o);
    });

  program
    .command('fix')
    .argument('[target]', 'PORT[/PROTO] | IP:PORT[/PROTO]')
    .description(
      'plan how to reclaim the port (printed); --apply runs only the safe [fix] steps, re-checking each first',
    )
    .option('--apply', 'run the [fix] steps of the first plan (asks before each step on a terminal)')
    .option('--yes', 'do not ask (needed with --apply when there is no terminal)')
    .option('--undo', 'replay the inverse steps of the last applied fix')
    .option('--suggest-port', 'find the nearest free host port on that IP/proto')
    .option('--error <text>', 'the error you saw (- for stdin)')
    .option('--json', 'machine-readable plan')
    .action(async (target: string | undefined, o) => {
      code = await (await import('./commands/fix.js')).runFix(target, o);
    });

  program
    .command('lint')
    .argument('[files...]', 'compose files, each its own project (default: the compose files of this directory)')
    .description('catch port clashes in compose files before deploy')
    .option('-f, --file <file...>', 'compose files merged into one project, as docker compose -f does')
    .option('--profile <name...>', 'enable these compose profiles')
    .option('-p, --project-name <name>', 'project name (default: the directory name or `name:`)')
    .option('--env-file <file>', 'variables file (default: .env next to the first compose file)')
    .option('--format <format>', 'human | json | sarif | github', 'human')
    .option('--against-host', "also check this host's listeners, running containers and DNAT rules")
    .option('--fix', 'propose the nearest free host port for each clash (shows a diff)')
    .option('--write', 'write the --fix edits into the files')
    .option('--config <file>', 'rule levels: {"rules": {"missing-host-ip": "off"}} (default: .portdoctor.json|yml)')
    .action(async (files: string[], o) => {
      code = await (await import('./commands/lint.js')).runLint(files, o);
    });

  program
    .command('ports')
    .description("the host's whole port map: listened on, published, allocated or DNATed, with owners and status")
    .option('--port <port...>', 'only these ports')
    .option('--conflicts', 'only entries that are not ok')
    .option('--json', 'machine-readable: {ports:[{proto, ip, port, status, owners:[…]}]}')
    .option('--from <file>', 'read a saved snapshot instead of this host')
    .action(async (o) => {
      code = await (await import('./commands/ports.js')).runPorts(o);
    });

  program
    .command('watch')
    .description('follow Docker events; diagnose the host the moment a start fails on a port or a container loops')
    .option('--json', 'one JSON object a line on stdout {time, event, container, cause, …} (humans get stderr)')
    .option('--restart-threshold <n>', 'deaths within 2 minutes that make a restart loop', '3')
    .action(async (o) => {
      code = await (await import('./commands/watch.js')).runWatch(o);
    });

  program
    .command('exporter')
    .description(
      'Prometheus exporter: sockets, published ports, DNAT and orphan rules, conntrack, daemon log errors, start failures, findings',
    )
    .option('--listen <ip:port>', 'where to serve /metrics', '127.0.0.1:9468')
    .option('--cache-seconds <s>', 'reuse a collection for this long across scrapes', '10')
    .option('--no-events', 'do not follow the Docker events stream (no start-failure/restart counters)')
    .action(async (o) => {
      code = await (await import('./commands/exporter.js')).runExporter(o);
    });

  program
    .command('collect')
    .description('save a redacted snapshot of this host (sockets, owners, containers, NAT rules) for replay')
    .option('--out <file>', 'where to write the snapshot JSON')
    .option('--port <port...>', 'limit to these ports (default: the whole host)')
    .action(async (o) => {
      code = await (await import('./commands/collect.js')).runCollect(o);
    });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return 0;
      return 2;
    }
    if (e instanceof UsageError || (e as Error).name === 'SnapshotFileError') {
      process.stderr.write(`portdoctor: ${(e as Error).message}\n`);
      return 2;
    }
    process.stderr.write(
      `portdoctor: internal error: ${(e as Error).message}\n(please report it with the command you ran; nothing on the host was changed)\n`,
    );
    return 2;
  }
  return code;
}

main(process.argv).then((c) => {
  process.exitCode = c;
  if (process.env.PORTDOCTOR_TRACE === '1') process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms exit\n`);
});
