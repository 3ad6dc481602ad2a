// The CGMiner API's request parsing and reply envelope, from kanoi/cgminer api.c (the API author's tree) and
// API-README: a JSON request {"command","parameter"} or a plain-text "cmd|param"; a reply of STATUS plus one
// data section and "id":1; "a+b" multi-commands whose parts are each an array wrapping one reply object.
// Faces (sim/miners/cgminer-server.ts) add the trailing NUL and close the socket.

export type Severity = 'S' | 'I' | 'W' | 'E' | 'F';

export interface Reply {
  severity: Severity;
  code: number;
  msg: string;
  /** the data section's name (SUMMARY, STATS, …) and its rows */
  section?: string;
  rows?: unknown[];
  /** api.c leaves Description out of "Invalid command", so random probes learn nothing */
  describe?: boolean;
}

export interface CommandSpec {
  /** report commands without parameters may be joined with '+'; api.c denies the others inside a join */
  joinable: boolean;
  run(parameter: string | undefined): Reply;
}

export interface Answerer {
  /** STATUS Description: the miner software and version, "BMMiner 2.0.0" */
  description: string;
  /** epoch seconds for STATUS When */
  whenS: number;
  commands: Readonly<Record<string, CommandSpec>>;
  /** set while the miner restarts: every command answers "Not ready" */
  notReady: boolean;
}

export function success(code: number, msg: string, section: string, rows: unknown[]): Reply {
  return { severity: 'S', code, msg, section, rows };
}

export function failure(code: number, msg: string): Reply {
  return { severity: 'E', code, msg };
}

export const INVALID_COMMAND: Reply = Object.freeze({ severity: 'E', code: 14, msg: 'Invalid command', describe: false });
const INVALID_JSON: Reply = Object.freeze({ severity: 'E', code: 23, msg: 'Invalid JSON' });
const MISSING_COMMAND: Reply = Object.freeze({ severity: 'E', code: 24, msg: "Missing JSON 'command'" });
/** [A] no vendor document gives the code of "Not ready"; E with code 1 stands for it. */
const NOT_READY: Reply = Object.freeze({ severity: 'E', code: 1, msg: 'Not ready' });

export function accessDenied(command: string): Reply {
  return failure(45, `Access denied to '${command}' command`);
}

type Parsed = { json: boolean; command: string; parameter?: string } | { json: boolean; error: Reply };

export function parseRequest(text: string): Parsed {
  const trimmed = text.replace(/\0+$/, '').trim();
  if (!trimmed.startsWith('{')) {
    const bar = trimmed.indexOf('|');
    return bar < 0 ? { json: false, command: trimmed } : { json: false, command: trimmed.slice(0, bar), parameter: trimmed.slice(bar + 1) };
  }
  let request: unknown;
  try {
    request = JSON.parse(trimmed);
  } catch {
    return { json: true, error: INVALID_JSON };
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return { json: true, error: INVALID_JSON };
  const { command, parameter } = request as { command?: unknown; parameter?: unknown };
  if (command === undefined) return { json: true, error: MISSING_COMMAND };
  if (typeof command !== 'string') return { json: true, error: INVALID_COMMAND };
  const param = typeof parameter === 'string' ? parameter : typeof parameter === 'number' ? String(parameter) : undefined;
  return { json: true, command, parameter: param };
}

/** The whole reply to one request, as the text the socket carries (without the NUL). */
export function answer(requestText: string, answerer: Answerer): string {
  const parsed = parseRequest(requestText);
  if ('error' in parsed) return render(parsed.error, answerer, parsed.json);
  if (answerer.notReady) return render(NOT_READY, answerer, parsed.json);
  if (!parsed.command.includes('+')) return render(one(parsed.command, parsed.parameter, answerer), answerer, parsed.json);
  // api.c: duplicates are collapsed, blank parts skipped, a parameter is never passed to a joined command.
  const parts = [...new Set(parsed.command.split('+').filter((part) => part !== ''))];
  const replies = parts.map((part): [string, Reply] => {
    const spec = commandOf(answerer, part);
    if (!spec) return [part, INVALID_COMMAND];
    return [part, spec.joinable ? spec.run(undefined) : accessDenied(part)];
  });
  if (!parsed.json) return replies.map(([part, reply]) => `CMD=${part}|${renderText(reply, answerer)}`).join('');
  const joined: Record<string, unknown> = {};
  for (const [part, reply] of replies) joined[part] = [envelope(reply, answerer)];
  joined.id = 1;
  return JSON.stringify(joined);
}

function one(command: string, parameter: string | undefined, answerer: Answerer): Reply {
  return commandOf(answerer, command)?.run(parameter) ?? INVALID_COMMAND;
}

function commandOf(answerer: Answerer, command: string): CommandSpec | undefined {
  return Object.hasOwn(answerer.commands, command) ? answerer.commands[command] : undefined;
}

function render(reply: Reply, answerer: Answerer, json: boolean): string {
  return json ? JSON.stringify(envelope(reply, answerer)) : renderText(reply, answerer);
}

function statusLine(reply: Reply, answerer: Answerer): Record<string, unknown> {
  const line: Record<string, unknown> = { STATUS: reply.severity, When: answerer.whenS, Code: reply.code, Msg: reply.msg };
  if (reply.describe !== false) line.Description = answerer.description;
  return line;
}

function envelope(reply: Reply, answerer: Answerer): Record<string, unknown> {
  const out: Record<string, unknown> = { STATUS: [statusLine(reply, answerer)] };
  if (reply.section) out[reply.section] = reply.rows ?? [];
  out.id = 1;
  return out;
}

/** api.c's text form: `STATUS=S,When=…,Code=11,Msg=Summary,Description=…|SUMMARY,Elapsed=…|` */
function renderText(reply: Reply, answerer: Answerer): string {
  const pairs = (row: unknown): string[] =>
    typeof row === 'object' && row !== null
      ? Object.entries(row).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      : [String(row)];
  const status = `${pairs(statusLine(reply, answerer)).join(',')}|`;
  const rows = (reply.rows ?? []).map((row) => `${[reply.section, ...pairs(row)].join(',')}|`);
  return status + rows.join('');
}
