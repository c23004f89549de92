/**
 * A cap on an HTTP function's request body, applied as the handler's first
 * step, before credentials are checked or the body is parsed as ours.
 *
 * What the cap can and cannot do, as functions-framework 5 works
 * (build/src/server.js): it installs body-parser for JSON, text, urlencoded
 * and raw (`*` / `*`) bodies with a fixed limit of '1024mb' (no option or
 * variable changes it) and `verify` keeping `req.rawBody`, all before the
 * user's function runs. So:
 * - a body with a Content-Type has already been read (and JSON or form
 *   bodies parsed) by the framework when the handler starts: on Google
 *   Cloud at most 32 MiB, the front end's request limit ("Max uncompressed
 *   HTTP request size", 2nd gen: https://cloud.google.com/functions/quotas;
 *   "Maximum HTTP/1 request size": https://cloud.google.com/run/quotas);
 *   locally up to the framework's 1 GiB. The handler then refuses anything
 *   over the cap by Content-Length, or by `rawBody`'s length when the body
 *   came chunked, before it looks at the token or validates a field;
 * - a body without a Content-Type is left unread by the framework: the
 *   handler reads it itself, stopping at cap + 1 byte;
 * - a declared Content-Length over the cap is refused without reading.
 * Only a listener in front of the framework could refuse a body before the
 * framework reads it.
 */
import type { Request } from '@google-cloud/functions-framework';

export type BodyCheck = { ok: true; raw: Buffer | undefined } | { ok: false; status: 413; reason: string };

function tooLarge(limit: number, what: string): BodyCheck {
  return { ok: false, status: 413, reason: `request body too large: at most ${limit} bytes (${what})` };
}

/** Reads an unread request stream, giving up (without reading on) once it passes `limit`. */
function readUpTo(req: Request, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    // A client gone before the end sent no whole body: nothing to act on (later settles are no-ops).
    req.once('close', () => resolve(undefined));
  });
}

/**
 * Checks the body against `limit` bytes (see the module comment) and
 * returns its raw bytes when the framework kept or left them: `raw` is
 * undefined only when the framework consumed the body without keeping it.
 */
export async function checkBodySize(req: Request, limit: number, what: string): Promise<BodyCheck> {
  const declared = req.get('content-length');
  if (declared !== undefined && (!/^[0-9]+$/.test(declared) || Number(declared) > limit)) {
    return tooLarge(limit, what);
  }
  if (Buffer.isBuffer(req.rawBody)) {
    return req.rawBody.length > limit ? tooLarge(limit, what) : { ok: true, raw: req.rawBody };
  }
  if (req.readableEnded || req.complete) return { ok: true, raw: undefined };
  const raw = await readUpTo(req, limit);
  return raw === undefined ? tooLarge(limit, what) : { ok: true, raw };
}
