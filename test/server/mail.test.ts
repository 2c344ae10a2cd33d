/**
 * Follow-up invitations by e-mail (issue 14): the SMTP client (src/server/mail.ts) against a local SMTP sink
 * written here on node:net (no external service), its configuration from the environment, and the owner's
 * "Send by e-mail" on the volunteers page (SQLite and PostgreSQL).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMessage, sendMail, smtpFromEnv } from '../../src/server/mail.js';
import { answerPhq9, followUpStudy } from './followUpHelpers.js';
import { createStudy, FormBrowser, serverBackends, studioClient, type TestApp, testApp } from './helpers.js';

/** A minimal SMTP server: records each session's commands and message; `refuse` answers RCPT with 550. */
function smtpSink(opts: { refuseRcpt?: boolean } = {}) {
  const sessions: { commands: string[]; data: string }[] = [];
  const server: Server = createServer((socket) => {
    const s = { commands: [] as string[], data: '' };
    sessions.push(s);
    let inData = false;
    let buf = '';
    socket.write('220 sink.test ESMTP\r\n');
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          s.data = buf.slice(0, end);
          buf = buf.slice(end + 5);
          inData = false;
          socket.write('250 queued\r\n');
          continue;
        }
        const i = buf.indexOf('\r\n');
        if (i < 0) return;
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        s.commands.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-sink.test\r\n250-8BITMIME\r\n250 SIZE 1000000\r\n');
        else if (verb === 'RCPT') socket.write(opts.refuseRcpt ? '550 no such user\r\n' : '250 ok\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  return {
    sessions,
    listen: () =>
      new Promise<number>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the SMTP client', () => {
  it('reads NABZ_SMTP_URL and NABZ_SMTP_FROM, naming what is wrong', () => {
    expect(smtpFromEnv({})).toBeUndefined();
    expect(
      smtpFromEnv({ NABZ_SMTP_URL: 'smtps://u%40x:p%20w@mail.example.org', NABZ_SMTP_FROM: 'r@example.edu' }),
    ).toEqual({
      host: 'mail.example.org',
      port: 465,
      secure: true,
      user: 'u@x',
      password: 'p w',
      from: 'r@example.edu',
    });
    expect(() => smtpFromEnv({ NABZ_SMTP_URL: 'http://x', NABZ_SMTP_FROM: 'r@example.edu' })).toThrow(
      /use smtp:\/\//,
    );
    expect(() => smtpFromEnv({ NABZ_SMTP_URL: 'smtp://x' })).toThrow(/NABZ_SMTP_FROM is ""/);
  });

  it('dot-stuffs lines, uses CRLF and encodes a non-ASCII subject', () => {
    const m = formatMessage('r@example.edu', {
      to: 'a@example.org',
      subject: 'دعوت',
      text: 'Hi\n.hidden\nend',
    });
    expect(m).toContain('\r\n..hidden\r\nend\r\n.\r\n');
    expect(m).toContain(`Subject: =?UTF-8?B?${Buffer.from('دعوت').toString('base64')}?=`);
  });

  it('sends one message through a local sink, and reports a refused recipient with the server answer', async () => {
    const sink = smtpSink();
    const port = await sink.listen();
    const cfg = { host: '127.0.0.1', port, secure: false, from: 'research@example.edu' };
    await sendMail(cfg, {
      to: 'ayesha@example.org',
      subject: 'Invitation',
      text: 'Hello\nLink: https://x/v/A',
    });
    expect(sink.sessions[0]!.commands).toEqual([
      'EHLO nabz',
      'MAIL FROM:<research@example.edu>',
      'RCPT TO:<ayesha@example.org>',
      'DATA',
      'QUIT',
    ]);
    expect(sink.sessions[0]!.data).toContain('To: ayesha@example.org\r\n');
    expect(sink.sessions[0]!.data).toContain('\r\n\r\nHello\r\nLink: https://x/v/A');
    await expect(
      sendMail({ ...cfg, password: 'secret', user: 'u' }, { to: 'a@example.org', subject: 's', text: 't' }),
    ).rejects.toThrow(/will not send a password in clear/);
    await expect(sendMail(cfg, { to: 'not an address', subject: 's', text: 't' })).rejects.toThrow(
      /not an e-mail address/,
    );
    await sink.close();
    const refusing = smtpSink({ refuseRcpt: true });
    const p2 = await refusing.listen();
    await expect(
      sendMail({ ...cfg, port: p2 }, { to: 'ghost@example.org', subject: 's', text: 't' }),
    ).rejects.toThrow('The mail server refused the recipient ghost@example.org: 550 no such user');
    await refusing.close();
  });
});

for (const backend of serverBackends()) {
  describe(`sending a volunteer the invitation by e-mail (${backend.name})`, () => {
    let t: TestApp;
    const sink = smtpSink();
    beforeAll(async () => {
      const port = await sink.listen();
      t = await testApp({
        backend,
        config: {
          submitRateLimitPerMinute: 10_000,
          smtp: { host: '127.0.0.1', port, secure: false, from: 'research@example.edu' },
        },
      });
    });
    afterAll(async () => {
      await t.close();
      await sink.close();
    });

    it('sends the text with the personal link, marks the volunteer invited, audits it without the address', async () => {
      const o = await t.createUser({ email: 'olivia@example.org', name: 'Olivia Owner' });
      const s = await createStudy(t.store, { ownerId: o.id, definition: followUpStudy() });
      await t.store.studies.setSettings({ studyId: s.id, minCellSize: 1 });
      const b = new FormBrowser(t.app);
      await answerPhq9(b, s.publicToken, 2);
      await b.get(`/s/${s.publicToken}/volunteer?lang=en`);
      await b.submit({ name: 'Ayesha', email: 'ayesha@example.org', agree: '1' });
      const c = studioClient(t, await t.signIn(o.email, o.password));
      const page = await c.get(`/studies/${s.id}/volunteers`);
      expect(page.body).toContain('Send V1 the invitation by e-mail');
      const [v] = (await t.store.volunteers.list(s.id)).volunteers;
      const r = await c.post(`/studies/${s.id}/volunteers/${v!.codeHash}/email`, {
        message: 'Dear {name}: Monday 10:00, {link}',
      });
      expect(r.statusCode, r.body.slice(0, 300)).toBe(303);
      const sent = sink.sessions.at(-1)!;
      expect(sent.commands).toContain('RCPT TO:<ayesha@example.org>');
      expect(sent.data).toContain(
        `Dear Ayesha: Monday 10:00, http://localhost:3000/s/${s.publicToken}/v/${v!.code}`,
      );
      expect((await t.store.volunteers.get(s.id, v!.codeHash))?.status).toBe('invited');
      const audit = await t.store.audit.listForStudy(s.id, { action: 'volunteer.email' });
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit)).not.toContain('ayesha@example.org');
    });
  });
}
