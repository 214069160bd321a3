/**
 * The stand-in's modals: `views.open` with trigger ids as Slack hands them out (each works once,
 * within 3 seconds: docs.slack.dev "Modals"), the view checked by rules-feedback.ts, and every
 * opened view kept (with the id Slack gives it) so a test can submit it.
 */
import { checkModalView } from './rules-feedback.js';

export interface OpenedView {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
}

export class ViewsStandin {
  readonly opened: OpenedView[] = [];
  private readonly issued = new Map<string, number>();
  private next = 1;

  /** A fresh trigger id, as an interaction payload carries it. */
  triggerId(now = Date.now()): string {
    const id = `${Math.floor(now / 1000)}.${this.next++}.${Math.random().toString(16).slice(2, 10)}`;
    this.issued.set(id, now);
    return id;
  }

  /** views.open: the trigger taken (once, within 3 s), the view checked, then kept. */
  open(args: Record<string, unknown>, now = Date.now()): Record<string, unknown> {
    const trigger = typeof args.trigger_id === 'string' ? args.trigger_id : '';
    const at = this.issued.get(trigger);
    if (at === undefined) return { ok: false, error: 'invalid_trigger_id' };
    this.issued.delete(trigger);
    if (now - at > 3000) return { ok: false, error: 'expired_trigger_id' };
    let view: unknown = args.view;
    if (typeof view === 'string') {
      try {
        view = JSON.parse(view);
      } catch {
        return { ok: false, error: 'invalid_arguments' };
      }
    }
    const refused = checkModalView(view);
    if (refused) return refused;
    const opened = {
      id: `V${String(this.next++).padStart(8, '0')}`,
      triggerId: trigger,
      view: view as Record<string, unknown>,
    };
    this.opened.push(opened);
    return { ok: true, view: { id: opened.id, ...opened.view } };
  }
}
