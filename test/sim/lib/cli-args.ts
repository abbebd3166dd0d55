// Argument helpers shared by the simulators' command lines: a usage error exits 2.

export interface CliArgs {
  usage(message: string): never;
  /** A non-negative integer option, or undefined when absent. */
  count(name: string, text: string | undefined): number | undefined;
}

export function cliArgs(program: string, usageLine: string): CliArgs {
  const usage = (message: string): never => {
    console.error(`${program}: ${message}`);
    console.error(usageLine);
    process.exit(2);
  };
  const count = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 0)
      usage(`--${name} must be a non-negative integer`);
    return value;
  };
  return { usage, count };
}
