import { pino, type Logger } from 'pino';

/** Structured JSON logs on stderr (stdout stays for command output such as keys and JSON). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'retour' } }, pino.destination({ fd: 2, sync: false }));
}
