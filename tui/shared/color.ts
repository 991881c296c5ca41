/** Whether realmchat colors its output: the one rule the shell and the full-screen client share. */

/**
 * Whether to color: --color/--no-color win; then NO_COLOR (any non-empty value, see no-color.org) turns colors off
 * and FORCE_COLOR (other than 0) on; otherwise only on a terminal that is not `dumb`.
 */
export function shouldColor(options: {isTTY: boolean; env: NodeJS.ProcessEnv; flag?: boolean}): boolean {
  if (options.flag !== undefined) return options.flag;
  const {env} = options;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return options.isTTY && env.TERM !== 'dumb';
}
