/** `demo degrade|bad-version|drift --isbn X`: make the embedded fleet go wrong in a realistic way. */
import { newCorrelationId } from '../../shared/logging/correlation';
import { randomIds } from '../../shared/ports/clock';
import { demoBadVersion, demoDegrade, demoDrift, type BadVersionDefect } from '../../shared/services/demo';
import { embeddedSalesFile } from '../../shared/wiring/seed';
import type { Command, CommandContext } from '../command';
import { withBackend } from '../backend';
import { EXIT, UsageError, type ExitCode } from '../exit-codes';
import { FLAGS } from '../flag-table';
import { required } from '../flags';
import { helpOf } from './help-table';

type DemoAction = 'degrade' | 'bad-version' | 'drift';

const NEXT_STEPS: Record<DemoAction, string> = {
  degrade:
    'next: forecast-guard health run --isbn ISBN   then   forecast-guard rollback --isbn ISBN --emergency',
  'bad-version':
    'next: post-deploy validation picks it up from model-deployments (forecast-guard validate --isbn ISBN)',
  drift: 'next: forecast-guard health run --isbn ISBN (a rollback does not cure drift: retrain)',
};

function demo(action: DemoAction): Command {
  return {
    ...helpOf(`demo ${action}`),
    async run(ctx: CommandContext): Promise<ExitCode> {
      const isbn = required(ctx.flag(FLAGS.isbn), FLAGS.isbn);
      const result = await withBackend(ctx, async (backend) => {
        if (backend.config.backend !== 'local' || !backend.embeddedRegistry) {
          throw new UsageError(
            'demo commands run on the embedded backend only (FG_BACKEND=local, FG_REGISTRY=local)',
            ['FG_BACKEND'],
          );
        }
        const ports = { registry: backend.embeddedRegistry, serving: backend.serving, bus: backend.bus };
        if (action === 'degrade') return demoDegrade(isbn, ports);
        if (action === 'drift') {
          return demoDrift(isbn, { sales: embeddedSalesFile(backend.config.stateDir) });
        }
        return demoBadVersion(
          {
            isbn,
            // The service names the defects it knows when this is none of them.
            defect: ctx.flag(FLAGS.defect) as BadVersionDefect,
            deployedBy: ctx.env.USER ?? 'demo',
            correlationId: newCorrelationId(randomIds),
          },
          ports,
          { environment: backend.config.environment },
        );
      });
      ctx.out.line(`${result.isbn}: ${result.detail}`);
      ctx.out.line(NEXT_STEPS[action].replaceAll('ISBN', result.isbn));
      ctx.out.result(result);
      return EXIT.ok;
    },
  };
}

export const demoCommands: Command[] = [demo('degrade'), demo('bad-version'), demo('drift')];
