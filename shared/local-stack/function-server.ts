/**
 * What each function process of the local stack runs instead of the
 * functions framework's CLI (`main.js`), with the same flags
 * (`--target --signature-type --source --port`). The CLI listens on every
 * interface and has no host option; this does what it does (parse the
 * options, load the source, let the framework build its express app, and
 * register its error and signal handlers, so SIGTERM still stops it
 * gracefully) but listens on 127.0.0.1 only, and puts the push guard
 * (push-guard.ts) in front of a Pub/Sub-triggered function.
 *
 * It reaches into the framework's build (options, loader, server, invoker,
 * logger), the modules main.js itself uses: the package exports none of
 * them. Cloud Run does not run this; production serves functions/index.ts
 * through the framework's own CLI, unchanged.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { PUSH_SECRET_ENV, pushGuard } from './push-guard';

/** The only address a local function listens on. */
export const FUNCTION_HOST = '127.0.0.1';

interface FrameworkOptions {
  port: string;
  target: string;
  sourceLocation: string;
  signatureType: string;
  enableExecutionId: boolean;
}

interface Framework {
  parseOptions(argv: string[], env: NodeJS.ProcessEnv): FrameworkOptions;
  getUserFunction(
    source: string,
    target: string,
    signatureType: string,
  ): Promise<{ userFunction: unknown; signatureType: string } | null>;
  getServer(userFunction: unknown, options: FrameworkOptions): Server;
  ErrorHandler: new (server: Server) => { register(): void };
  loggingHandlerAddExecutionContext(): void;
}

/** The framework modules main.js uses, from the installed package's build. */
function framework(): Framework {
  const dir = dirname(require.resolve('@google-cloud/functions-framework'));
  // By path: the package's `exports` map hides its build modules from a plain require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string) => require(join(dir, name)) as Record<string, unknown>;
  return {
    ...(load('options.js') as Pick<Framework, 'parseOptions'>),
    ...(load('loader.js') as Pick<Framework, 'getUserFunction'>),
    ...(load('server.js') as Pick<Framework, 'getServer'>),
    ...(load('invoker.js') as Pick<Framework, 'ErrorHandler'>),
    ...(load('logger.js') as Pick<Framework, 'loggingHandlerAddExecutionContext'>),
  };
}

/** One JSON log line, as the functions write theirs (the stack shows WARNING and worse on its console). */
function logLine(
  severity: 'INFO' | 'WARNING' | 'ERROR',
  message: string,
  fields: Record<string, unknown> = {},
) {
  const line = JSON.stringify({ severity, message, component: 'local-function-server', ...fields });
  (severity === 'INFO' ? process.stdout : process.stderr).write(`${line}\n`);
}

/**
 * Serves the function the flags name on 127.0.0.1; resolves with the
 * listening server. The push secret is read from the environment and taken
 * out of it before the function's code loads.
 */
export async function serveFunction(
  argv: string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Server | undefined> {
  const secret = env[PUSH_SECRET_ENV];
  delete env[PUSH_SECRET_ENV];
  const ff = framework();
  const options = ff.parseOptions(argv, env);
  if (options.enableExecutionId) ff.loggingHandlerAddExecutionContext();
  const loaded = await ff.getUserFunction(options.sourceLocation, options.target, options.signatureType);
  if (!loaded) {
    // The loader said why on stderr (the stack reads "is not defined in the provided module").
    console.error('Could not load the function, shutting down.');
    process.exit(1);
  }
  // The signature type registered in code wins over the flag, as in main.js.
  options.signatureType = loaded.signatureType;
  const server = ff.getServer(loaded.userFunction, options);

  if (options.signatureType !== 'http') {
    if (!secret) {
      console.error(
        `${PUSH_SECRET_ENV} is not set: a Pub/Sub-triggered function is served only behind its push secret`,
      );
      process.exit(1);
    }
    const guard = pushGuard(secret);
    const [app] = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const refused = guard(req, res);
      if (refused) {
        logLine('WARNING', `refused a push: HTTP ${refused.status}, ${refused.reason}`, {
          status: refused.status,
          path: (req.url ?? '').split('?')[0],
        });
        return;
      }
      app!(req, res);
    });
  }

  const errorHandler = new ff.ErrorHandler(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(options.port), FUNCTION_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.setTimeout(0); // as main.js: no automatic timeout on incoming connections
  errorHandler.register();
  logLine(
    'INFO',
    `serving ${options.target} (${options.signatureType}) on http://${FUNCTION_HOST}:${options.port}/`,
  );
  return server;
}

if (require.main === module) {
  serveFunction().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
