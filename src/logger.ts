/**
 * The server's pino logger: JSON lines on stdout (one per request), or pino-pretty's
 * coloured lines for a person at a terminal. The authorization header is never
 * written, even if a caller logs a request's headers.
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

export function createLogger({ format = "auto", ...options }: CreateLoggerOptions = {}): Logger {
  const settings = { level: process.env.LOG_LEVEL ?? "info", redact: REDACTED_PATHS, ...options };
  const isPretty = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  if (!isPretty) return pino(settings);
  return pino(settings, pretty({ ignore: "pid,hostname", singleLine: true, translateTime: "SYS:HH:MM:ss.l", sync: true }));
}
