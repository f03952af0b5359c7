/**
 * The launchd property list of a service, as text: a pure function of the options. Strings are
 * XML-escaped (`&`, `<`, `>`, and a carriage return as `&#13;`, which XML would otherwise turn into
 * a line feed), so every argument, path and environment value reads back exactly; characters XML
 * 1.0 cannot carry at all (other control characters) are refused.
 */
import { unxml, xml } from './xml-text.js';
import { type ServiceConfig, type ServiceOptions, checkPosixUser, requireAbsoluteCommand, resolveServiceConfig } from './options.js';

/**
 * Renders the plist of a service (`NAME.plist`): Label, ProgramArguments, WorkingDirectory,
 * EnvironmentVariables, StandardOutPath/StandardErrorPath, UserName (system daemons only),
 * RunAtLoad, KeepAlive (`true`, `{ SuccessfulExit: false }` for on-failure, `false`),
 * ThrottleInterval (the restart delay, whole seconds, at least 1) and ExitTimeOut (the kill
 * timeout, whole seconds, at least 1: launchd reads 0 as "never"). Pure.
 *
 * @throws TypeError/RangeError for bad options; XDaemonError for a value a plist cannot hold.
 */
export function renderLaunchdPlist(options: ServiceOptions): string {
  return launchdPlist(resolveServiceConfig(options));
}

/** The plist of a resolved configuration. */
export function launchdPlist(c: ServiceConfig): string {
  requireAbsoluteCommand(c);
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
  ];
  const key = (name: string): number => lines.push(`\t<key>${name}</key>`);
  const string = (name: string, value: string): void => {
    key(name);
    lines.push(`\t<string>${xml(name, value)}</string>`);
  };
  string('Label', c.name);
  key('ProgramArguments');
  lines.push('\t<array>', ...[c.command, ...c.args].map((arg) => `\t\t<string>${xml('ProgramArguments', arg)}</string>`), '\t</array>');
  string('WorkingDirectory', c.workingDirectory);
  const env = Object.entries(c.env);
  if (env.length > 0) {
    key('EnvironmentVariables');
    lines.push('\t<dict>');
    for (const [name, value] of env) lines.push(`\t\t<key>${name}</key>`, `\t\t<string>${xml(`EnvironmentVariables.${name}`, value)}</string>`);
    lines.push('\t</dict>');
  }
  // launchd discards what has no path: stderr follows stdout unless it has its own file.
  const errFile = c.errFile ?? c.logFile;
  if (c.logFile !== undefined) string('StandardOutPath', c.logFile);
  if (errFile !== undefined) string('StandardErrorPath', errFile);
  if (c.user !== undefined && !c.userService) {
    checkPosixUser(c.user, 'launchd');
    string('UserName', c.user);
  }
  key('RunAtLoad');
  lines.push('\t<true/>');
  key('KeepAlive');
  if (c.restart === 'always') lines.push('\t<true/>');
  else if (c.restart === 'never') lines.push('\t<false/>');
  else lines.push('\t<dict>', '\t\t<key>SuccessfulExit</key>', '\t\t<false/>', '\t</dict>');
  key('ThrottleInterval');
  lines.push(`\t<integer>${Math.max(1, Math.ceil(c.restartDelay / 1000))}</integer>`);
  key('ExitTimeOut');
  lines.push(`\t<integer>${Math.max(1, Math.ceil(c.killTimeout / 1000))}</integer>`);
  lines.push('</dict>', '</plist>', '');
  return lines.join('\n');
}

/** The executable a plist written by {@link launchdPlist} runs (its first ProgramArguments string). */
export function plistExecutable(plist: string): string | undefined {
  const m = /<key>ProgramArguments<\/key>\s*<array>\s*<string>([^<]*)<\/string>/.exec(plist);
  return m === null ? undefined : unxml(m[1] as string);
}

/** The `StandardOutPath` or `StandardErrorPath` of a plist written by {@link launchdPlist}, if it has one. */
export function plistPath(plist: string, key: 'StandardOutPath' | 'StandardErrorPath'): string | undefined {
  const m = new RegExp(`<key>${key}</key>\\s*<string>([^<]*)</string>`).exec(plist);
  return m === null ? undefined : unxml(m[1] as string);
}
