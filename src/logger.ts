/**
 * The server's pino logger: JSON lines on stdout, the authorization header never
 * written even if a caller logs a request's headers.
 */
import { pino, type Logger, type LoggerOptions } from "pino";

export const REDACTED_PATHS = ["req.headers.authorization", "headers.authorization", "authorization"];

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({ level: process.env.LOG_LEVEL ?? "info", redact: REDACTED_PATHS, ...options });
}
