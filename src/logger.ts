/**
 * The server's pino logger: JSON lines on stdout (one per request), or pino-pretty's
 * coloured lines for a person at a terminal. The authorization header is never
 * written, even if a caller logs a request's headers. JSON escapes control characters;
 * a pretty line escapes them in its message, which holds a client's decoded path: a
 * `%0A` would start a forged line and an ESC would set the terminal's colours.
 */
import { pino, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";

const REDACTED_PATHS = ["req.headers.authorization", "headers.authorization", "authorization"];

export type LogFormat = "auto" | "json" | "pretty";
export const LOG_FORMATS: LogFormat[] = ["auto", "json", "pretty"];

export interface CreateLoggerOptions extends LoggerOptions {
  /** `auto` (the default): pretty when stdout is a terminal, JSON otherwise. */
  format?: LogFormat;
}

/** Controls as `\n`, `\u001b`: printable, and never a new line or a terminal escape. */
export function escapeControlCharacters(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    const named = ({ "\n": "\\n", "\r": "\\r", "\t": "\\t" } as Record<string, string>)[char];
    return named ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

export function createLogger({ format = "auto", ...options }: CreateLoggerOptions = {}): Logger {
  const settings = { level: process.env.LOG_LEVEL ?? "info", redact: REDACTED_PATHS, ...options };
  const isPretty = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  if (!isPretty) return pino(settings);
  const messageFormat = (log: Record<string, unknown>, messageKey: string) => escapeControlCharacters(String(log[messageKey] ?? ""));
  return pino(settings, pretty({ ignore: "pid,hostname", singleLine: true, translateTime: "SYS:HH:MM:ss.l", sync: true, messageFormat }));
}
