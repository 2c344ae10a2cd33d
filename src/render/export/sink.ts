/**
 * Writing export chunks to a Node stream with backpressure: a writer awaits `drain` before it pulls the next
 * record, so a slow client (or a slow disk) slows the database paging instead of filling memory.
 */
import type { Writable } from 'node:stream';

/** Where a writer sends its bytes: an HTTP response, a file stream, a PassThrough… */
export type ByteSink = Writable;

/** The default chunk size: rows are gathered until a chunk holds about this many bytes, then sent. */
export const CHUNK_BYTES = 64 * 1024;

function closedError(): Error {
  return new Error('the export destination was closed before the export finished');
}

/** Write one chunk; resolves at once, or after `drain` when the sink's buffer is full. */
export function writeChunk(sink: ByteSink, chunk: Uint8Array): Promise<void> {
  if (sink.destroyed || sink.writableEnded) return Promise.reject(closedError());
  if (sink.write(chunk)) return Promise.resolve();
  return waitFor(sink, 'drain');
}

/** End the sink and wait until everything written has been handed on (`finish`). */
function endSink(sink: ByteSink): Promise<void> {
  if (sink.destroyed) return Promise.reject(closedError());
  const done = waitFor(sink, 'finish');
  sink.end();
  return done;
}

function waitFor(sink: ByteSink, event: 'drain' | 'finish'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      sink.off(event, onEvent);
      sink.off('close', onClose);
      sink.off('error', onError);
    };
    const onEvent = (): void => {
      cleanup();
      resolve();
    };
    const onClose = (): void => {
      cleanup();
      reject(closedError());
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    sink.once(event, onEvent);
    sink.once('close', onClose);
    sink.once('error', onError);
  });
}

/**
 * Send every chunk of a chunk generator to the sink (awaiting backpressure), then end the sink. On any
 * failure (a record source that throws, a closed client) the sink is destroyed — so a half-written file is
 * never mistaken for a complete one — and the error is rethrown.
 */
export async function pipeChunks<R>(chunks: AsyncGenerator<Uint8Array, R>, sink: ByteSink): Promise<R> {
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done) {
        await endSink(sink);
        return next.value;
      }
      await writeChunk(sink, next.value);
    }
  } catch (err) {
    await chunks.return(undefined as R).catch(() => undefined);
    if (!sink.destroyed) sink.destroy();
    throw err;
  }
}
