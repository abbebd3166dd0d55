// The config step both server commands (mqnamesrv, mqbroker) share: `-c file`, `--lenient` and
// `--key=value` overrides feed the config loader; `-h` prints the usage and `-p` the effective
// config, and the command then ends. mqbroker also takes `-n namesrvAddr`.

import type { LoadConfigOptions, LoadedConfig } from '../config/load.js';
import { printEffectiveConfig } from '../config/to-options.js';
import { parseCliArgs, say } from './cli-kit.js';

/** The loaded config, or null when `-h` or `-p` has been answered and the command is done. */
export function loadServerConfig<T extends object>(
  usage: string,
  load: (options: LoadConfigOptions) => LoadedConfig<T>,
  options: { takesNamesrvAddr?: boolean } = {},
): LoadedConfig<T> | null {
  const args = parseCliArgs(process.argv.slice(2), {
    withValue: options.takesNamesrvAddr === true ? ['-c', '-n'] : ['-c'],
    flags: ['-p', '-h', '--help', '--lenient'],
  });
  if (args.flags.has('-h') || args.flags.has('--help')) {
    say(usage);
    return null;
  }
  const file = args.values.get('-c');
  const namesrvAddr = args.values.get('-n');
  const loaded = load({
    ...(file === undefined ? {} : { file }),
    overrides: { ...args.overrides, ...(namesrvAddr === undefined ? {} : { namesrvAddr }) },
    lenient: args.flags.has('--lenient'),
  });
  if (args.flags.has('-p')) {
    process.stdout.write(printEffectiveConfig(loaded));
    return null;
  }
  return loaded;
}
