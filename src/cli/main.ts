#!/usr/bin/env node
// Argument parsing only; each command's module is loaded when it runs, so `--version` and
// `explain` do not pay for the collectors.
import type { Command as CommandT } from 'commander';
import { VERSION } from '../version.js';
import { EXIT } from './exit.js';
import { helpAfter, programHelpAfter } from './help.js';
import { loadDiagnose } from './fast-load.js';
import { exitQuietlyOnEpipe, setColor } from './output.js';
import { pluginArgv } from './plugin.js';
import { isUsageError, UsageError } from './target.js';

const internalError = (e: unknown): number => {
  process.stderr.write(
    `portdoctor: internal error: ${(e as Error).message}\n(please report it with the command you ran; nothing on the host was changed)\n`,
  );
  return EXIT.internal;
};

async function main(rawArgv: string[]): Promise<number> {
  exitQuietlyOnEpipe();
  // run by the docker CLI as `docker portdoctor …`: answer its metadata query, drop its own arguments
  const plugin = pluginArgv(rawArgv, process.env);
  if (plugin.metadata) {
    process.stdout.write(`${JSON.stringify(plugin.metadata)}\n`);
    return EXIT.ok;
  }
  // --no-color is global (any position before `--`): taken out here so the fast path below sees it too
  const end = plugin.argv.indexOf('--');
  const argv = plugin.argv.filter((a, i) => {
    if (a !== '--no-color' || (end >= 0 && i > end)) return true;
    setColor(false);
    return false;
  });
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
      return await (await loadDiagnose(import.meta.url)).runDiagnose(target, { json: rest.includes('--json') });
    } catch (e) {
      if (isUsageError(e) || (e as Error).name === 'SnapshotFileError') {
        process.stderr.write(`portdoctor: ${(e as Error).message}\n`);
        return EXIT.usage;
      }
      return internalError(e);
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
    .option('--no-color', 'no colour in the output (also NO_COLOR=1; FORCE_COLOR=1 forces it)')
    .addHelpText('after', programHelpAfter())
    .showHelpAfterError('(run portdoctor --help for usage)');

  program
    .command('diagnose')
    .addHelpText('after', helpAfter('diagnose'))
    .argument('[target]', 'PORT[/PROTO] | IP:PORT[/PROTO]')
    .description('would docker run -p TARGET be refused or mis-routed here, and by whom?')
    .option(
      '--error <text>',
      'the error you saw (- reads it from stdin); its stage, IP, port and proto sharpen the verdict',
    )
    .option('--json', 'machine-readable output')
    .option('--from <file>', 'replay a snapshot saved by `portdoctor collect --out` (no host access)')
    .option('--timeout <ms>', 'per-collector timeout in milliseconds')
    .option('--no-probe', "do not ask the kernel the engine's own bind (the verdict then rests on the model alone)")
    .action(async (target: string | undefined, o) => {
      const m = await loadDiagnose(import.meta.url);
      if (process.env.PORTDOCTOR_TRACE === '1')
        process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms diagnose loaded\n`);
      code = await m.runDiagnose(target, o);
    });

  program
    .command('explain')
    .addHelpText('after', helpAfter('explain'))
    .argument('[text...]', 'the error text, or - for stdin (a whole docker compose up log works)')
    .description('read a port-publish error from any engine, offline: which stage refused the port, and what next')
    .option('--json', 'machine-readable output')
    .option('--rootless', 'the message comes from rootless Docker (disambiguates proxy timeouts)')
    .action(async (text: string[], o) => {
      code = await (await import('./commands/explain.js')).runExplain(text, o);
    });

  program
    .command('fix')
    .addHelpText('after', helpAfter('fix'))
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
    .addHelpText('after', helpAfter('lint'))
    .argument('[files...]', 'compose files, each its own project (default: the compose files of this directory)')
    .description('catch port clashes in compose files before deploy')
    .option('-f, --file <file...>', 'compose files merged into one project, as docker compose -f does')
    .option(
      '--project <[name=]files>',
      'one more project: its compose files comma-separated, merged as -f does (repeat for each project)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--profile <name...>', 'enable these compose profiles')
    .option('-p, --project-name <name>', 'project name (default: the directory name or `name:`)')
    .option('--env-file <file>', 'variables file (default: .env next to the first compose file)')
    .option('--format <format>', 'human | json | sarif | github', 'human')
    .option('--json', 'the same as --format json')
    .option('--against-host', "also check this host's listeners, running containers and DNAT rules")
    .option('--fix', 'propose the nearest free host port for each clash (shows a diff)')
    .option('--write', 'write the --fix edits into the files')
    .option('--config <file>', 'rule levels: {"rules": {"missing-host-ip": "off"}} (default: .portdoctor.json|yml)')
    .action(async (files: string[], o) => {
      code = await (await import('./commands/lint.js')).runLint(files, o);
    });

  program
    .command('ports')
    .addHelpText('after', helpAfter('ports'))
    .description("the host's whole port map: listened on, published, allocated or DNATed, with owners and status")
    .option('--port <port...>', 'only these ports')
    .option('--conflicts', 'only entries that are not ok')
    .option('--no-trunc', 'never shorten the owners column (it is never shortened when stdout is not a terminal)')
    .option('--json', 'machine-readable: {ports:[{proto, ip, port, status, owners:[…]}]}')
    .option('--from <file>', 'read a saved snapshot instead of this host')
    .action(async (o) => {
      code = await (await import('./commands/ports.js')).runPorts(o);
    });

  program
    .command('watch')
    .addHelpText('after', helpAfter('watch'))
    .description('follow Docker events; diagnose the host the moment a start fails on a port or a container loops')
    .option('--json', 'one JSON object a line on stdout {time, event, container, cause, …} (humans get stderr)')
    .option('--restart-threshold <n>', 'deaths within 2 minutes that make a restart loop', '3')
    .action(async (o) => {
      code = await (await import('./commands/watch.js')).runWatch(o);
    });

  program
    .command('exporter')
    .addHelpText('after', helpAfter('exporter'))
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
    .command('trace')
    .addHelpText('after', helpAfter('trace'))
    .argument('[target]', 'PORT[/PROTO] | IP:PORT[/PROTO] (the address the client connects to)')
    .description('the path of a new connection to the port, hop by hop: table, chain, rule, verdict, who answers')
    .option(
      '--from <origin>',
      'outside | host | host:loopback | host:address | container:NAME[@NETWORK] (default: outside and host)',
    )
    .option(
      '--json',
      'machine-readable: {schema, walks:[{spec, packet, paths:[{hops, outcome, assumptions}], outcome}]}',
    )
    .option('--snapshot <file>', 'read a snapshot saved by `portdoctor collect --out` (no host access)')
    .option('--timeout <ms>', 'per-collector timeout in milliseconds')
    .action(async (target: string | undefined, o) => {
      code = await (await import('./commands/trace.js')).runTrace(target, o);
    });

  program
    .command('collect')
    .addHelpText('after', helpAfter('collect'))
    .description('save a redacted snapshot of this host (sockets, owners, containers, NAT rules) for replay')
    .option('--out <file>', 'where to write the snapshot JSON (mode 0600; - for stdout)')
    .option('--force', 'replace --out if it exists (a symbolic link is never written through)')
    .option('--port <port...>', 'limit to these ports (default: the whole host)')
    .option('--no-probe', 'do not record the bind probe for the ports given')
    .action(async (o) => {
      code = await (await import('./commands/collect.js')).runCollect(o);
    });

  program
    .command('completion')
    .addHelpText('after', helpAfter('completion'))
    .argument('<shell>', 'bash | zsh | fish')
    .description('print a shell completion script, generated from these very command definitions')
    .action(async (shell: string) => {
      const m = await import('./completion.js');
      const gen = { bash: m.bashCompletion, zsh: m.zshCompletion, fish: m.fishCompletion }[shell];
      if (!gen) throw new UsageError(`completion "${shell}": use bash, zsh or fish`);
      process.stdout.write(gen(m.specOf(program)));
    });

  // the man page, for the package builds (npm run gen:man); generated from the same definitions
  program
    .command('manpage', { hidden: true })
    .option('--date <yyyy-mm-dd>', 'the date in the page header')
    .action(async (o: { date?: string }) => {
      const m = await import('./completion.js');
      process.stdout.write(m.manPage(m.specOf(program), VERSION, o.date ?? new Date().toISOString().slice(0, 10)));
    });

  // bare `portdoctor`: the usage on stdout, as docker does
  if (argv.length === 2) {
    program.outputHelp();
    return EXIT.ok;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help')
        return EXIT.ok;
      return EXIT.usage;
    }
    if (isUsageError(e) || (e as Error).name === 'SnapshotFileError') {
      process.stderr.write(`portdoctor: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    return internalError(e);
  }
  return code;
}

main(process.argv).then((c) => {
  process.exitCode = c;
  if (process.env.PORTDOCTOR_TRACE === '1') process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms exit\n`);
});
