/**
 * Sending one e-mail over SMTP (RFC 5321), for the owner's follow-up invitations (issue 14). Configured by
 * `NABZ_SMTP_URL` — `smtp://[user:password@]host[:port]` (port 587 by default; STARTTLS is used whenever the
 * server offers it, and required when a password is given) or `smtps://…` (TLS from the start, port 465) — and
 * `NABZ_SMTP_FROM` (the sender address). A small client on node:net/node:tls rather than a dependency: one
 * plain-text message to one recipient, EHLO, STARTTLS, AUTH PLAIN, MAIL/RCPT/DATA, QUIT; replies are read to
 * their last line and any unexpected code stops with an error naming the command and the server's answer.
 */
import { randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';

export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the start (smtps). */
  readonly secure: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
  /** Accept a self-signed certificate (tests and local relays only; `?tls=insecure`). */
  readonly insecureTls?: boolean;
}

interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

const ADDRESS = /^[^\s@<>"(),;:\\]+@[^\s@<>"(),;:\\]+$/;

/** Read `NABZ_SMTP_URL` and `NABZ_SMTP_FROM`; undefined when unset; an Error naming the problem when malformed. */
export function smtpFromEnv(env: Readonly<Record<string, string | undefined>>): SmtpConfig | undefined {
  const raw = env.NABZ_SMTP_URL?.trim();
  if (!raw) return undefined;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(
      `NABZ_SMTP_URL is not a URL: use smtp://user:password@mail.example.org:587 or smtps://…:465.`,
    );
  }
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:')
    throw new Error(`NABZ_SMTP_URL starts with "${u.protocol}": use smtp:// (STARTTLS) or smtps:// (TLS).`);
  const from = env.NABZ_SMTP_FROM?.trim() ?? '';
  if (!ADDRESS.test(from))
    throw new Error(
      `NABZ_SMTP_FROM is ${JSON.stringify(from)}: set the sender address, e.g. research@example.edu.`,
    );
  const secure = u.protocol === 'smtps:';
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(u.username ? { user: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    from,
    ...(u.searchParams.get('tls') === 'insecure' ? { insecureTls: true } : {}),
  };
}

/** A header value as RFC 2047 UTF-8 when it is not plain ASCII. */
function headerText(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, 'utf8').toString('base64')}?=`;
}

/** The message as sent in DATA: headers, CRLF line ends, dot-stuffed, ending in CRLF.CRLF. */
export function formatMessage(from: string, m: MailMessage, now = new Date()): string {
  const body = m.text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => (l.startsWith('.') ? `.${l}` : l))
    .join('\r\n');
  return [
    `From: ${from}`,
    `To: ${m.to}`,
    `Subject: ${headerText(m.subject)}`,
    `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomUUID()}@${from.split('@')[1] ?? 'nabz'}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '.',
    '',
  ].join('\r\n');
}

/** Reads SMTP replies (multi-line `250-…` up to `250 …`) from a socket that may be upgraded to TLS. */
class Replies {
  private buf = '';
  private waiting: ((line: string) => void) | undefined;
  private lines: string[] = [];
  private failed: Error | undefined;
  private socket!: Socket | TLSSocket;

  attach(socket: Socket | TLSSocket): void {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buf += d;
      let i = this.buf.indexOf('\n');
      while (i >= 0) {
        this.lines.push(this.buf.slice(0, i).replace(/\r$/, ''));
        this.buf = this.buf.slice(i + 1);
        i = this.buf.indexOf('\n');
      }
      this.pump();
    });
    socket.on('error', (e) => {
      this.failed = e;
      this.pump();
    });
  }

  private pump(): void {
    const w = this.waiting;
    if (!w) return;
    const i = this.lines.findIndex((l) => /^\d{3}( |$)/.test(l));
    if (this.failed || i >= 0) {
      this.waiting = undefined;
      w(this.failed ? '' : this.lines.splice(0, i + 1).join('\n'));
    }
  }

  /** The next complete reply. */
  next(timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`the mail server did not answer within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      this.waiting = (r) => {
        clearTimeout(t);
        if (this.failed) reject(this.failed);
        else resolve(r);
      };
      this.pump();
    });
  }

  /** Send a command (or none) and expect a reply starting with one of `codes`. */
  async expect(command: string | undefined, codes: readonly string[], what: string): Promise<string> {
    if (command !== undefined) this.socket.write(`${command}\r\n`);
    const r = await this.next();
    if (!codes.some((c) => r.startsWith(c)))
      throw new Error(`The mail server refused ${what}: ${r.split('\n').pop() ?? r}`);
    return r;
  }
}

function open(cfg: SmtpConfig): Promise<Socket | TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = cfg.secure
      ? tlsConnect({
          host: cfg.host,
          port: cfg.port,
          servername: cfg.host,
          rejectUnauthorized: !cfg.insecureTls,
        })
      : netConnect({ host: cfg.host, port: cfg.port });
    s.once(cfg.secure ? 'secureConnect' : 'connect', () => resolve(s));
    s.once('error', (e) =>
      reject(new Error(`Cannot reach the mail server ${cfg.host}:${cfg.port}: ${e.message}`)),
    );
  });
}

/** Send one message; resolves when the server accepted it (250 after DATA), rejects naming what failed. */
export async function sendMail(cfg: SmtpConfig, m: MailMessage): Promise<void> {
  if (!ADDRESS.test(m.to)) throw new Error(`"${m.to}" is not an e-mail address.`);
  if (/[\r\n]/.test(m.subject)) throw new Error('The subject must be one line.');
  let socket = await open(cfg);
  const r = new Replies();
  r.attach(socket);
  try {
    await r.expect(undefined, ['220'], 'the connection');
    let ehlo = await r.expect('EHLO nabz', ['250'], 'EHLO');
    if (!cfg.secure && /STARTTLS/i.test(ehlo)) {
      await r.expect('STARTTLS', ['220'], 'STARTTLS');
      socket.removeAllListeners('data');
      socket = await new Promise<TLSSocket>((resolve, reject) => {
        const t = tlsConnect({ socket, servername: cfg.host, rejectUnauthorized: !cfg.insecureTls }, () =>
          resolve(t),
        );
        t.once('error', reject);
      });
      r.attach(socket);
      ehlo = await r.expect('EHLO nabz', ['250'], 'EHLO after STARTTLS');
    } else if (!cfg.secure && cfg.password)
      throw new Error(
        'The mail server does not offer STARTTLS; nabz will not send a password in clear (use smtps://).',
      );
    if (cfg.user) {
      const token = Buffer.from(`\u0000${cfg.user}\u0000${cfg.password ?? ''}`, 'utf8').toString('base64');
      await r.expect(`AUTH PLAIN ${token}`, ['235'], 'the user name and password');
    }
    await r.expect(`MAIL FROM:<${cfg.from}>`, ['250'], `the sender ${cfg.from}`);
    await r.expect(`RCPT TO:<${m.to}>`, ['250', '251'], `the recipient ${m.to}`);
    await r.expect('DATA', ['354'], 'DATA');
    socket.write(formatMessage(cfg.from, m));
    await r.expect(undefined, ['250'], 'the message');
    // The message is accepted; a server that drops the line before answering QUIT changes nothing.
    await r.expect('QUIT', ['221'], 'QUIT').catch(() => undefined);
  } finally {
    socket.end();
  }
}
