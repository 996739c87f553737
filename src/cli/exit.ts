// Exit codes, the same for every command (the interface contract). Monitoring plugins use 3 for UNKNOWN,
// so "could not decide" has its own code and a script can tell it from a bad flag (2).
export const EXIT = {
  /** nothing wrong: the port is free, the file is clean, the fix worked */
  ok: 0,
  /** a conflict or hazard was found (or is still there) */
  found: 1,
  /** usage error: a bad argument, option or input file; nothing was checked */
  usage: 2,
  /** could not decide: the verdict is `unknown`, part of the host could not be read, or explain recognised nothing */
  undecided: 3,
  /** internal error in portdoctor (please report it) */
  internal: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
