/**
 * The ingestion benchmark's peer: the same HTTP framework (the project's Fastify), one route that takes the
 * same request as nabz's JSON API (POST with a JSON body: Fastify parses it) and answers a constant. No
 * plugins, no validation, no database. Prints "bare listening on <port>" and stops on SIGTERM.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
app.post('/api/v1/s/:token/responses', async (_req, reply) => reply.code(201).send({ id: 1 }));
app.get('/bare', async () => ({ ok: true }));
await app.listen({ port: 0, host: '127.0.0.1' });
const addr = app.server.address();
process.stdout.write(`bare listening on ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
process.once('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});
