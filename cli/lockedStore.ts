import type { StoreLockedError } from '../store/errors.js';
import { describeProcess, readLockHolder } from '../store/lockHolder.js';
import { CliError } from './errors.js';

/**
 * Explains a locked file with advice that works for whoever holds it: an agentpulse server that
 * advertises itself but does not answer, or a process that does not serve (usually an app writing
 * with the embedded store, which lets go of the file after a few idle seconds).
 * `need` says what the command could not do without the file, when going through a server is no help.
 */
export function lockedStoreError(err: StoreLockedError, db: string, need?: string): CliError {
  const pid = err.holderPid ?? readLockHolder(db)?.pid ?? null;
  const what = pid ? describeProcess(pid) : null;
  const who = pid ? `PID ${pid}${what ? ` (${what})` : ''}` : 'another process';
  const advert = readLockHolder(db);
  let advice: string;
  if (need) {
    advice = `${need}: stop ${advert ? `\`${advert.command}\`` : 'that process'} briefly and run this again`;
  } else if (advert) {
    advice = `it advertises \`${advert.command}\` at ${advert.url} but does not answer there; if it hung, stop it and run this again`;
  } else {
    advice =
      'it serves no agentpulse API. If it is an app writing with the embedded store, it lets go of the file after a few idle seconds ' +
      '(AGENTPULSE_IDLE_CLOSE_MS): run this again then. To share the file while apps run, start ' +
      `\`agentpulse --db ${db} dashboard\` (or \`collect\`) first: commands and apps on this file then go through it`;
  }
  return new CliError(`${db} is locked by ${who}; ${advice}`, { cause: err, code: err.code });
}
