// mqadmin: the operator's command line over the Admin client. Readable tables by default, JSON
// with --json. Exit codes: 0 success, 1 the command failed (one line on stderr naming the
// broker or NameServer address and the code), 2 usage error. The only mqadmin module that
// writes to the console or exits.

import { Admin } from '../client/admin.js';
import { ErrorCode, MqError } from '../common/errors.js';
import { parseMqadminArgs } from './mqadmin-args.js';
import { isControllerCommand, runControllerCommand } from './mqadmin-controller.js';
import { isOpsCommand, runOpsCommand } from './mqadmin-ops.js';
import { type CommandOutput, describeError, runCommand } from './mqadmin-run.js';
import { toolsCredentials } from './tools-credentials.js';

const ExitCode = { OK: 0, FAILURE: 1, USAGE: 2 } as const;

function print(isJson: boolean, output: CommandOutput): void {
  process.stdout.write(isJson ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  let outcome: ReturnType<typeof parseMqadminArgs>;
  try {
    outcome = parseMqadminArgs(argv, process.env);
  } catch (error) {
    console.error(describeError(argv[0] ?? '', error));
    return ExitCode.USAGE;
  }
  if (outcome.kind === 'help') {
    process.stdout.write(outcome.text);
    return ExitCode.OK;
  }
  const { parsed } = outcome;
  if (isControllerCommand(parsed.command)) {
    try {
      print(parsed.isJson, await runControllerCommand(parsed));
      return ExitCode.OK;
    } catch (error) {
      console.error(describeError(parsed.command, error));
      const isUsage = error instanceof MqError && error.code === ErrorCode.USAGE;
      return isUsage ? ExitCode.USAGE : ExitCode.FAILURE;
    }
  }
  let admin: Admin;
  try {
    admin = new Admin({
      namesrvAddr: parsed.namesrvAddr,
      requestTimeoutMs: 5000,
      ...toolsCredentials(process.env),
    });
  } catch (error) {
    console.error(describeError(parsed.command, error));
    return ExitCode.USAGE;
  }
  try {
    await admin.start();
    const output = isOpsCommand(parsed.command)
      ? await runOpsCommand(parsed)
      : await runCommand(parsed, admin);
    print(parsed.isJson, output);
    return ExitCode.OK;
  } catch (error) {
    console.error(describeError(parsed.command, error));
    const isUsage =
      error instanceof TypeError || (error instanceof MqError && error.code === ErrorCode.USAGE);
    return isUsage ? ExitCode.USAGE : ExitCode.FAILURE;
  } finally {
    await admin.shutdown();
  }
}

process.on('unhandledRejection', (reason) => {
  console.error(`mqadmin: unhandled rejection: ${String(reason)}`);
  process.exit(ExitCode.FAILURE);
});

process.exitCode = await main(process.argv.slice(2));
